// The gRPC front door: aigateway.v1.AiGateway over GatewayCore, plus grpc.health.v1 and server
// reflection, loaded from proto/ at run time (the proto is the single source of truth).
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import {
  ADMIN_PROTO,
  BATCH_PROTO,
  GATEWAY_PROTO,
  GATEWAY_SERVICE,
  GatewayError,
  renderTranscript,
  PROTO_LOADER_OPTIONS,
  type ChatChunk,
  type ChatMessage,
  type ChatRequest,
  type ContentPart,
  type EmbedRequest,
  type ModerationRequest,
  type RerankRequest,
  type RerankResponse,
  type ImageGenerationRequest,
  type ImageGenerationResponse,
  type TranscriptionRequest,
  type TranscriptionResponse,
  type UsageQuery,
  type UsageReport,
} from '@switchyard/contracts';
import type { AnalyzeRequest } from '@switchyard/analyze';
import type { BatchService } from '@switchyard/batch';
import type { KeyAdmin } from '@switchyard/keys';
import type { Logger } from '@switchyard/telemetry';
import { CACHE_STATUS_HEADER, Cancellation, type CallOptions, type GatewayCore } from './gateway-core';
import type { TlsMaterial } from './tls';
import { createAdminHandlers } from './grpc-admin';
import { fromGrpcAnalyzeRequest, toGrpcAnalyzeResponse, toGrpcAnalyzeTaskResult } from './grpc-analyze';
import { createBatchHandlers } from './grpc-batches';
import { rateLimitHeaders } from './rate-limit-headers';

export interface GrpcServerOptions {
  address: string;
  maxRequestBytes: number;
  logger: Logger;
  /** How long stop() lets calls in flight finish before it closes them (default 5 s). */
  shutdownGraceMs?: number;
  /** Unset: plain text. */
  tls?: TlsMaterial;
  /** aigateway.v1.Admin, when the gateway has an admin key. */
  admin?: KeyAdmin;
  /** Answers Admin.GetUsage, from the analytics database. */
  usage?: (query: UsageQuery) => Promise<UsageReport>;
  /** aigateway.v1.Batches (docs/batch.md), when the gateway runs batches. */
  batches?: BatchService;
}

export interface RunningGrpcServer {
  port: number;
  health: HealthImplementation;
  stop(): Promise<void>;
}

export async function startGrpcServer(core: GatewayCore, options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const definition = protoLoader.loadSync([GATEWAY_PROTO, ADMIN_PROTO, BATCH_PROTO], PROTO_LOADER_OPTIONS);
  const packageObject = grpc.loadPackageDefinition(definition) as unknown as {
    aigateway: { v1: { AiGateway: grpc.ServiceClientConstructor; Admin: grpc.ServiceClientConstructor; Batches: grpc.ServiceClientConstructor } };
  };
  const server = new grpc.Server({
    'grpc.max_receive_message_length': options.maxRequestBytes,
    'grpc.max_send_message_length': 64 * 1024 * 1024,
  });
  server.addService(undecodableAsValues(packageObject.aigateway.v1.AiGateway.service), createHandlers(core, options.logger));
  if (options.admin) {
    const context = { core, admin: options.admin, usage: options.usage, logger: options.logger, decoded: decodedRequest, credentialOf, toServiceError };
    server.addService(undecodableAsValues(packageObject.aigateway.v1.Admin.service), createAdminHandlers(context));
  }
  if (options.batches) {
    const context = { core, batches: options.batches, logger: options.logger, decoded: decodedRequest, credentialOf, toServiceError };
    server.addService(undecodableAsValues(packageObject.aigateway.v1.Batches.service), createBatchHandlers(context));
  }

  const health = new HealthImplementation({ '': 'NOT_SERVING', [GATEWAY_SERVICE]: 'NOT_SERVING' });
  health.addToServer(server);
  new ReflectionService(definition).addToServer(server);

  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(options.address, serverCredentials(options.tls), (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  health.setStatus('', 'SERVING');
  health.setStatus(GATEWAY_SERVICE, 'SERVING');
  return {
    port,
    health,
    stop: () =>
      new Promise<void>((resolve) => {
        health.setStatus('', 'NOT_SERVING');
        health.setStatus(GATEWAY_SERVICE, 'NOT_SERVING');
        const force = setTimeout(() => server.forceShutdown(), options.shutdownGraceMs ?? 5000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}

function serverCredentials(tls: TlsMaterial | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(tls.clientCa ?? null, [{ cert_chain: tls.cert, private_key: tls.key }], tls.clientCa !== undefined);
}

/** A request whose bytes are not a message of its method's type, handed to the handler to refuse. */
class UndecodableRequest {
  constructor(
    readonly messageType: string,
    readonly reason: string,
  ) {}
}

/**
 * grpc-js answers a request it cannot decode with INTERNAL and no error code, as if the gateway were at
 * fault. Decoding failures become values instead, so each handler refuses them as invalid_request.
 */
function undecodableAsValues(service: grpc.ServiceDefinition): grpc.ServiceDefinition {
  const wrapped: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, method] of Object.entries(service)) {
    // A streaming method takes its unary twin's request (ChatStream a ChatRequest).
    const messageType = `aigateway.v1.${name.replace(/Stream$/, '')}Request`;
    wrapped[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        try {
          return method.requestDeserialize(bytes);
        } catch (error) {
          return new UndecodableRequest(messageType, (error as Error).message);
        }
      },
    };
  }
  return wrapped;
}

/** The decoded request, or invalid_request for bytes that are not a message of the method's type. */
function decodedRequest(request: unknown): unknown {
  if (request instanceof UndecodableRequest) {
    throw new GatewayError('invalid_request', `the request is not a valid ${request.messageType} message (${request.reason})`);
  }
  return request;
}

type Call = grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>;

/** How early grpc-js's deadline timer may close a call, by the wall clock. */
const DEADLINE_TIMER_SLACK_MS = 20;

function callOptions(call: Call): CallOptions & { cancellation: Cancellation; answered(): void } {
  const cancellation = new Cancellation();
  const deadline = call.getDeadline();
  const ms = deadline instanceof Date ? deadline.getTime() : Number(deadline);
  // grpc-js reports the close of every call's stream as 'cancelled', answered calls included; only a
  // call still being answered (or whose answer has not reached grpc-js yet) is cancelled. A call whose
  // deadline has passed is closed by grpc-js itself, and its caller got DEADLINE_EXCEEDED, not a
  // cancellation. grpc-js's deadline timer can fire a millisecond before the clock reaches the
  // deadline; such a close was recorded as a cancellation (a flaky end-to-end test), hence the slack.
  const onCancelled = () => {
    const deadlinePassed = Number.isFinite(ms) && Date.now() >= ms - DEADLINE_TIMER_SLACK_MS;
    cancellation.cancel(deadlinePassed ? 'deadline_exceeded' : 'cancelled');
  };
  call.on('cancelled', onCancelled);
  return {
    cancellation,
    answered: () => call.off('cancelled', onCancelled),
    deadline: Number.isFinite(ms) ? ms : undefined,
    credential: credentialOf(call.metadata),
    cacheControl: metadataText(call.metadata, 'cache-control'),
    // Response metadata goes before the first message: the core tells it before the first chunk or the answer.
    onCache: (status) => {
      const metadata = new grpc.Metadata();
      metadata.set(CACHE_STATUS_HEADER, status);
      call.sendMetadata(metadata);
    },
  };
}

/** A metadata value as text; several values of one key are one list, as HTTP joins repeated headers. */
function metadataText(metadata: grpc.Metadata, key: string): string | undefined {
  const values = metadata.get(key);
  return values.length === 0 ? undefined : values.map(String).join(', ');
}

function credentialOf(metadata: grpc.Metadata): string | undefined {
  const authorization = metadata.get('authorization')[0] ?? metadata.get('x-api-key')[0];
  return authorization ? String(authorization).replace(/^Bearer\s+/i, '') : undefined;
}

/** The x-ratelimit-* values of a limited caller's answer, as trailers. */
function rateLimitTrailers(options: CallOptions | undefined): grpc.Metadata {
  const metadata = new grpc.Metadata();
  for (const [name, value] of Object.entries(rateLimitHeaders(options?.rateLimit))) metadata.set(name, value);
  return metadata;
}

function toServiceError(error: unknown, options?: CallOptions): Partial<grpc.ServiceError> {
  const failure = GatewayError.from(error);
  const metadata = rateLimitTrailers(options);
  metadata.set('switchyard-error-code', failure.code);
  if (failure.retryAfterMs !== undefined) metadata.set('retry-after-ms', String(Math.round(failure.retryAfterMs)));
  if (failure.providerStatus !== undefined) metadata.set('switchyard-provider-status', String(failure.providerStatus));
  return { code: failure.grpcStatus, details: failure.message.length > MAX_DETAILS_CHARS ? `${failure.message.slice(0, MAX_DETAILS_CHARS)}...` : failure.message, metadata };
}

// Details travel in a trailer (grpc-message): one of a megabyte broke the caller's connection, and
// the calls behind it on the same connection waited for their deadlines.
const MAX_DETAILS_CHARS = 2048;

function createHandlers(core: GatewayCore, logger: Logger): grpc.UntypedServiceImplementation {
  const unary =
    <Req, Res>(run: (request: Req, options: CallOptions) => Promise<Res>) =>
    (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>) => {
      let request: Req;
      try {
        request = decodedRequest(call.request) as Req;
      } catch (error) {
        return callback(toServiceError(error));
      }
      const options = callOptions(call);
      run(request, options).then(
        (response) => {
          options.answered();
          callback(null, response, rateLimitTrailers(options));
        },
        (error) => {
          options.answered();
          if (!(error instanceof GatewayError)) logger.error('unexpected failure in a unary call', { error });
          callback(toServiceError(error, options));
        },
      );
    };

  return {
    Chat: unary((request: unknown, options) => core.chat(fromGrpcChatRequest(request), options)),
    Embed: unary((request: unknown, options) => core.embed(fromGrpcEmbedRequest(request), options)),
    Moderate: unary((request: unknown, options) => core.moderate(fromGrpcModerationRequest(request), options)),
    GenerateImage: unary(async (request: unknown, options) => toGrpcImageGenerationResponse(await core.generateImage(fromGrpcImageGenerationRequest(request), options))),
    Transcribe: unary(async (request: unknown, options) => {
      const transcription = fromGrpcTranscriptionRequest(request);
      return toGrpcTranscriptionResponse(await core.transcribe(transcription, options), transcription.response_format);
    }),
    Rerank: unary(async (request: unknown, options) => toGrpcRerankResponse(await core.rerank(fromGrpcRerankRequest(request), options))),
    ListModels: unary(async (_request: unknown, options) => ({ models: core.listModels(options) })),
    Analyze: unary(async (request: unknown, options) => toGrpcAnalyzeResponse(await core.analyze(fromGrpcAnalyzeRequest(request), options))),
    AnalyzeStream: (call: grpc.ServerWritableStream<unknown, unknown>) => {
      const options = callOptions(call);
      let request: AnalyzeRequest;
      try {
        request = fromGrpcAnalyzeRequest(decodedRequest(call.request));
      } catch (error) {
        call.emit('error', toServiceError(error));
        return;
      }
      core.analyze(request, options, (result) => call.write({ result: toGrpcAnalyzeTaskResult(result) })).then(
        (response) => {
          options.answered();
          call.write({ done: toGrpcAnalyzeResponse({ ...response, results: [] }) });
          call.end(rateLimitTrailers(options));
        },
        (error) => {
          if (options.cancellation.cancelled) return;
          options.answered();
          call.emit('error', toServiceError(error, options));
        },
      );
    },
    ChatStream: (call: grpc.ServerWritableStream<unknown, ChatChunk>) => {
      const options = callOptions(call);
      let request: ChatRequest;
      try {
        request = fromGrpcChatRequest(decodedRequest(call.request));
      } catch (error) {
        call.emit('error', toServiceError(error));
        return;
      }
      core.chatStream(request, (chunk) => call.write(chunk), options).then(
        () => {
          options.answered();
          call.end(rateLimitTrailers(options));
        },
        (error) => {
          if (options.cancellation.cancelled) return;
          options.answered();
          call.emit('error', toServiceError(error, options));
        },
      );
    },
  };
}

// Decoded messages carry proto-loader's virtual oneof fields and defaults for unset message fields;
// these turn them into clean unified requests (and inline image bytes into base64 for the bus).

export function fromGrpcChatRequest(raw: unknown): ChatRequest {
  const message = raw as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const request: ChatRequest = {
    model: message.model ?? '',
    messages: (message.messages ?? []).map(fromGrpcMessage),
  };
  if (message.max_tokens !== undefined && message.max_tokens !== null) request.max_tokens = message.max_tokens;
  if (message.temperature !== undefined && message.temperature !== null) request.temperature = roundFloat(message.temperature);
  if (message.top_p !== undefined && message.top_p !== null) request.top_p = roundFloat(message.top_p);
  if (message.seed !== undefined && message.seed !== null) request.seed = Number(message.seed);
  if (message.stop?.length) request.stop = message.stop;
  if (message.user) request.user = message.user;
  if (message.metadata && Object.keys(message.metadata).length > 0) request.metadata = { ...message.metadata };
  if (message.tools?.length) {
    request.tools = message.tools.map((tool: any) => ({ // eslint-disable-line @typescript-eslint/no-explicit-any
      type: tool.type || 'function',
      function: {
        name: tool.function?.name ?? '',
        ...(tool.function?.description ? { description: tool.function.description } : {}),
        ...(tool.function?.parameters_json ? { parameters_json: tool.function.parameters_json } : {}),
        ...(tool.function?.strict !== undefined && tool.function?.strict !== null ? { strict: tool.function.strict } : {}),
      },
    }));
  }
  if (message.tool_choice?.mode) {
    request.tool_choice = { mode: message.tool_choice.mode, ...(message.tool_choice.function_name ? { function_name: message.tool_choice.function_name } : {}) };
  }
  if (message.response_format?.type) {
    const format = message.response_format;
    request.response_format = {
      type: format.type,
      ...(format.json_schema_name ? { json_schema_name: format.json_schema_name } : {}),
      ...(format.json_schema ? { json_schema: format.json_schema } : {}),
      ...(format.strict !== undefined && format.strict !== null ? { strict: format.strict } : {}),
    };
  }
  return request;
}

// float32 on the wire: 0.7 arrives as 0.699999988; the nearest short decimal is what the caller meant.
function roundFloat(value: number): number {
  return Number(value.toPrecision(7));
}

function fromGrpcMessage(raw: any): ChatMessage { // eslint-disable-line @typescript-eslint/no-explicit-any
  const message: ChatMessage = { role: raw.role ?? '' };
  if (raw.content) message.content = raw.content;
  if (raw.content_parts?.length) message.content_parts = raw.content_parts.map(fromGrpcPart);
  if (raw.name) message.name = raw.name;
  if (raw.tool_calls?.length) {
    message.tool_calls = raw.tool_calls.map((call: any) => ({ // eslint-disable-line @typescript-eslint/no-explicit-any
      id: call.id,
      type: call.type || 'function',
      function: { name: call.function?.name ?? '', arguments: call.function?.arguments ?? '' },
    }));
  }
  if (raw.tool_call_id) message.tool_call_id = raw.tool_call_id;
  return message;
}

function fromGrpcPart(raw: any): ContentPart { // eslint-disable-line @typescript-eslint/no-explicit-any
  if (raw.part === 'image_url' || raw.image_url) {
    return { image_url: { url: raw.image_url.url, ...(raw.image_url.detail ? { detail: raw.image_url.detail } : {}) } };
  }
  if (raw.part === 'image' || raw.image) {
    return { image: { mime_type: raw.image.mime_type, data: Buffer.from(raw.image.data).toString('base64') } };
  }
  return { text: raw.text ?? '' };
}

export function fromGrpcEmbedRequest(raw: unknown): EmbedRequest {
  const request: EmbedRequest = fromGrpcTextsRequest(raw);
  const dimensions = (raw as { dimensions?: number | null }).dimensions;
  if (dimensions !== undefined && dimensions !== null) request.dimensions = dimensions;
  return request;
}

export function fromGrpcModerationRequest(raw: unknown): ModerationRequest {
  return fromGrpcTextsRequest(raw);
}

/** The fields every request over a list of texts has: its model, its texts, and the caller's user and metadata. */
function fromGrpcTextsRequest(raw: unknown): ModerationRequest {
  const message = raw as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const request: ModerationRequest = { model: message.model ?? '', input: message.input ?? [] };
  if (message.user) request.user = message.user;
  if (message.metadata && Object.keys(message.metadata).length > 0) request.metadata = { ...message.metadata };
  return request;
}

export function fromGrpcRerankRequest(raw: unknown): RerankRequest {
  const message = raw as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const request: RerankRequest = { model: message.model ?? '', query: message.query ?? '', documents: message.documents ?? [] };
  if (message.top_n !== undefined && message.top_n !== null) request.top_n = message.top_n;
  if (message.user) request.user = message.user;
  if (message.metadata && Object.keys(message.metadata).length > 0) request.metadata = { ...message.metadata };
  return request;
}

/** The proto's RerankResponse carries the search units beside the usage, whose message has no place for them. */
function toGrpcRerankResponse(response: RerankResponse) {
  return { ...response, search_units: response.usage.search_units ?? 0 };
}

export function fromGrpcImageGenerationRequest(raw: unknown): ImageGenerationRequest {
  const message = raw as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const request: ImageGenerationRequest = { model: message.model ?? '', prompt: message.prompt ?? '' };
  if (message.n !== undefined && message.n !== null) request.n = message.n;
  if (message.size) request.size = message.size;
  // auto is the provider's choice, as over HTTP; validateImageGenerationRequest bounds the rest.
  if (message.quality && message.quality !== 'auto') request.quality = message.quality;
  if (message.style) request.style = message.style;
  if (message.user) request.user = message.user;
  if (message.metadata && Object.keys(message.metadata).length > 0) request.metadata = { ...message.metadata };
  return request;
}

export function fromGrpcTranscriptionRequest(raw: unknown): TranscriptionRequest {
  const message = raw as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const audio: unknown = message.audio;
  const request: TranscriptionRequest = { model: message.model ?? '', audio: audio instanceof Uint8Array ? Buffer.from(audio).toString('base64') : '', filename: message.filename ?? '' };
  if (message.language) request.language = message.language;
  if (message.prompt) request.prompt = message.prompt;
  if (message.response_format) request.response_format = message.response_format;
  if (message.temperature !== undefined && message.temperature !== null) request.temperature = message.temperature;
  if (message.user) request.user = message.user;
  if (message.metadata && Object.keys(message.metadata).length > 0) request.metadata = { ...message.metadata };
  return request;
}

/** The billed seconds beside the usage; text, srt and vtt rendered as the HTTP API renders them. */
function toGrpcTranscriptionResponse(response: TranscriptionResponse, format: TranscriptionRequest['response_format']) {
  return {
    ...response,
    language: response.language ?? '',
    audio_seconds: response.usage.audio_seconds ?? 0,
    segments: response.segments ?? [],
    formatted: format === 'text' || format === 'srt' || format === 'vtt' ? renderTranscript(response, format) : '',
  };
}

/** Images go over gRPC as bytes, and the count of images beside the usage. */
function toGrpcImageGenerationResponse(response: ImageGenerationResponse) {
  return {
    ...response,
    data: response.data.map((image) => ({ image: image.b64_json ? Buffer.from(image.b64_json, 'base64') : Buffer.alloc(0), url: image.url ?? '', revised_prompt: image.revised_prompt ?? '' })),
    images: response.usage.images ?? 0,
  };
}
