// The provider-worker: calls the provider a request was routed to. Streamed pieces go straight to the
// ingress instance holding the call, as the provider sends them; the outcome goes to metering.
import { randomUUID } from 'node:crypto';
import { planCache, replayedChunks, type CachedAnswer, type CachedChunk, type CachePlan, type ResponseCache } from '@switchyard/cache';
import { providerCallsSchema, type CacheConfig, type CachePolicies, type ProviderCallLimits } from '@switchyard/config';
import { GuardrailBlocked, classifierRequest, classifierScore, modelCheckVerdict, type ModelCheck, type OutputGuard } from '@switchyard/guardrail-rules';
import { countRequestUsage, countTexts, countUsage, priceKey, type PriceTable } from '@switchyard/pricing';
import {
  CLOSED_BREAKER,
  DEFAULT_BREAKER,
  RETRYABLE_CODES,
  breakerApplied,
  breakerCalled,
  breakerFailed,
  breakerHealth,
  breakerReleased,
  breakerSucceeded,
  breakerTransition,
  plan,
  type Attempt,
  type BreakerSettings,
  type BreakerState,
  type RequestFacts,
  type RouteNode,
  type TargetHealth,
  type TargetNode,
  type TargetStats,
} from '@switchyard/routing';
import {
  BREAKERS_TOPIC,
  CONSUMER_GROUPS,
  GatewayError,
  TOPICS,
  parseBreakerEvent,
  parseCancelEvent,
  parseCompletionEvent,
  parseProviderCallEvent,
  parseRequestEvent,
  reportedUsage,
  requestedModel,
  requestMetadata,
  requestTexts,
  summarizeRequest,
  type BreakerEvent,
  type CacheEmbedCall,
  type CancelEvent,
  type ChatChunk,
  type ChatRequest,
  type ChatResult,
  type CompletionEvent,
  type FailedAttempt,
  type GuardrailFinding,
  type GuardrailModelCall,
  type ProviderCallEvent,
  type RefusedAnswer,
  type ReplyEvent,
  type RequestEvent,
  type Route,
  type Usage,
} from '@switchyard/contracts';
import { failedCompletion, type Stage, type StageContext, type StageOutput } from '@switchyard/pipeline';
import { StreamAccumulator, transportError, type ChatStreamEvent, type ProviderAdapter } from '@switchyard/providers';
import { gatewayMetrics } from '@switchyard/telemetry';
import { countRetriesAndFallbacks, providerCallEnded, startProviderCallSpan } from './observe';
import { RouteQueue } from './route-queue';

/** What a caller answered `overloaded` is told to wait: the line moves as calls finish, which cannot be foreseen. */
export const OVERLOADED_RETRY_AFTER_MS = 1000;

/** Waits, unless the signal aborts first: true when the wait ran its course. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', done);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Cancellations remembered for requests not yet seen, so that one which arrives after its caller left is not sent. */
const EARLY_CANCELLATIONS_KEPT = 10_000;

/**
 * How long past its deadline a request's outcome is remembered: a copy delivered again (by a rebalance,
 * or a stage before this one that restarted before committing) comes within seconds, and one held back
 * longer is past its deadline, which is not long past.
 */
export const OUTCOMES_KEPT_AFTER_DEADLINE_MS = 60_000;
/** How far back a starting worker reads the outcomes others produced: see ProviderWorker.outcomes. */
export const OUTCOMES_REPLAYED_MS = 10 * 60_000;

/** Request ids, each until a while past its deadline (OUTCOMES_KEPT_AFTER_DEADLINE_MS); swept as the set doubles. */
class Remembered {
  private readonly until = new Map<string, number>();
  private sweepAt = 1024;

  constructor(private readonly now: () => number) {}

  remember(requestId: string, deadlineAt: number): void {
    this.until.set(requestId, Math.max(deadlineAt, this.now()) + OUTCOMES_KEPT_AFTER_DEADLINE_MS);
    if (this.until.size < this.sweepAt) return;
    const at = this.now();
    for (const [each, until] of this.until) if (until <= at) this.until.delete(each);
    this.sweepAt = Math.max(1024, 2 * this.until.size);
  }

  has(requestId: string): boolean {
    const until = this.until.get(requestId);
    return until !== undefined && until > this.now();
  }
}

export interface RouteLoad extends Route {
  in_flight: number;
  queued: number;
}

export interface ProviderWorker {
  stage: Stage<RequestEvent>;
  /** Consumes cancellations; every worker instance must see all of them (a group of its own). */
  cancellations: Stage<CancelEvent>;
  /**
   * Consumes the completions every worker produced (a group of its own, from OUTCOMES_REPLAYED_MS ago):
   * a request delivered again after its outcome was produced elsewhere (an instance killed after the
   * call, before it committed) is not called again.
   */
  outcomes: Stage<CompletionEvent>;
  /**
   * Consumes the batch requests' provider calls every worker started (a group of its own, from
   * OUTCOMES_REPLAYED_MS ago): a batch request delivered again with no outcome, after an instance was
   * killed during its call, is not called again but fails, as the provider may have answered it.
   */
  providerCalls: Stage<ProviderCallEvent>;
  /** Provider calls in flight, over every route. */
  inFlight(): number;
  /** Calls in flight and requests waiting, for each route that has either. */
  load(): RouteLoad[];
  /**
   * Consumes the breaker transitions of every instance (its own it skips), so that each keeps a target
   * another found failing from its calls too; every instance must see all of them (a group of its own).
   */
  breakerTransitions: Stage<BreakerEvent>;
  /** Each target whose breaker is not closed, and its health now. */
  breakers(): { target: string; health: TargetHealth }[];
}

/** The breaker settings of every target, and of those the configuration names apart. */
export interface BreakerOptions extends BreakerSettings {
  targets?: Record<string, BreakerSettings>;
}

/**
 * What the worker calls, as one configuration version has it. A live worker serves each request with the
 * setup of the version the request started on, so a change never reaches a request under way.
 */
export interface WorkerSetup {
  providers: Map<string, ProviderAdapter>;
  routes: (model: string) => RouteNode | undefined;
  limits: ProviderCallLimits;
  prices: PriceTable;
  /** Output guardrails (libs/guardrail-rules) for a request's answer; none: the answer goes as the provider gave it. */
  output?: (request: RequestEvent) => OutputGuard | undefined;
  /** The team and key layers that changed a request's output guardrails from its model's, which the response cache keeps apart. */
  outputLayers?: (request: RequestEvent) => string | undefined;
  /** The input guardrails of type model of a request: classifier models called before its own call. */
  modelChecks?: (request: RequestEvent) => ModelCheck[];
  /** The response cache settings of a model, by the name callers use; none: its answers are not cached. */
  cache?: (model: string) => CacheConfig | undefined;
  /** How keys' and teams' policies narrow the models' caches; none: as the models say. */
  cachePolicies?: CachePolicies;
}

export interface ProviderWorkerOptions {
  /** The route tree of each model callers may name. */
  routes: (model: string) => RouteNode | undefined;
  limits?: ProviderCallLimits;
  /** A function: the settings of the configuration version now current, read at each call's outcome. */
  breaker?: BreakerOptions | (() => BreakerOptions);
  /** Names this instance in the breaker transitions it publishes; unique among the running instances. */
  instance?: string;
  /** For least_cost; a target the table does not price is tried last. */
  prices?: PriceTable;
  now?: () => number;
  random?: () => number;
  /** The output guardrails of a request (libs/guardrail-rules), applied to its answer before anything of it is sent. */
  output?: (request: RequestEvent) => OutputGuard | undefined;
  /** The input guardrails of type model of a request (libs/guardrail-rules). */
  modelChecks?: (request: RequestEvent) => ModelCheck[];
  /** The response cache settings of a model; with `responseCache`, its answers are cached. */
  cache?: (model: string) => CacheConfig | undefined;
  /** How keys' and teams' policies narrow the models' caches. */
  cachePolicies?: CachePolicies;
  /** Where cached answers are kept (libs/cache); without it, nothing is cached. */
  responseCache?: ResponseCache;
}

/**
 * The response cache's plan for a request (with the settings it was made from), and in semantic mode its
 * prompt's embedding and the call that made it (metered on the request's row).
 */
type RequestCache = CachePlan & { embedding?: number[]; embed?: CacheEmbedCall };

/** A moving average's weight of the newest latency. */
const LATENCY_WEIGHT = 0.2;

/** Failures after which the plan moves to its next target: another try or target may answer. */
const RETRYABLE = new Set<string>(RETRYABLE_CODES);

/** What one call to one target came to. */
interface CallResult {
  outputs?: StageOutput[];
  error?: GatewayError;
  latency_ms: number;
  /** A chunk reached the caller: nothing else may answer it now. */
  streamed: boolean;
  /** What the output guardrails found in the answer. */
  findings?: GuardrailFinding[];
  /** The chunks the caller got, in order, when the answer streamed and is to be cached. */
  chunks?: CachedChunk[];
  /** What the provider charged for an answer the output guardrails refused. */
  refused?: RefusedAnswer;
}

/**
 * Calls to one route (a provider and its model name) are limited, and requests beyond the limit wait in
 * a bounded line of their own, so a hanging model holds up no other; a provider's models are limited
 * apart because a provider is often slow or rate limited for one model and not the others. A request's
 * plan (libs/routing) says which targets to try in which order; each try goes through its target's line.
 */
export function createProviderWorker(providers: Map<string, ProviderAdapter>, options: ProviderWorkerOptions): ProviderWorker {
  const setup: WorkerSetup = { providers, routes: options.routes, limits: options.limits ?? providerCallsSchema.parse({}), prices: options.prices ?? {}, output: options.output, modelChecks: options.modelChecks, cache: options.cache, cachePolicies: options.cachePolicies };
  return createLiveProviderWorker(() => setup, options);
}

/**
 * A worker on a live configuration: `setupFor(request)` is the setup of the version the request started
 * on. Target health, latencies and the lines of waiting requests are the worker's own and outlive versions.
 */
export function createLiveProviderWorker(setupFor: (request: RequestEvent) => WorkerSetup, options: Pick<ProviderWorkerOptions, 'breaker' | 'instance' | 'now' | 'random' | 'responseCache'>): ProviderWorker {
  const { responseCache } = options;
  const given = options.breaker;
  const breakerSettings = typeof given === 'function' ? given : (): BreakerOptions => given ?? DEFAULT_BREAKER;
  const settingsOf = (key: string): BreakerSettings => {
    const settings = breakerSettings();
    return settings.targets?.[key] ?? settings;
  };
  const instance = options.instance ?? `provider-worker-${randomUUID().slice(0, 8)}`;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  // Every request from arrival until its outcome, waiting or in flight: a cancellation aborts it.
  const calls = new Map<string, AbortController>();
  const routes = new Map<string, { route: Route; queue: RouteQueue }>();
  const earlyCancellations = new Map<string, GatewayError>();
  // Requests being handled here, and requests whose outcome was produced (here or by another instance),
  // until when each is remembered: a copy delivered again is not called again. Batch requests whose
  // provider call was started, likewise: such a copy without an outcome fails instead of calling again.
  const handling = new Map<string, Promise<unknown>>();
  const produced = new Remembered(now);
  const called = new Remembered(now);
  // Each instance counts its own calls; the transitions they lead to are published to every instance.
  const breakers = new Map<string, BreakerState>();
  const latencies = new Map<string, number>();

  const statsIn = (prices: PriceTable) => (node: TargetNode): TargetStats => {
    const price = prices[priceKey(node.target.provider, node.target.upstream_model)];
    return {
      health: healthOf(node.key),
      open_until: breakers.get(node.key)?.open_until,
      in_flight: routes.get(node.key)?.queue.inFlight ?? 0,
      latency_ms: latencies.get(node.key),
      price,
    };
  };

  function healthOf(key: string): TargetHealth {
    const state = breakers.get(key);
    return state ? breakerHealth(state, now()) : 'closed';
  }

  function setBreaker(key: string, state: BreakerState): void {
    // A breaker that closed is kept: when it closed tells a late opening from elsewhere from a new one.
    if (state.since === 0 && state.failures === 0 && state.window.length === 0) breakers.delete(key);
    else breakers.set(key, state);
  }

  async function handle(request: RequestEvent, context: StageContext): Promise<StageOutput[]> {
    const id = request.request_id;
    if (produced.has(id)) return alreadyHandled(request, context, 'its outcome was produced');
    const running = handling.get(id);
    if (running) {
      // The outputs are the first delivery's; this copy is done when it is.
      await running.catch(() => undefined);
      return alreadyHandled(request, context, 'it was being handled');
    }
    if (called.has(id)) {
      context.logger.warn('a batch request whose provider call was started by a worker that stopped is not called again', { request_id: id });
      return [failedCompletion(request, new GatewayError('provider_unavailable', 'the provider-worker calling the provider for this request stopped before the answer was recorded; it is not sent again, as the provider may have answered it'), 'provider-worker')];
    }
    const outcome = handleOnce(request, context);
    handling.set(id, outcome);
    try {
      return await outcome;
    } finally {
      handling.delete(id);
      produced.remember(id, request.deadline_at);
    }
  }

  function alreadyHandled(request: RequestEvent, context: StageContext, why: string): StageOutput[] {
    context.logger.info(`a request delivered again is not called again: ${why}`, { request_id: request.request_id });
    return [];
  }

  async function handleOnce(request: RequestEvent, context: StageContext): Promise<StageOutput[]> {
    const model = requestedModel(request);
    const setup = setupFor(request);
    const tree = setup.routes(model);
    if (!tree) throw new GatewayError('model_not_found', `model ${JSON.stringify(model)} is not configured in this provider-worker`);
    const cancelled = earlyCancellations.get(request.request_id);
    if (cancelled) {
      earlyCancellations.delete(request.request_id);
      return [failedCompletion(request, cancelled, 'provider-worker')];
    }
    if (request.deadline_at <= now()) throw new GatewayError('deadline_exceeded', 'the deadline passed before the provider was called');
    const checks = setup.modelChecks?.(request) ?? [];
    if (checks.length === 0) return answer(request, setup, tree, context);
    const checked = await checkWithModels(setup, checks, request, context);
    // The classifiers' calls were made: whatever the outcome, its completion carries them to the row.
    const outputs = checked.refusal
      ? [failedCompletion(checked.request, checked.refusal, 'provider-worker')]
      : await answer(checked.request, setup, tree, context).catch((error: unknown) => {
          if (!(error instanceof GatewayError)) throw error;
          return [failedCompletion(checked.request, error, 'provider-worker')];
        });
    (outputs[0].value as CompletionEvent).guardrail_model_calls = checked.calls;
    return outputs;
  }

  /** The answer to a request its input checks let through: from the cache, or from its route's targets. */
  async function answer(request: RequestEvent, setup: WorkerSetup, tree: RouteNode, context: StageContext): Promise<StageOutput[]> {
    const model = requestedModel(request);
    const remaining = request.deadline_at - now();
    if (remaining <= 0) throw new GatewayError('deadline_exceeded', 'the deadline passed before the provider was called');
    const cacheConfig = responseCache && request.kind === 'chat' ? setup.cache?.(model) : undefined;
    const cache: RequestCache | undefined = cacheConfig && planCache(request, cacheConfig, setup.cachePolicies, setup.outputLayers?.(request));
    if (cache?.lookup) {
      const answer = await responseCache!.lookup(cache.key!);
      if (answer) {
        gatewayMetrics().responseCache('hit');
        return replay(request, answer, 'hit', context);
      }
    }
    if (cache?.semantic) {
      Object.assign(cache, await embedPrompt(setup, cache, request, context));
      const similar = cache.lookup && cache.embedding ? await responseCache!.lookupSimilar(cache.semantic.scope, cache.embedding, cache.config.threshold) : undefined;
      if (similar) {
        gatewayMetrics().responseCache('semantic_hit');
        return replay(request, similar.answer, 'semantic_hit', context, cache.embed);
      }
    }
    if (cache) gatewayMetrics().responseCache(cache.status);

    // One controller serves both the caller's cancellation and the deadline, waiting or in flight:
    // AbortSignal.any and AbortSignal.timeout cost several transferable signals and a tracked timer per call.
    const cancel = new AbortController();
    calls.set(request.request_id, cancel);
    const deadline = setTimeout(() => cancel.abort(new DOMException('the deadline passed', 'TimeoutError')), remaining);
    try {
      const attempts = tree.kind === 'target' ? [{ node: tree, on: NO_CODES }] : plan(tree, { facts: factsOf(request, tree), stats: statsIn(setup.prices), random, max_ejection_percent: breakerSettings().max_ejection_percent });
      return await execute(attempts, setup, request, cancel.signal, context, cache);
    } finally {
      clearTimeout(deadline);
      calls.delete(request.request_id);
    }
  }

  /**
   * Walks the plan: a retryable failure is tried again on its target as its retry policy allows, then
   * on the next target; any other failure is the answer. Nothing is tried again once a streamed chunk
   * has reached the caller.
   */
  async function execute(attempts: Attempt[], setup: WorkerSetup, request: RequestEvent, signal: AbortSignal, context: StageContext, cache: RequestCache | undefined): Promise<StageOutput[]> {
    let tries = 0;
    let failed: FailedAttempt[] | undefined;
    let last: { node: TargetNode; result: CallResult; listed: boolean } | undefined;
    const finish = (node: TargetNode, result: CallResult): StageOutput[] => {
      const route: Route = { provider: node.target.provider, upstream_model: node.target.upstream_model, path: node.path };
      const outputs = result.outputs ?? [failedCompletion(request, result.error!, 'provider-worker', result.latency_ms)];
      const completion = outputs[0].value as CompletionEvent;
      completion.request.route = route;
      if (result.findings?.length) completion.request.guardrail = [...(request.guardrail ?? []), ...result.findings];
      completion.attempts = tries;
      if (failed) completion.failed_attempts = failed;
      if (cache) completion.cache = cache.status;
      if (cache?.embed) completion.cache_embed = cache.embed;
      if (result.refused) completion.refused_answer = result.refused;
      countRetriesAndFallbacks(request, failed, node.key);
      return outputs;
    };
    plan: for (let index = 0; index < attempts.length; index++) {
      const attempt = attempts[index];
      const { node } = attempt;
      const provider = setup.providers.get(node.target.provider);
      if (!provider) {
        const error = new GatewayError('model_not_found', `provider ${node.target.provider} is not enabled in this provider-worker`);
        last = { node, result: { error, latency_ms: 0, streamed: false }, listed: false };
        continue;
      }
      for (let tryOfTarget = 1; ; tryOfTarget++) {
        // Its breaker may have opened, or its one probe gone out, since the plan was made.
        if (healthOf(node.key) === 'open' && attempts.some((later, at) => at > index && healthOf(later.node.key) !== 'open')) continue plan;
        tries++;
        const result = await callThroughQueue(provider, node, setup.limits, request, signal, context, cache);
        last = { node, result, listed: false };
        if (!result.error) {
          const outputs = finish(node, result);
          if (cache?.store) await remember(cache, outputs[0].value as CompletionEvent, result);
          return outputs;
        }
        const { code } = result.error;
        if (signal.aborted || result.streamed) return finish(node, result);
        if (!RETRYABLE.has(code) && code !== 'overloaded' && !attempt.on.includes(code)) return finish(node, result);
        (failed ??= []).push({ target: node.key, code, latency_ms: result.latency_ms });
        last.listed = true;
        // Our own line being full says nothing a moment's wait would change: the next target, at once.
        if (code === 'overloaded' || !RETRYABLE.has(code) || tryOfTarget >= node.retry.attempts) continue plan;
        const wait = result.error.retryAfterMs ?? backoff(node, tryOfTarget);
        // A wait the caller's deadline cannot hold: the next target, at once.
        if (now() + wait >= request.deadline_at) continue plan;
        if (!(await sleep(wait, signal))) return finish(node, { ...result, error: leftTheLine(signal, node.target) });
      }
    }
    // Every target failed: the last failure is the answer, with every try that led to it.
    if (last!.listed) failed!.pop();
    if (failed?.length === 0) failed = undefined;
    return finish(last!.node, last!.result);
  }

  /** Stores a provider's whole answer; a failure to store is the cache's to log, never the caller's. */
  async function remember(cache: RequestCache, completion: CompletionEvent, { chunks, findings }: CallResult): Promise<void> {
    const chat = completion.chat;
    if (completion.status !== 'ok' || !chat || chat.choices.some((choice) => choice.finish_reason === 'error')) return;
    const answer: CachedAnswer = { route: completion.request.route!, chat, ...(chunks ? { chunks } : {}), ...(findings?.length ? { findings } : {}) };
    const semantic = cache.semantic && cache.embedding ? { scope: cache.semantic.scope, embedding: cache.embedding } : undefined;
    await responseCache!.save(cache.key!, completion.request.model, answer, cache.config, semantic);
  }

  /** A model's first target, as its route would try it now, and its adapter in this worker. */
  function firstTarget(setup: WorkerSetup, model: string): { node?: TargetNode; provider?: ProviderAdapter } {
    const tree = setup.routes(model);
    const node = tree && (tree.kind === 'target' ? tree : plan(tree, { facts: NO_FACTS, stats: statsIn(setup.prices), random, max_ejection_percent: 100 })[0]?.node);
    return { node, provider: node && setup.providers.get(node.target.provider) };
  }

  /**
   * The request's input guardrails of type model, in order: each classifier model (its route's first
   * target, within the request's deadline) scores the prompt; a flag is recorded on the request, a block
   * refuses it. A classifier that cannot answer refuses the request with its error (the check fails
   * closed). Every call made is returned, to be metered with the request whatever its outcome.
   */
  async function checkWithModels(setup: WorkerSetup, checks: ModelCheck[], request: RequestEvent, context: StageContext): Promise<{ request: RequestEvent; calls: GuardrailModelCall[]; refusal?: GatewayError }> {
    const calls: GuardrailModelCall[] = [];
    let checked = request;
    for (const check of checks) {
      const { node, provider } = firstTarget(setup, check.route);
      const signal = AbortSignal.timeout(Math.max(1, request.deadline_at - now()));
      try {
        if (!node || !provider?.chat) throw new GatewayError('model_not_found', `its classifier ${check.route} has no target that offers chat in this provider-worker`);
        const asked = classifierRequest(check, checked, node.target.upstream_model);
        const answered = await provider.chat(asked, { signal });
        calls.push({ rule: check.name, route: { provider: node.target.provider, upstream_model: node.target.upstream_model, path: node.path }, ...usageOf(asked, answered) });
        const finding = modelCheckVerdict(check, classifierScore(check, answered));
        if (finding) checked = { ...checked, guardrail: [...(checked.guardrail ?? []), finding] };
      } catch (error) {
        if (error instanceof GuardrailBlocked) return { request: { ...checked, guardrail: [...(checked.guardrail ?? []), error.finding] }, calls, refusal: error };
        const failure = transportError({ provider: check.route, signal }, error);
        context.logger.warn('a guardrail classifier could not check a request; the request is refused', { rule: check.name, model: check.route, error: failure.message });
        return { request: checked, calls, refusal: new GatewayError(failure.code, `guardrail rule ${check.name} could not check the request: ${failure.message}`) };
      }
    }
    return { request: checked, calls };
  }

  /**
   * Semantic mode: the embedding of the request's prompt, by the cache's embed_model (its route's first
   * target, within the request's deadline), and the call that made it, to be metered with the request. A
   * failure is a miss, never the caller's: logged, and the answer is neither looked up nor stored by its prompt.
   */
  async function embedPrompt(setup: WorkerSetup, cache: RequestCache, request: RequestEvent, context: StageContext): Promise<{ embedding?: number[]; embed?: CacheEmbedCall }> {
    const embedModel = cache.config.embed_model!;
    const { node, provider } = firstTarget(setup, embedModel);
    try {
      if (!node || !provider?.embed) throw new Error(`embed_model ${embedModel} has no target that offers embeddings in this provider-worker`);
      const input = [cache.semantic!.prompt];
      const result = await provider.embed({ model: node.target.upstream_model, input }, { signal: AbortSignal.timeout(Math.max(1, request.deadline_at - now())) });
      const counted = result.usage ? undefined : countTexts(input);
      const usage = result.usage ?? { prompt_tokens: counted!, completion_tokens: 0, total_tokens: counted! };
      const embed: CacheEmbedCall = { route: { provider: node.target.provider, upstream_model: node.target.upstream_model, path: node.path }, usage, tokens_estimated: counted !== undefined };
      return { embedding: result.data[0]?.embedding, embed };
    } catch (error) {
      context.logger.warn('could not embed a prompt for the semantic cache; the request is looked up and stored by its exact key only', { model: embedModel, error: (error as Error).message });
      return {};
    }
  }

  /**
   * Answers from the cache, as the provider's answer would have been sent: a streaming caller gets the
   * stored chunks in order (metering sends the last, with usage), then metering gets a completion that
   * reached no provider (attempts 0), priced as saved rather than spent.
   */
  async function replay(request: RequestEvent, answer: CachedAnswer, status: 'hit' | 'semantic_hit', context: StageContext, embed?: CacheEmbedCall): Promise<StageOutput[]> {
    const requestId = request.request_id;
    if (request.stream) {
      const streamId = randomUUID();
      await Promise.all(
        replayedChunks(answer).map(({ index, delta }, seq) => {
          const chunk: ChatChunk = { id: requestId, model: request.chat!.model, provider: answer.route.provider, index, delta };
          const reply: ReplyEvent = { request_id: requestId, type: 'chunk', chunk, stream_id: streamId, seq, ...(seq === 0 ? { cache: status } : {}) };
          return context.emit({ topic: request.reply_to, key: requestId, value: reply });
        }),
      );
    }
    const summary = summarizeRequest(request);
    summary.route = answer.route;
    if (answer.findings) summary.guardrail = [...(request.guardrail ?? []), ...answer.findings];
    const completion: CompletionEvent = { request: summary, status: 'ok', chat: answer.chat, provider_latency_ms: 0, attempts: 0, stage: 'provider-worker', cache: status, ...(embed ? { cache_embed: embed } : {}) };
    countIfUnreported(completion, request);
    return [{ topic: TOPICS.completions, key: requestId, value: completion }];
  }

  /** Full jitter: anywhere from 0 to the doubled backoff, so that callers retrying together spread out. */
  function backoff(node: TargetNode, tryOfTarget: number): number {
    const ceiling = Math.min(node.retry.max_backoff_ms, node.retry.backoff_ms * 2 ** (tryOfTarget - 1));
    return Math.floor(random() * ceiling);
  }

  async function callThroughQueue(provider: ProviderAdapter, node: TargetNode, limits: ProviderCallLimits, request: RequestEvent, signal: AbortSignal, context: StageContext, cache: RequestCache | undefined): Promise<CallResult> {
    const key = node.key;
    let entry = routes.get(key);
    if (!entry) routes.set(key, (entry = { route: { provider: node.target.provider, upstream_model: node.target.upstream_model }, queue: new RouteQueue(limits) }));
    const { queue, route } = entry;
    try {
      if (!queue.tryEnter()) {
        if (queue.full) return { error: overloaded(route, queue), latency_ms: 0, streamed: false };
        if (!(await queue.wait(signal))) return { error: leftTheLine(signal, route), latency_ms: 0, streamed: false };
      }
      const before = breakers.get(key) ?? CLOSED_BREAKER;
      const probing = breakerCalled(before, now());
      // Others keep off the target while the probe is out, for as long as it may take.
      if (probing !== before) changeBreaker(key, before, probing, context, Math.min(request.deadline_at, node.timeout_ms === undefined ? Infinity : now() + node.timeout_ms));
      try {
        // A batch request's first call is known to every worker before it is made: nothing twice (docs/batch.md).
        if (request.batch_id && !called.has(request.request_id)) {
          const call: ProviderCallEvent = { request_id: request.request_id, deadline_at: request.deadline_at };
          await context.emit({ topic: TOPICS.providerCalls, key: request.request_id, value: call });
          called.remember(request.request_id, request.deadline_at);
        }
        const result = await callWithTimeout(provider, node, request, signal, context, cache);
        recordOutcome(key, result, signal, context);
        return result;
      } finally {
        queue.leave();
      }
    } finally {
      if (queue.idle) routes.delete(key);
    }
  }

  function recordOutcome(key: string, result: CallResult, signal: AbortSignal, context: StageContext): void {
    const state = breakers.get(key) ?? CLOSED_BREAKER;
    if (result.error && signal.aborted) {
      // The caller left or its deadline passed: that says nothing of the target.
      changeBreaker(key, state, breakerReleased(state), context);
      return;
    }
    if (result.error && RETRYABLE.has(result.error.code)) {
      const next = breakerFailed(state, now(), settingsOf(key));
      changeBreaker(key, state, next, context);
      if (next.openings > state.openings) {
        context.logger.warn('circuit breaker opened: the target gets no calls but a probe until it answers', {
          target: key,
          failures: next.failures,
          open_for_ms: next.open_until - now(),
          error_code: result.error.code,
        });
      }
      return;
    }
    // An answer, if only a refusal: the target is up.
    const next = breakerSucceeded(state, now(), settingsOf(key));
    if (state.openings > 0 && next.openings === 0) context.logger.info('circuit breaker closed: the target answered', { target: key });
    changeBreaker(key, state, next, context);
    if (result.error) return;
    const average = latencies.get(key);
    latencies.set(key, average === undefined ? result.latency_ms : average + LATENCY_WEIGHT * (result.latency_ms - average));
  }

  /** Keeps a target's new breaker state, and tells every instance of a transition; `probeUntil`: how long a probe holds the target. */
  function changeBreaker(key: string, before: BreakerState, after: BreakerState, context: StageContext, probeUntil?: number): void {
    setBreaker(key, after);
    const transition = breakerTransition(before, after, now());
    if (!transition) return;
    const event: BreakerEvent = { target: key, ...transition, worker: instance };
    if (probeUntil !== undefined) event.open_until = probeUntil;
    // Not awaited: the call's answer does not wait for the others to hear; a transition lost with the
    // bus is made good by the next one, and each instance's own breaker still counts its own calls.
    context.emit({ topic: BREAKERS_TOPIC, key, value: event }).catch((error: unknown) =>
      context.logger.warn('could not publish a breaker transition; other instances learn it from their own calls', { target: key, error: (error as Error).message }),
    );
  }

  /** A try limited by its own timeout_ms, when that is shorter than what is left of the caller's deadline. */
  async function callWithTimeout(provider: ProviderAdapter, node: TargetNode, request: RequestEvent, signal: AbortSignal, context: StageContext, cache: RequestCache | undefined): Promise<CallResult> {
    if (node.timeout_ms === undefined || node.timeout_ms >= request.deadline_at - now()) return call(provider, node, request, signal, context, cache);
    const attempt = new AbortController();
    const forward = () => attempt.abort(signal.reason);
    signal.addEventListener('abort', forward, { once: true });
    const timer = setTimeout(
      () => attempt.abort(new GatewayError('provider_timeout', `${node.target.provider} did not answer within the try's timeout_ms (${node.timeout_ms} ms)`)),
      node.timeout_ms,
    );
    try {
      return await call(provider, node, request, attempt.signal, context, cache);
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', forward);
    }
  }

  async function call(provider: ProviderAdapter, node: TargetNode, request: RequestEvent, signal: AbortSignal, context: StageContext, cache: RequestCache | undefined): Promise<CallResult> {
    const route = node.target;
    const started = now();
    let firstChunkAt: number | undefined;
    const guard = setupFor(request).output?.(request);
    const streamId = randomUUID();
    let seq = 0;
    const chunks: CachedChunk[] | undefined = cache?.store ? [] : undefined;
    // The answer as the provider gave it, before the output guard, for the tokens of one it refuses.
    let answer: ChatResult | undefined;
    const unguarded = guard && request.stream ? new StreamAccumulator() : undefined;
    const span = startProviderCallSpan(context.span, request, route.provider, route.upstream_model);
    try {
      const completion: CompletionEvent = { request: summarizeRequest(request), status: 'ok', provider_latency_ms: 0, stage: 'provider-worker' };
      if (request.kind === 'embed') {
        if (!provider.embed) throw new GatewayError('unsupported_capability', `provider ${route.provider} does not offer embeddings`);
        completion.embed = await provider.embed({ ...request.embed!, model: route.upstream_model }, { signal });
      } else if (request.kind === 'moderation') {
        if (!provider.moderate) throw new GatewayError('unsupported_capability', `provider ${route.provider} does not offer moderation`);
        completion.moderation = await provider.moderate({ ...request.moderation!, model: route.upstream_model }, { signal });
      } else if (request.kind === 'image_generation') {
        if (!provider.generateImage) throw new GatewayError('unsupported_capability', `provider ${route.provider} does not offer image generation`);
        completion.image_generation = await provider.generateImage({ ...request.image_generation!, model: route.upstream_model }, { signal });
      } else if (request.kind === 'transcription') {
        if (!provider.transcribe) throw new GatewayError('unsupported_capability', `provider ${route.provider} does not offer transcription`);
        completion.transcription = await provider.transcribe({ ...request.transcription!, model: route.upstream_model }, { signal });
      } else if (request.kind === 'rerank') {
        if (!provider.rerank) throw new GatewayError('unsupported_capability', `provider ${route.provider} does not offer rerank`);
        completion.rerank = await provider.rerank({ ...request.rerank!, model: route.upstream_model }, { signal });
      } else if (request.stream && provider.chatStream) {
        const accumulator = new StreamAccumulator();
        // Chunks are emitted without waiting for each to be published: reading the provider goes on
        // while the bus carries earlier chunks, which the stage context publishes in order.
        const emitted: Promise<void>[] = [];
        let emitFailure: unknown;
        const send = (event: ChatStreamEvent) => {
          accumulator.add(event);
          if (!event.role && !event.content && !event.tool_calls) return;
          firstChunkAt ??= now();
          const chunk: ChatChunk = {
            id: request.request_id,
            model: request.chat!.model,
            provider: route.provider,
            index: event.index,
            delta: {
              ...(event.role ? { role: event.role } : {}),
              ...(event.content ? { content: event.content } : {}),
              ...(event.tool_calls ? { tool_calls: event.tool_calls } : {}),
            },
          };
          chunks?.push({ index: chunk.index, delta: chunk.delta });
          const reply: ReplyEvent = { request_id: request.request_id, type: 'chunk', chunk, stream_id: streamId, seq, ...(seq === 0 && cache ? { cache: cache.status } : {}) };
          // The first chunk starts the caller's response, whose headers give the caller's rate limits.
          if (seq === 0 && request.rate_limit) reply.rate_limit = request.rate_limit;
          seq++;
          const sent = context.emit({ topic: request.reply_to, key: request.request_id, value: reply });
          sent.catch((error: unknown) => (emitFailure ??= error));
          emitted.push(sent);
        };
        for await (const event of provider.chatStream({ ...request.chat!, model: route.upstream_model }, { signal })) {
          if (emitFailure) throw emitFailure;
          unguarded?.add(event);
          send(guard ? guard.push(event) : event);
        }
        for (const held of guard?.end() ?? []) send(held);
        // The completion (and so the caller's last chunk, from metering) follows every chunk.
        await Promise.all(emitted);
        completion.chat = accumulator.result();
      } else {
        if (!provider.chat) throw new GatewayError('unsupported_capability', `provider ${route.provider} does not offer chat`);
        answer = await provider.chat({ ...request.chat!, model: route.upstream_model }, { signal });
        completion.chat = guard ? guard.result(answer) : answer;
      }
      completion.provider_latency_ms = now() - started;
      if (firstChunkAt !== undefined) completion.time_to_first_chunk_ms = firstChunkAt - started;
      countIfUnreported(completion, request);
      providerCallEnded(span, request, route, { latencyMs: completion.provider_latency_ms, firstChunkMs: completion.time_to_first_chunk_ms, result: completion.chat ?? completion.embed ?? completion.moderation ?? completion.rerank ?? completion.image_generation ?? completion.transcription });
      const findings = guard?.findings();
      const streamed = firstChunkAt !== undefined;
      return { outputs: [{ topic: TOPICS.completions, key: request.request_id, value: completion }], latency_ms: completion.provider_latency_ms, streamed, findings, ...(streamed && chunks ? { chunks } : {}) };
    } catch (error) {
      const failure = signal.aborted || !(error instanceof GatewayError) ? transportError({ provider: route.provider, signal }, error) : error;
      const latencyMs = now() - started;
      providerCallEnded(span, request, route, { latencyMs, firstChunkMs: firstChunkAt === undefined ? undefined : firstChunkAt - started, error: failure });
      if (!(error instanceof GuardrailBlocked)) return { error: failure, latency_ms: latencyMs, streamed: firstChunkAt !== undefined };
      const findings = [...guard!.findings(), error.finding];
      return { error: failure, latency_ms: latencyMs, streamed: firstChunkAt !== undefined, findings, refused: usageOf(request.chat!, answer ?? unguarded!.result()) };
    }
  }

  return {
    stage: {
      name: 'provider-worker',
      input: TOPICS.guarded,
      group: CONSUMER_GROUPS.providerWorker,
      parse: parseRequestEvent,
      // The worker admits requests itself: each is in flight or waiting within its route's bounds, or
      // answered at once, so the bus never holds one route's requests behind another's. A waiting request
      // is consumed but not committed: handle() holds it until its outcome is published, so a restart
      // redelivers it (and what follows it in its partition) rather than losing it; its deadline bounds
      // how long it can hold the partition's commits back.
      maxInFlightBatches: Number.POSITIVE_INFINITY,
      handle,
      onFailure: (request, error) => [failedCompletion(request, error, 'provider-worker')],
    },
    cancellations: {
      name: 'provider-worker.cancellations',
      input: TOPICS.cancellations,
      group: CONSUMER_GROUPS.providerWorker,
      parse: parseCancelEvent,
      handle(event) {
        const reason = event.reason === 'deadline_exceeded'
          ? new GatewayError('deadline_exceeded', 'the caller\'s deadline passed')
          : new GatewayError('cancelled', 'the caller cancelled the request');
        const call = calls.get(event.request_id);
        if (call) call.abort(reason);
        else rememberEarlyCancellation(event.request_id, reason);
        return [];
      },
      onFailure: () => [],
    },
    outcomes: {
      name: 'provider-worker.outcomes',
      input: TOPICS.completions,
      group: CONSUMER_GROUPS.providerWorker,
      parse: parseCompletionEvent,
      handle(completion) {
        produced.remember(completion.request.request_id, completion.request.deadline_at);
        return [];
      },
      onFailure: () => [],
    },
    providerCalls: {
      name: 'provider-worker.provider-calls',
      input: TOPICS.providerCalls,
      group: CONSUMER_GROUPS.providerWorker,
      parse: parseProviderCallEvent,
      handle(call) {
        called.remember(call.request_id, call.deadline_at);
        return [];
      },
      onFailure: () => [],
    },
    breakerTransitions: {
      name: 'provider-worker.breakers',
      input: BREAKERS_TOPIC,
      group: CONSUMER_GROUPS.providerWorker,
      parse: parseBreakerEvent,
      handle(event) {
        if (event.worker === instance) return [];
        setBreaker(event.target, breakerApplied(breakers.get(event.target) ?? CLOSED_BREAKER, event));
        return [];
      },
      onFailure: () => [],
    },
    inFlight: () => {
      let total = 0;
      for (const { queue } of routes.values()) total += queue.inFlight;
      return total;
    },
    load: () => [...routes.values()].map(({ route, queue }) => ({ ...route, in_flight: queue.inFlight, queued: queue.queued })),
    breakers: () => [...breakers.entries()].filter(([, state]) => state.openings > 0).map(([target, state]) => ({ target, health: breakerHealth(state, now()) })),
  };

  // A cancellation can overtake its request (it skips the router and the guardrail); every worker
  // instance hears every cancellation, so this is bounded: the oldest are forgotten first.
  function rememberEarlyCancellation(requestId: string, reason: GatewayError): void {
    earlyCancellations.set(requestId, reason);
    if (earlyCancellations.size > EARLY_CANCELLATIONS_KEPT) earlyCancellations.delete(earlyCancellations.keys().next().value!);
  }
}

function overloaded(route: Route, queue: RouteQueue): GatewayError {
  return new GatewayError(
    'overloaded',
    `too many calls to ${route.provider} model ${route.upstream_model}: ${queue.inFlight} in flight and ${queue.queued} waiting, the most provider_calls allows; retry later`,
    { retryAfterMs: OVERLOADED_RETRY_AFTER_MS },
  );
}

const NO_CODES: readonly string[] = [];
const NO_FACTS: RequestFacts = { metadata: undefined, api_key_id: '', tools: false, images: false, stream: false };
const needsFacts = new WeakMap<RouteNode, boolean>();

/** What a conditional or least_cost node may ask of the request; worked out only for trees that have one. */
function factsOf(request: RequestEvent, tree: RouteNode): RequestFacts {
  let needed = needsFacts.get(tree);
  if (needed === undefined) needsFacts.set(tree, (needed = usesFacts(tree)));
  if (!needed) return NO_FACTS;
  const chat = request.chat;
  const messages = chat?.messages ?? [];
  let characters = 0;
  let images = false;
  for (const message of messages) {
    characters += message.content?.length ?? 0;
    for (const part of message.content_parts ?? []) {
      characters += part.text?.length ?? 0;
      if (part.image || part.image_url) images = true;
    }
  }
  const texts = requestTexts(request);
  if (texts) for (const input of texts) characters += input.length;
  return {
    metadata: requestMetadata(request),
    api_key_id: request.api_key_id,
    ...(request.key_name !== undefined ? { key_name: request.key_name } : {}),
    ...(request.team !== undefined ? { team: request.team } : {}),
    messages: chat ? messages.length : (texts?.length ?? 0),
    tools: (chat?.tools?.length ?? 0) > 0,
    images,
    stream: request.stream,
    // A rough count (four characters a token) is enough to compare prices and sizes.
    prompt_tokens: Math.ceil(characters / 4),
    ...(chat?.max_tokens ? { completion_tokens: chat.max_tokens } : {}),
  };
}

function usesFacts(node: RouteNode): boolean {
  switch (node.kind) {
    case 'target':
      return false;
    case 'conditional':
      return true;
    case 'loadbalance':
      return node.strategy === 'least_cost' || node.nodes.some(usesFacts);
    default:
      return node.nodes.some(usesFacts);
  }
}

/** An answer whose provider reported no usage is counted here, where its prompt is: its completion goes on without it. */
function countIfUnreported(completion: CompletionEvent, request: RequestEvent): void {
  // A transcription that reports no tokens is billed by its audio's length alone: there are none to count.
  if (!reportedUsage(completion) && !completion.transcription) completion.counted_usage = countRequestUsage(request, completion.chat?.choices);
}

/** A call's tokens: as its provider reported them, else counted here (a stream cut short has not reached its usage). */
function usageOf(prompt: ChatRequest, answer: ChatResult): { usage: Usage; tokens_estimated: boolean } {
  return answer.usage ? { usage: answer.usage, tokens_estimated: false } : { usage: countUsage(prompt, answer.choices), tokens_estimated: true };
}

/** Why a waiting request left the line without a call: its caller left, or its deadline passed. */
function leftTheLine(signal: AbortSignal, route: Route): GatewayError {
  if (signal.reason instanceof GatewayError) return signal.reason;
  return new GatewayError('deadline_exceeded', `the deadline passed while the request waited for a call to ${route.provider} model ${route.upstream_model}`);
}
