// The front door's logic, independent of the wire: validate, publish the request into the pipeline,
// and wait for this instance's replies. The gRPC server (and any other front door) is a thin layer
// over it, so there is one path into the pipeline.
import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import {
  DEFAULT_ANALYZE_MODELS,
  analyzeResponse,
  answeredTaskResult,
  failedTaskResult,
  taskChatRequest,
  taskModel,
  validateAnalyzeRequest,
  type AnalyzeRequest,
  type AnalyzeResponse,
  type AnalyzeTaskResult,
  type AnalyzeTaskType,
} from '@switchyard/analyze';
import { MessageTooLargeError, type Bus, type IncomingMessage } from '@switchyard/bus';
import { analyzeModelsOf, buildModelCatalog, type AuthConfig, type CatalogEntry, type GatewayConfig } from '@switchyard/config';
import { BreakerBoard } from '@switchyard/routing';
import { settledCallsInMemory, type SettledCalls } from './settled-calls';
import {
  BREAKERS_TOPIC,
  BREAKERS_TOPIC_PARTITIONS,
  GatewayError,
  TOPICS,
  parseBreakerEvent,
  parseReplyEvent,
  batchReplyTopicFor,
  replyTopicFor,
  usageTimestamp,
  validateChatRequest,
  validateEmbedRequest,
  validateModerationRequest,
  validateRerankRequest,
  validateImageGenerationRequest,
  validateTranscriptionRequest,
  parseCacheControl,
  requestedModel,
  type CacheStatus,
  type CallerOutcomeCode,
  type CallerOutcomeEvent,
  type CancelEvent,
  type ChatChunk,
  type ChatRequest,
  type ChatResponse,
  type EmbedRequest,
  type EmbedResponse,
  type ModelInfo,
  type ModerationRequest,
  type ModerationResponse,
  type RerankRequest,
  type RerankResponse,
  type ImageGenerationRequest,
  type ImageGenerationResponse,
  type TranscriptionRequest,
  type TranscriptionResponse,
  type RateLimitStatus,
  type ReplyEvent,
  type ReplyOrigin,
  type RequestEvent,
  type RequestLimits,
} from '@switchyard/contracts';
import { SECRET_PREFIX, type EventSigner, type KeyDirectory } from '@switchyard/keys';
import { GEN_AI_OPERATIONS, gatewayMetrics, headersForSpan, setGenAiOutcome, tracer, type Logger } from '@switchyard/telemetry';
import type { Span } from '@opentelemetry/api';

/** What the response cache did for an answer (docs/caching.md): an HTTP header, and gRPC response metadata. */
export const CACHE_STATUS_HEADER = 'x-switchyard-cache';

export interface CallOptions {
  /** Epoch milliseconds; the configured default timeout applies when absent. */
  deadline?: number;
  /** The caller's credential (e.g. a bearer token); only a keyed hash of it is kept, as api_key_id. */
  credential?: string;
  /** Cancelled by the front door when the caller goes away. */
  cancellation?: Cancellation;
  /** Set by the call from its answer: the caller's standing against its key's limits, for the front door's headers. */
  rateLimit?: RateLimitStatus;
  /** Set by the call from its answer: its time in the gateway, its provider's time taken out (the batch runner paces itself by it). */
  pipelineMs?: number;
  /** Set by a batch request's call: its answer is in the batch store already (recorded from its reply), so the runner need not write it. */
  answerRecorded?: boolean;
  /** The caller's Cache-Control (HTTP header, gRPC metadata cache-control), as sent; checked here for every front door. */
  cacheControl?: string;
  /** Told what the response cache did, before the first chunk or the answer, for a model that has a cache. */
  onCache?: (status: CacheStatus) => void;
  /** A batch's request (libs/batch): sent as the batch's owner (batchCaller), under its own request id, and recorded with the batch's id. */
  batch?: BatchCall;
}

/** Who a batch's request runs as and how it is named; the batch runner sets it, never a caller. */
export interface BatchCall {
  batch_id: string;
  request_id: string;
  caller: Caller;
}

/**
 * A caller's going away, told to its call. An AbortSignal would do the same, but every front-door
 * request would then make an AbortController and register a listener on it: about 2% of the embedded
 * gateway's main thread in a profile at 500 requests/s, for an event that seldom happens. Told after
 * the call has its answer, it means the front door could not deliver that answer.
 */
export class Cancellation {
  private listener: ((code: CallerOutcomeCode) => void) | undefined;
  private done = false;

  get cancelled(): boolean {
    return this.done;
  }

  /**
   * Runs the listener, if any, once; later calls do nothing. `code` is what the caller got:
   * deadline_exceeded when the front door closed the call at its deadline.
   */
  cancel(code: CallerOutcomeCode = 'cancelled'): void {
    if (this.done) return;
    this.done = true;
    const listener = this.listener;
    this.listener = undefined;
    listener?.(code);
  }

  /** Sets the one listener (the call's), run when the caller goes away; undefined removes it. */
  listen(listener: ((code: CallerOutcomeCode) => void) | undefined): void {
    this.listener = listener;
  }
}

export interface GatewayCoreOptions {
  bus: Bus;
  catalog: Map<string, CatalogEntry>;
  logger: Logger;
  defaultTimeoutMs: number;
  instanceId?: string;
  /**
   * Records a batch request's final reply in its batch (see batchReplyRecorder), saying whether the batch
   * holds the request's result; absent where nothing can read a reply again.
   */
  recordBatchReply?: (reply: ReplyEvent, batchId: string) => Promise<boolean>;
  /** The calls this instance ended lately; in memory unless given (see settledCallsJournal). */
  settledCalls?: SettledCalls;
  /** Accepted gateway keys; when non-empty, every call must present one (see gatewayKeysFrom). */
  apiKeys?: readonly string[];
  /**
   * The server secret api_key_id is keyed with (see apiKeyIdsUnder); every instance must share it for
   * one key to have one id. Without it, a secret of this instance's own, so ids last only its lifetime.
   */
  keyIdSecret?: string;
  /**
   * Virtual keys (libs/keys): when given, every call must present a key, a virtual one or one of
   * `apiKeys`; a virtual key's id, name and team go on the request's events and usage row.
   */
  keys?: KeyDirectory;
  /** Signs each request published, so that the router tells it from a producer's (keys' event-auth.ts). */
  signer?: EventSigner;
  /** The admin API's key (SWITCHYARD_ADMIN_KEY); it opens the admin API and nothing else. */
  adminKey?: string;
  /** The configuration version the catalog, keys and timeout come from; each request carries it. */
  configVersion?: string;
  /** The model of each Analyze task type when a task names none; the built-in mocks when absent. */
  analyzeModels?: Readonly<Record<AnalyzeTaskType, string>>;
}

/** Who a call comes from, as its events and usage row name it, and which models it may use. */
export interface Caller {
  api_key_id: string;
  key_name?: string;
  team?: string;
  /** Absent: every model. */
  allows?(model: string): boolean;
  /** The virtual key's and team's limits, which the router holds the call to. */
  limits?: RequestLimits;
}

/** What a new configuration version changes in a running ingress (see GatewayCore.reconfigure). */
export type IngressSettings = Pick<GatewayCoreOptions, 'catalog' | 'defaultTimeoutMs' | 'apiKeys' | 'configVersion' | 'analyzeModels'>;

// How long a batch request's reply waits to be recorded in its batch before it is committed anyway.
const BATCH_RECORD_WAIT_MS = 2000;

interface PendingCall {
  /** `answerRecorded`: a batch request's answer is in its batch already. */
  onReply(reply: ReplyEvent, answerRecorded?: boolean): void;
  fail(error: GatewayError): void;
}

export class GatewayCore {
  readonly instanceId: string;
  readonly replyTopic: string;
  /** Where its batch requests' replies come (see batchReplyTopicFor). */
  readonly batchReplyTopic: string;
  private readonly pending = new Map<string, PendingCall>();
  private readonly settled: SettledCalls;
  // One object, replaced whole, so that a call sees one version's catalog, keys and timeout. Keys are
  // compared as SHA-256 digests: equal lengths for timingSafeEqual, whatever was sent.
  private settings: Omit<IngressSettings, 'apiKeys' | 'analyzeModels'> & { keyDigests: Buffer[]; analyzeModels: Readonly<Record<AnalyzeTaskType, string>> };
  private readonly adminDigest: Buffer | undefined;
  private readonly apiKeyIdOf: (credential: string | undefined) => string;
  private state: 'new' | 'started' | 'stopping' = 'new';
  // The breakers as the provider-workers report them, for ListModels and GET /v1/models.
  private readonly breakers = new BreakerBoard();

  constructor(private readonly options: GatewayCoreOptions) {
    this.instanceId = options.instanceId ?? randomUUID().slice(0, 8);
    this.replyTopic = replyTopicFor(this.instanceId);
    this.batchReplyTopic = batchReplyTopicFor(this.instanceId);
    this.settings = settingsOf(options);
    this.adminDigest = options.adminKey ? sha256(options.adminKey) : undefined;
    this.settled = options.settledCalls ?? settledCallsInMemory();
    this.apiKeyIdOf = apiKeyIdsUnder(options.keyIdSecret ?? randomBytes(32).toString('hex'));
  }

  /** Takes a new configuration version's settings; calls already taken in keep the version they started on. */
  reconfigure(settings: IngressSettings): void {
    this.settings = settingsOf(settings);
  }

  /** True once started and until stop() begins: what a readiness probe reports. */
  get ready(): boolean {
    return this.state === 'started';
  }

  /** Creates this instance's reply topics and starts reading them, each with a consumer of its own. */
  async start(): Promise<void> {
    await this.options.bus.ensureTopics([this.replyTopic, this.batchReplyTopic], 3);
    const handleBatch = (messages: IncomingMessage[]) => this.takeReplies(messages);
    await this.options.bus.subscribe({ topic: this.replyTopic, group: `switchyard-ingress-${this.instanceId}`, maxInFlightBatches: 1, handleBatch });
    await this.options.bus.subscribe({ topic: this.batchReplyTopic, group: `switchyard-ingress-batch-${this.instanceId}`, maxInFlightBatches: 1, handleBatch });
    await this.followBreakers();
    gatewayMetrics().countInFlight(() => this.pending.size);
    this.state = 'started';
  }

  /** Hands each reply to its call; a batch's, recorded in its batch, is committed only once it is there. */
  private async takeReplies(messages: IncomingMessage[]): Promise<void> {
    const recording: Promise<void>[] = [];
    for (const message of messages) {
      let reply: ReplyEvent;
      try {
        reply = parseReplyEvent(message.value);
      } catch (error) {
        this.options.logger.warn('ignoring a malformed reply', { reason: (error as Error).message });
        continue;
      }
      const batchId = reply.origin?.batch_id;
      const call = this.pending.get(reply.request_id);
      if (batchId && this.options.recordBatchReply) {
        // The runner's call is answered once the answer is in the batch, and told so: it need not write it again.
        recording.push(this.recordBatchReply(this.options.recordBatchReply, reply, batchId).then((recorded) => call?.onReply(reply, recorded)));
      } else if (call) call.onReply(reply);
      // A batch's request has no caller connection to lose: its answer is recorded from its reply.
      else if (reply.origin && !batchId) this.reportUnclaimed(reply.request_id, reply.origin);
    }
    // The batch's answers are in its store before their replies are committed (see batchReplyRecorder).
    await Promise.all(recording);
  }

  /** Reads every breaker transition, from the beginning of the compacted topic: the last of each target is its state. */
  private async followBreakers(): Promise<void> {
    await this.options.bus.ensureTopics([BREAKERS_TOPIC], BREAKERS_TOPIC_PARTITIONS, { compacted: true });
    await this.options.bus.subscribe({
      topic: BREAKERS_TOPIC,
      // A group of its own at every start, so that it reads the topic from its beginning.
      group: `switchyard-ingress-breakers-${this.instanceId}-${randomUUID().slice(0, 8)}`,
      handleBatch: async (messages) => {
        for (const message of messages) {
          try {
            this.breakers.apply(parseBreakerEvent(message.value));
          } catch (error) {
            this.options.logger.warn('ignoring a malformed breaker transition', { reason: (error as Error).message });
          }
        }
      },
    });
  }

  /**
   * A final reply no call here waits for or lately ended: its caller's front door died with the call
   * (this instance took over its reply topic after a restart). Recorded as undelivered: the row says
   * `cancelled`, not the pipeline's `ok`.
   */
  private reportUnclaimed(requestId: string, origin: ReplyOrigin): void {
    if (this.settled.has(requestId)) return;
    this.settled.add(requestId);
    const outcome: CallerOutcomeEvent = {
      type: 'caller_outcome',
      request_id: requestId,
      ts: usageTimestamp(origin.received_at),
      api_key_id: origin.api_key_id,
      ...keyNameAndTeam(origin),
      kind: origin.kind,
      stream: origin.stream,
      model: origin.model,
      status: 'cancelled',
      error_code: 'cancelled',
    };
    this.options.bus
      .publish(TOPICS.usage, [{ key: requestId, value: outcome }])
      .catch((error) => this.options.logger.warn('could not report an unclaimed reply; its usage row keeps the pipeline\'s status', { request_id: requestId, error: (error as Error).message }));
  }

  /**
   * Never rejects, and waits at most BATCH_RECORD_WAIT_MS: a store that fails or does not answer leaves
   * the answer to the batch runner (false), and holds up the batch replies after it no longer.
   */
  private recordBatchReply(record: NonNullable<GatewayCoreOptions['recordBatchReply']>, reply: ReplyEvent, batchId: string): Promise<boolean> {
    const notRecorded = (why: string) => {
      this.options.logger.warn('could not record a batch request\'s answer from its reply; the batch runner records it', { request_id: reply.request_id, error: why });
      return false;
    };
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(notRecorded(`the batch store did not answer within ${BATCH_RECORD_WAIT_MS} ms`)), BATCH_RECORD_WAIT_MS);
    });
    const recorded = record(reply, batchId).catch((error) => notRecorded((error as Error).message));
    return Promise.race([recorded, waited]).finally(() => clearTimeout(timer));
  }

  /** Fails every call still waiting (on shutdown) and removes the reply topics. */
  async stop(): Promise<void> {
    this.state = 'stopping';
    for (const call of this.pending.values()) call.fail(new GatewayError('bus_unavailable', 'the gateway is shutting down'));
    this.pending.clear();
    this.settled.discard();
    await this.options.bus.deleteTopics([this.replyTopic, this.batchReplyTopic]);
  }

  /** The served models the caller's key may use. */
  listModels(options: CallOptions = {}): ModelInfo[] {
    const caller = this.authenticate(options.credential);
    const models = this.servedModels();
    return caller.allows ? models.filter((model) => caller.allows!(model.id)) : models;
  }

  /** One served model; model_not_found (404) for an id the gateway does not serve. */
  getModel(id: string, options: CallOptions = {}): ModelInfo {
    const caller = this.authenticate(options.credential);
    const model = this.servedModels().find((served) => served.id === id);
    if (!model) throw new GatewayError('model_not_found', `model ${JSON.stringify(id)} is not served by this gateway; GET /v1/models lists the models it serves`);
    checkModelAllowed(caller, id);
    return model;
  }

  /** The enabled models, for the gateway's own use (its start-up banner); callers use listModels. */
  servedModels(): ModelInfo[] {
    return [...this.settings.catalog.values()]
      .filter((entry) => entry.enabled)
      .map(({ id, provider, upstream_model, capabilities, route_targets }) => ({
        id,
        provider,
        upstream_model,
        capabilities,
        targets: route_targets.map((target) => this.breakers.status(target, Date.now())),
      }));
  }

  async chat(request: ChatRequest, options: CallOptions = {}): Promise<ChatResponse> {
    const caller = options.batch?.caller ?? this.authenticate(options.credential);
    validateChatRequest(request);
    const cacheControl = parseCacheControl(options.cacheControl);
    checkModelAllowed(caller, request.model);
    const reply = await this.exchange('chat', { chat: request, ...(cacheControl ? { cache_control: cacheControl } : {}) }, false, caller, options, () => undefined);
    if (reply.type !== 'chat') throw new GatewayError('internal', `expected a chat reply, got ${reply.type}`);
    return reply.response;
  }

  /** Streams chunks to `onChunk` as they arrive; resolves after the last chunk (which carries usage). */
  async chatStream(request: ChatRequest, onChunk: (chunk: ChatChunk) => void, options: CallOptions = {}): Promise<void> {
    const caller = options.batch?.caller ?? this.authenticate(options.credential);
    validateChatRequest(request);
    const cacheControl = parseCacheControl(options.cacheControl);
    checkModelAllowed(caller, request.model);
    await this.exchange('chat', { chat: request, ...(cacheControl ? { cache_control: cacheControl } : {}) }, true, caller, options, onChunk);
  }

  async embed(request: EmbedRequest, options: CallOptions = {}): Promise<EmbedResponse> {
    const caller = options.batch?.caller ?? this.authenticate(options.credential);
    validateEmbedRequest(request);
    checkModelAllowed(caller, request.model);
    const reply = await this.exchange('embed', { embed: request }, false, caller, options, () => undefined);
    if (reply.type !== 'embed') throw new GatewayError('internal', `expected an embed reply, got ${reply.type}`);
    return reply.response;
  }

  async moderate(request: ModerationRequest, options: CallOptions = {}): Promise<ModerationResponse> {
    const caller = this.authenticate(options.credential);
    validateModerationRequest(request);
    checkModelAllowed(caller, request.model);
    const reply = await this.exchange('moderation', { moderation: request }, false, caller, options, () => undefined);
    if (reply.type !== 'moderation') throw new GatewayError('internal', `expected a moderation reply, got ${reply.type}`);
    return reply.response;
  }

  async rerank(request: RerankRequest, options: CallOptions = {}): Promise<RerankResponse> {
    const caller = this.authenticate(options.credential);
    validateRerankRequest(request);
    checkModelAllowed(caller, request.model);
    const reply = await this.exchange('rerank', { rerank: request }, false, caller, options, () => undefined);
    if (reply.type !== 'rerank') throw new GatewayError('internal', `expected a rerank reply, got ${reply.type}`);
    return reply.response;
  }

  async generateImage(request: ImageGenerationRequest, options: CallOptions = {}): Promise<ImageGenerationResponse> {
    const caller = this.authenticate(options.credential);
    validateImageGenerationRequest(request);
    checkModelAllowed(caller, request.model);
    const reply = await this.exchange('image_generation', { image_generation: request }, false, caller, options, () => undefined);
    if (reply.type !== 'image_generation') throw new GatewayError('internal', `expected an image_generation reply, got ${reply.type}`);
    return reply.response;
  }

  async transcribe(request: TranscriptionRequest, options: CallOptions = {}): Promise<TranscriptionResponse> {
    const caller = this.authenticate(options.credential);
    validateTranscriptionRequest(request);
    checkModelAllowed(caller, request.model);
    const reply = await this.exchange('transcription', { transcription: request }, false, caller, options, () => undefined);
    if (reply.type !== 'transcription') throw new GatewayError('internal', `expected a transcription reply, got ${reply.type}`);
    return reply.response;
  }

  /**
   * Runs an Analyze call's tasks in parallel, each an ordinary chat request through the pipeline: routed,
   * guarded and metered on its own, its usage row carrying the call's id as analyze_id. Resolves with
   * every task's result, in task order, a failed task's included; the deadline is the whole call's.
   * `onResult`, for the streaming front doors, is told each result as its task finishes: from then on the
   * result counts as delivered, and the caller going away no longer marks its row.
   */
  async analyze(request: AnalyzeRequest, options: CallOptions = {}, onResult?: (result: AnalyzeTaskResult) => void): Promise<AnalyzeResponse> {
    const caller = this.authenticate(options.credential);
    validateAnalyzeRequest(request);
    const cacheControl = parseCacheControl(options.cacheControl);
    const startedAt = performance.now();
    const analyzeId = randomUUID();
    const { catalog, defaultTimeoutMs, analyzeModels } = this.settings;
    const deadline = options.deadline ?? Date.now() + defaultTimeoutMs;
    // A Cancellation holds one listener, its call's: the caller going away cancels each task's own.
    const cancellations = request.tasks.map(() => new Cancellation());
    options.cancellation?.listen((code) => cancellations.forEach((cancellation) => cancellation.cancel(code)));
    const results = await Promise.all(
      request.tasks.map(async (task, index): Promise<AnalyzeTaskResult> => {
        const model = taskModel(task, analyzeModels);
        const requestId = randomUUID();
        const taskOptions: CallOptions = { deadline, cancellation: cancellations[index] };
        const taskStartedAt = performance.now();
        const latencyMs = () => Math.round(performance.now() - taskStartedAt);
        let result: AnalyzeTaskResult;
        try {
          checkModelAllowed(caller, model);
          const chat = taskChatRequest(request, task, model, catalog.get(model)?.capabilities.vision ?? false);
          const body = { chat, analyze_id: analyzeId, ...(cacheControl ? { cache_control: cacheControl } : {}) };
          const reply = await this.exchange('chat', body, false, caller, taskOptions, () => undefined, requestId);
          if (reply.type !== 'chat') throw new GatewayError('internal', `expected a chat reply, got ${reply.type}`);
          result = answeredTaskResult(index, task, model, reply.response, latencyMs());
        } catch (error) {
          result = failedTaskResult(index, task, model, requestId, error, latencyMs());
        }
        // The latest standing against the caller's limits is the one the answer reports.
        if (taskOptions.rateLimit) options.rateLimit = taskOptions.rateLimit;
        if (onResult) {
          onResult(result);
          cancellations[index].listen(undefined);
        }
        return result;
      }),
    );
    return analyzeResponse(analyzeId, results, Math.round(performance.now() - startedAt));
  }

  /**
   * The caller a credential stands for; `unauthenticated` unless no keys are configured or it is one of
   * them (a virtual key, or one of the environment's). Every call checks it; a front door may also check
   * early (before reading a large body).
   */
  authenticate(credential: string | undefined): Caller {
    if (this.settings.keyDigests.length === 0 && !this.options.keys) return { api_key_id: this.apiKeyIdOf(credential) };
    if (!credential) {
      throw new GatewayError('unauthenticated', 'this gateway requires a key: send it as a bearer token (Authorization header or gRPC metadata) or in x-api-key');
    }
    if (this.options.keys && credential.startsWith(SECRET_PREFIX)) {
      const found = this.options.keys.lookup(credential);
      if (found && 'refused' in found) throw new GatewayError('unauthenticated', found.refused);
      if (found) return found.caller;
    }
    if (!matchesAny(sha256(credential), this.settings.keyDigests)) throw new GatewayError('unauthenticated', 'the gateway key is not valid');
    return { api_key_id: this.apiKeyIdOf(credential) };
  }

  /**
   * The caller a batch's requests run as: its owner's virtual key as it stands now (its limits, its
   * models; `unauthenticated` once revoked or expired), or, for another key, the owner as recorded.
   */
  batchCaller(owner: Pick<Caller, 'api_key_id' | 'key_name' | 'team'>): Caller {
    const found = this.options.keys?.callerById(owner.api_key_id);
    if (found && 'refused' in found) throw new GatewayError('unauthenticated', found.refused);
    if (found) return found.caller;
    return { api_key_id: owner.api_key_id, ...keyNameAndTeam(owner) };
  }

  /**
   * The admin API's check: its key alone passes. No key is `unauthenticated` (401); a gateway key,
   * virtual or not, is `permission_denied` (403), as is any key when no admin key is set.
   */
  authorizeAdmin(credential: string | undefined): void {
    if (!credential) throw new GatewayError('unauthenticated', 'the admin API requires the admin key (SWITCHYARD_ADMIN_KEY) as a bearer token');
    if (this.adminDigest && matchesAny(sha256(credential), [this.adminDigest])) return;
    if (!this.adminDigest) throw new GatewayError('permission_denied', 'the admin API is off: this gateway has no admin key (set SWITCHYARD_ADMIN_KEY)');
    try {
      this.authenticate(credential);
    } catch {
      throw new GatewayError('unauthenticated', 'the admin key is not valid');
    }
    throw new GatewayError('permission_denied', 'the admin API takes the admin key (SWITCHYARD_ADMIN_KEY), not a gateway key');
  }

  private exchange(
    kind: RequestEvent['kind'],
    body: Pick<RequestEvent, 'chat' | 'embed' | 'moderation' | 'rerank' | 'image_generation' | 'transcription' | 'cache_control' | 'analyze_id'>,
    stream: boolean,
    caller: Caller,
    options: CallOptions,
    onChunk: (chunk: ChatChunk) => void,
    requestId: string = options.batch?.request_id ?? randomUUID(),
  ): Promise<ReplyEvent> {
    const now = Date.now();
    const startedAt = performance.now();
    const { defaultTimeoutMs, configVersion } = this.settings;
    const deadline = options.deadline ?? now + defaultTimeoutMs;
    const event: RequestEvent = {
      request_id: requestId,
      kind,
      stream,
      reply_to: options.batch ? this.batchReplyTopic : this.replyTopic,
      received_at: now,
      deadline_at: deadline,
      api_key_id: caller.api_key_id,
      ...(configVersion === undefined ? {} : { config_version: configVersion }),
      ...body,
    };
    if (caller.key_name) event.key_name = caller.key_name;
    if (caller.team) event.team = caller.team;
    if (caller.limits) event.limits = caller.limits;
    if (options.batch) event.batch_id = options.batch.batch_id;
    this.options.signer?.signRequest(event);
    const span = tracer().startSpan(`ingress ${kind}${stream ? ' stream' : ''}`, {
      attributes: { 'switchyard.request_id': requestId, 'gen_ai.operation.name': GEN_AI_OPERATIONS[kind], 'gen_ai.request.model': requestedModel(body) },
    });
    return new Promise<ReplyEvent>((resolve, reject) => {
      let settled = false;
      // Resolves to whether the request entered the pipeline; null until it is published.
      let entered: Promise<boolean> | null = null;
      let outcomeReported = false;
      // What the caller got, when the ingress decided it: the pipeline may yet report the request as
      // answered (its answer came too late, or never reached the caller), so analytics is told, and
      // the request's row takes this status with metering's tokens and cost.
      const reportOutcome = (code: CallerOutcomeCode) => {
        if (outcomeReported || !entered) return;
        outcomeReported = true;
        const outcome = callerOutcomeOf(event, code);
        entered
          .then((published) => (published ? this.options.bus.publish(TOPICS.usage, [{ key: requestId, value: outcome }]) : undefined))
          .catch((error) => this.options.logger.warn('could not report a caller outcome; its usage row keeps the pipeline\'s status', { request_id: requestId, code, error: (error as Error).message }));
      };
      const finish = (error?: GatewayError, reply?: ReplyEvent) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.pending.delete(requestId);
        this.settled.add(requestId);
        if (reply?.provider_latency_ms !== undefined) options.pipelineMs = Math.max(0, performance.now() - startedAt - reply.provider_latency_ms);
        // From here on, the caller going away means the front door could not deliver the answer.
        options.cancellation?.listen(reportOutcome);
        recordAnswer(event, (performance.now() - startedAt) / 1000, span, error, reply);
        if (error) reject(error);
        else resolve(reply!);
      };
      // The provider call whose chunks the caller is getting; another one's are the request redelivered.
      let streamId: string | undefined;
      let nextSeq = 0;
      /** A second stream for a caller already part-answered: the first's provider-worker died. The answer cannot be joined, so the call fails. */
      const endInterrupted = () => {
        const cancel: CancelEvent = { request_id: requestId, reason: 'client_cancelled' };
        this.options.bus.publish(TOPICS.cancellations, [{ key: requestId, value: cancel }]).catch(() => undefined);
        reportOutcome('provider_unavailable');
        finish(new GatewayError('provider_unavailable', 'the stream broke off: the provider-worker serving it stopped after part of the answer was sent; send the request again'));
      };
      /** Ends the call here, without the pipeline's answer, and stops the pipeline's work on it. */
      const end = (code: CallerOutcomeCode) => {
        const cancel: CancelEvent = { request_id: requestId, reason: code === 'cancelled' ? 'client_cancelled' : 'deadline_exceeded' };
        this.options.bus.publish(TOPICS.cancellations, [{ key: requestId, value: cancel }]).catch(() => undefined);
        reportOutcome(code);
        finish(
          code === 'cancelled'
            ? new GatewayError('cancelled', 'the caller cancelled the request')
            : new GatewayError('deadline_exceeded', `no answer within the deadline (${deadline - now} ms)`),
        );
      };
      const timer = setTimeout(() => end('deadline_exceeded'), Math.max(0, deadline - now));
      if (options.cancellation?.cancelled) return end('cancelled');
      options.cancellation?.listen(end);

      let cacheTold = false;
      this.pending.set(requestId, {
        onReply: (reply, answerRecorded) => {
          if (answerRecorded) options.answerRecorded = true;
          if (reply.rate_limit) options.rateLimit = reply.rate_limit;
          if (reply.cache && !cacheTold) {
            cacheTold = true;
            options.onCache?.(reply.cache);
          }
          if (reply.type === 'error') return finish(GatewayError.fromBody(reply.error));
          if (reply.type === 'chunk') {
            // Metering's last chunk (usage, finish reason) carries no stream_id: it ends whichever stream ran.
            if (reply.stream_id !== undefined) {
              streamId ??= reply.stream_id;
              if (reply.stream_id !== streamId) return endInterrupted();
              if (reply.seq !== undefined) {
                if (reply.seq < nextSeq) return;
                nextSeq = reply.seq + 1;
              }
            }
            onChunk(reply.chunk);
            if (reply.chunk.finish_reason) finish(undefined, reply);
            return;
          }
          finish(undefined, reply);
        },
        fail: (error) => finish(error),
      });
      // The span reaches the stages through the headers; nothing here starts spans of its own.
      // A limited caller's requests are keyed by the owner of its limits, so one router instance holds its counters;
      // a batch's go to a topic of their own, so that interactive requests never wait behind them.
      entered = this.options.bus.publish(options.batch ? TOPICS.batchRequests : TOPICS.requests, [{ key: caller.limits?.owner ?? requestId, value: event, headers: headersForSpan(span) }]).then(
        () => true,
        (error) => {
          if (error instanceof MessageTooLargeError) {
            finish(
              new GatewayError(
                'request_too_large',
                `the request is ${error.bytes} bytes as an event; the pipeline's Kafka carries at most ${error.limitBytes} (its message.max.bytes, and KAFKA_MAX_MESSAGE_BYTES for the services)`,
              ),
            );
          } else {
            this.options.logger.error('could not publish a request', { error: (error as Error).message });
            finish(new GatewayError('bus_unavailable', `the pipeline is unavailable: ${(error as Error).message}`));
          }
          return false;
        },
      );
    });
  }
}

/** The caller's outcome of a request, for its usage row: keyed and timed as metering's UsageEvent is. */
function callerOutcomeOf(request: RequestEvent, code: CallerOutcomeCode): CallerOutcomeEvent {
  return {
    type: 'caller_outcome',
    request_id: request.request_id,
    ts: usageTimestamp(request.received_at),
    api_key_id: request.api_key_id,
    ...keyNameAndTeam(request),
    kind: request.kind,
    stream: request.stream,
    model: requestedModel(request),
    status: code === 'cancelled' ? 'cancelled' : 'error',
    error_code: code,
  };
}

function keyNameAndTeam(source: { key_name?: string; team?: string }): { key_name?: string; team?: string } {
  return { ...(source.key_name ? { key_name: source.key_name } : {}), ...(source.team ? { team: source.team } : {}) };
}

/** model_not_allowed unless the caller's key may use the model. */
function checkModelAllowed(caller: Caller, model: string): void {
  if (caller.allows && !caller.allows(model)) {
    throw new GatewayError('model_not_allowed', `the virtual key ${caller.api_key_id} (${caller.key_name}) may not use model ${JSON.stringify(model)}; GET /v1/models lists the models it may use`);
  }
}

/** Every digest is compared, with no early exit, so the time taken does not tell whether or which one matched. */
function matchesAny(presented: Buffer, digests: Buffer[]): boolean {
  let matched = false;
  for (const digest of digests) matched = timingSafeEqual(presented, digest) || matched;
  return matched;
}

/** Counts a call's answer, as its caller got it, and ends its span with the answer's GenAI attributes. */
function recordAnswer(request: RequestEvent, seconds: number, span: Span, error: GatewayError | undefined, reply: ReplyEvent | undefined): void {
  const answer = reply?.type === 'chunk' ? reply.chunk : reply?.type === 'error' || reply === undefined ? undefined : reply.response;
  const status = !error ? 'ok' : error.code === 'cancelled' ? 'cancelled' : 'error';
  gatewayMetrics().requestAnswered(requestedModel(request), answer?.provider, status, error?.code, request.api_key_id, seconds);
  if (span.isRecording()) {
    const finishReason = reply?.type === 'chunk' ? reply.chunk.finish_reason : reply?.type === 'chat' ? reply.response.choices[0]?.finish_reason : undefined;
    setGenAiOutcome(span, {
      provider: answer?.provider,
      responseModel: answer?.model,
      inputTokens: answer?.usage?.prompt_tokens,
      outputTokens: answer?.usage?.completion_tokens,
      finishReasons: finishReason ? [finishReason] : undefined,
      errorType: error?.code,
      errorMessage: error?.message,
    });
    if (error) span.setAttribute('switchyard.error_code', error.code);
  }
  span.end();
}

/**
 * The accepted gateway keys: the comma-separated values of the environment variable(s) that `auth`
 * names, or none when `auth` is absent. A configured but empty variable is an error, so that a typo
 * never leaves the gateway open.
 */
export function gatewayKeysFrom(auth: AuthConfig | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  if (!auth) return [];
  const names = Array.isArray(auth.api_keys_env) ? auth.api_keys_env : [auth.api_keys_env];
  const keys: string[] = [];
  for (const name of names) {
    const found = (env[name] ?? '').split(',').map((key) => key.trim()).filter(Boolean);
    if (found.length === 0) throw new Error(`auth.api_keys_env names ${name}, but ${name} holds no keys; set it to comma-separated gateway keys`);
    keys.push(...found);
  }
  return keys;
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

// A gateway serves few keys and hashes one per request (~1% of the embedded gateway's CPU): the ids of
// the keys seen are kept, up to a bound, so a caller cycling through made-up keys cannot grow it.
const API_KEY_IDS_KEPT = 1024;

/**
 * Names credentials for analytics without storing them: api_key_id is the start of an HMAC-SHA-256 of
 * the key under `secret`, so a row cannot confirm a guessed key without the server's secret.
 */
export function apiKeyIdsUnder(secret: string): (credential: string | undefined) => string {
  const ids = new Map<string, string>();
  return (credential) => {
    if (!credential) return 'anonymous';
    let id = ids.get(credential);
    if (id === undefined) {
      id = 'key_' + createHmac('sha256', secret).update(credential).digest('hex').slice(0, 16);
      if (ids.size >= API_KEY_IDS_KEPT) ids.clear();
      ids.set(credential, id);
    }
    return id;
  };
}

/** An ingress's settings from one configuration version: its catalog, keys and default timeout. */
export function ingressSettingsOf(config: GatewayConfig, configVersion: string, env: NodeJS.ProcessEnv = process.env): IngressSettings {
  return {
    catalog: buildModelCatalog(config, env),
    defaultTimeoutMs: config.limits.default_timeout_ms,
    apiKeys: gatewayKeysFrom(config.auth, env),
    configVersion,
    analyzeModels: analyzeModelsOf(config),
  };
}

function settingsOf({ catalog, defaultTimeoutMs, apiKeys, configVersion, analyzeModels = DEFAULT_ANALYZE_MODELS }: IngressSettings): GatewayCore['settings'] {
  return { catalog, defaultTimeoutMs, configVersion, keyDigests: (apiKeys ?? []).map(sha256), analyzeModels };
}
