// Events that travel between the stages. Each topic in TOPICS carries exactly one of these types.
import type { ChatChunk, ChatRequest, ChatResponse, Choice, EmbedRequest, EmbedResponse, Usage } from './chat';
import type { GatewayErrorBody } from './errors';
import type { ModerationRequest, ModerationResponse, ModerationVerdict } from './moderation';
import type { RerankRanking, RerankRequest, RerankResponse } from './rerank';
import type { GeneratedImage, ImageGenerationRequest, ImageGenerationResponse } from './image-generation';
import type { TranscriptSegment, TranscriptionRequest, TranscriptionResponse } from './transcription';
import type { BudgetPeriod } from './keys';

export type RequestKind = 'chat' | 'embed' | 'moderation' | 'rerank' | 'image_generation' | 'transcription';
export const REQUEST_KINDS: readonly RequestKind[] = ['chat', 'embed', 'moderation', 'rerank', 'image_generation', 'transcription'];

/** What a request asks of its model, whatever its kind. */
export type RequestBody = Pick<RequestEvent, 'chat' | 'embed' | 'moderation' | 'rerank' | 'image_generation' | 'transcription'>;

/** The model a request names, whatever its kind. */
export function requestedModel(request: RequestBody): string {
  return (request.chat ?? request.embed ?? request.moderation ?? request.rerank ?? request.image_generation ?? request.transcription)!.model;
}

/** The texts of a request other than a chat (a rerank's query, then its documents; an image generation's prompt; a transcription's prompt, if any); undefined for a chat. */
export function requestTexts(request: RequestBody): string[] | undefined {
  if (request.rerank) return [request.rerank.query, ...request.rerank.documents];
  if (request.image_generation) return [request.image_generation.prompt];
  if (request.transcription) return request.transcription.prompt ? [request.transcription.prompt] : [];
  return (request.embed ?? request.moderation)?.input;
}

/** The caller's metadata on a request, whatever its kind. */
export function requestMetadata(request: RequestBody): Record<string, string> | undefined {
  return (request.chat ?? request.embed ?? request.moderation ?? request.rerank ?? request.image_generation ?? request.transcription)!.metadata;
}

/**
 * How a caller asks the response cache to treat its request (HTTP Cache-Control, gRPC metadata
 * cache-control): no-cache skips the lookup and stores the fresh answer; no-store does neither.
 */
export type CacheControl = 'no-cache' | 'no-store';
export const CACHE_CONTROLS: readonly CacheControl[] = ['no-cache', 'no-store'];

/**
 * What the response cache did for an answer: served it for the same request (hit) or for a prompt close
 * enough to this one (semantic_hit), looked and called the provider (miss), or was not asked (bypass).
 */
export type CacheStatus = 'hit' | 'semantic_hit' | 'miss' | 'bypass';

/** The target that served a request (a provider block and its own model name), set by the provider-worker. */
export interface Route {
  provider: string;
  upstream_model: string;
  /** Where the target sits in the model's route tree in the configuration, e.g. models.1.route.fallback.0. */
  path?: string;
}

/** A provider call that failed, and was retried or fallen back from. */
export interface FailedAttempt {
  /** provider/upstream_model. */
  target: string;
  code: string;
  latency_ms: number;
}

/** What the guardrail rules found in a request or its answer: one entry per rule, kind of value and direction; never the value. */
export interface GuardrailFinding {
  rule: string;
  /** The kind of value: email, phone, openai_key, injection, denied, prompt_size... */
  entity: string;
  action: 'mask' | 'block' | 'flag';
  direction: 'input' | 'output';
  count: number;
}

/**
 * A request on its way through the pipeline (topics requests, routed, guarded). Stages add to it:
 * the guardrail sets `guardrail` and may rewrite the prompt; on the outcome, `route` is the target that served it.
 */
export interface RequestEvent {
  request_id: string;
  kind: RequestKind;
  stream: boolean;
  /** Topic of the ingress instance that holds the caller's call. */
  reply_to: string;
  /** Epoch milliseconds at which the ingress received the call. */
  received_at: number;
  /** Epoch milliseconds after which nobody waits for the answer; every stage honours it. */
  deadline_at: number;
  api_key_id: string;
  /** Name of the caller's virtual key, when it has one. */
  key_name?: string;
  /** Team of the caller's virtual key, when it has one. */
  team?: string;
  chat?: ChatRequest;
  embed?: EmbedRequest;
  moderation?: ModerationRequest;
  rerank?: RerankRequest;
  image_generation?: ImageGenerationRequest;
  transcription?: TranscriptionRequest;
  route?: Route;
  guardrail?: GuardrailFinding[];
  /** The configuration version the ingress took the request in on; every stage handles it on that version while it holds it. */
  config_version?: string;
  /**
   * With reversible masking, what each placeholder of the prompt stands for, from the guardrail to the
   * provider-worker, which puts back those the model repeats; it goes no further.
   */
  guardrail_placeholders?: Record<string, string>;
  /** The virtual key's and team's limits, from the ingress to the limits check (the router); absent when the caller has none. */
  limits?: RequestLimits;
  /** What the limits check set aside for the request, settled when its outcome is metered. */
  reservation?: Reservation;
  /** The caller's standing against its limits as the limits check left it, for the x-ratelimit-* headers of the answer. */
  rate_limit?: RateLimitStatus;
  /** The ingress's signature over who pays and where the answer goes (keys' event-auth.ts); checked by the router once virtual keys are on, which passes the request on without it. */
  signature?: string;
  /** A producer's token for a virtual key (from the admin API), instead of a signature: the router takes the key's identity and limits from it. */
  producer_token?: string;
  /** The caller's cache directive, validated by the front door; absent: the model's cache applies as configured. */
  cache_control?: CacheControl;
  /** The batch the request is a line of (libs/batch), for its usage row; absent for a request of its own. */
  batch_id?: string;
  /** The id of the Analyze call the request is a task of (docs/analyze.md); absent for any other request. */
  analyze_id?: string;
}

/**
 * A request as its outcome carries it (CompletionEvent.request): who asked, for which model, where the
 * answer goes, how it was routed and limited, and what the guardrails found; never its prompt, which no
 * stage after the provider call reads, so the prompt crosses the bus once per hop before the call and
 * not again after it.
 */
export interface RequestSummary
  extends Pick<
    RequestEvent,
    | 'request_id'
    | 'kind'
    | 'stream'
    | 'reply_to'
    | 'received_at'
    | 'deadline_at'
    | 'api_key_id'
    | 'key_name'
    | 'team'
    | 'route'
    | 'guardrail'
    | 'config_version'
    | 'limits'
    | 'reservation'
    | 'rate_limit'
    | 'batch_id'
    | 'analyze_id'
  > {
  /** The model as requested. */
  model: string;
  /** The caller's metadata on the request; absent when it gave none. */
  metadata?: Record<string, string>;
}

/** The summary of a request that its outcome carries; fields the request lacks stay absent. */
export function summarizeRequest(request: RequestEvent): RequestSummary {
  const summary: RequestSummary = {
    request_id: request.request_id,
    kind: request.kind,
    stream: request.stream,
    reply_to: request.reply_to,
    received_at: request.received_at,
    deadline_at: request.deadline_at,
    api_key_id: request.api_key_id,
    model: requestedModel(request),
  };
  const metadata = requestMetadata(request);
  if (metadata !== undefined) summary.metadata = metadata;
  if (request.key_name !== undefined) summary.key_name = request.key_name;
  if (request.team !== undefined) summary.team = request.team;
  if (request.route !== undefined) summary.route = request.route;
  if (request.guardrail !== undefined) summary.guardrail = request.guardrail;
  if (request.config_version !== undefined) summary.config_version = request.config_version;
  if (request.limits !== undefined) summary.limits = request.limits;
  if (request.reservation !== undefined) summary.reservation = request.reservation;
  if (request.rate_limit !== undefined) summary.rate_limit = request.rate_limit;
  if (request.batch_id !== undefined) summary.batch_id = request.batch_id;
  if (request.analyze_id !== undefined) summary.analyze_id = request.analyze_id;
  return summary;
}

/** One holder of limits: a virtual key or its team, as the ingress's snapshot of keys holds it. */
export interface LimitHolder {
  id: string;
  /** Requests a minute. */
  rpm: number | null;
  /** Tokens a minute: prompt and completion. */
  tpm: number | null;
  budget_usd: number | null;
  budget_period: BudgetPeriod | null;
}

/**
 * The limits a request is held to. `owner`, the team's id when the key has a team and else the key's, is
 * the requests topic's message key for it: one consumer of the limits check holds all of an owner's
 * counters, so they are exact however many ingress instances take calls.
 */
export interface RequestLimits {
  owner: string;
  key: LimitHolder & { max_concurrent: number | null };
  team?: LimitHolder;
}

/** What the limits check set aside for an admitted request: its tokens (prompt counted, plus its maximum output) and its highest possible cost. */
export interface Reservation {
  tokens: number;
  cost_usd: number;
}

/** The tightest of a caller's requests-a-minute and tokens-a-minute limits, as OpenAI's x-ratelimit-* headers give them. */
export interface RateLimitStatus {
  limit_requests?: number;
  remaining_requests?: number;
  /** Milliseconds until the window's oldest request leaves it. */
  reset_requests_ms?: number;
  limit_tokens?: number;
  remaining_tokens?: number;
  reset_tokens_ms?: number;
}

/**
 * metering -> the limits check (topic requests, keyed by the limits' owner, so that it reaches the
 * consumer holding the owner's counters in order with its requests): what an admitted request used, to
 * settle its reservation. A request that failed used nothing but what it was billed.
 */
export interface SettlementEvent {
  type: 'settlement';
  request_id: string;
  received_at: number;
  limits: RequestLimits;
  reservation: Reservation;
  /** Prompt and completion tokens, as metered. */
  tokens: number;
  cost_usd: number;
  /** Metering's signature (keys' event-auth.ts). */
  signature?: string;
}

/** What topic requests carries: requests, and the settlements of their limits. */
export type RequestsTopicEvent = RequestEvent | SettlementEvent;

/** A chat completion as the provider produced it, before metering prices it. */
export interface ChatResult {
  provider_response_id?: string;
  choices: Choice[];
  /** Usage as the provider reported it; absent when it reported none. */
  usage?: Usage;
}

export interface EmbedResult {
  data: { index: number; embedding: number[] }[];
  usage?: Usage;
}

export interface ModerationResult {
  provider_response_id?: string;
  results: ModerationVerdict[];
  /** Usage as the provider reported it; absent when it reported none (OpenAI reports none). */
  usage?: Usage;
}

export interface RerankResult {
  provider_response_id?: string;
  results: RerankRanking[];
  /** As the provider reported it: search units (Cohere) or tokens (Jina); absent when it reported neither. */
  usage?: Usage;
}

export interface ImageGenerationResult {
  data: GeneratedImage[];
  /** Tokens where the provider reports them (gpt-image-1); metering sets the images made. */
  usage?: Usage;
  /** The size (WIDTHxHEIGHT) and quality the provider was asked for, its defaults when the request named none; they price each image where the provider prices by them (DALL-E). */
  size?: string;
  quality?: string;
}

export interface TranscriptionResult {
  text: string;
  language?: string;
  /** The audio's length in seconds as the provider reported it; metering bills it as usage.audio_seconds. */
  duration_seconds?: number;
  segments?: TranscriptSegment[];
  /** Tokens where the provider bills them (gpt-4o-transcribe). */
  usage?: Usage;
}

/** The outcome of a request (topic completions): a result, or the error that ended it. */
export interface CompletionEvent {
  request: RequestSummary;
  status: 'ok' | 'error' | 'cancelled';
  chat?: ChatResult;
  embed?: EmbedResult;
  moderation?: ModerationResult;
  rerank?: RerankResult;
  image_generation?: ImageGenerationResult;
  transcription?: TranscriptionResult;
  /**
   * An answer whose provider reported no usage: its prompt's and its own tokens, counted by the stage
   * that made the completion, which alone holds the prompt. Absent when the provider reported usage.
   */
  counted_usage?: Usage;
  error?: GatewayErrorBody;
  /** Time spent waiting on the provider, in milliseconds; 0 when the provider was never called. */
  provider_latency_ms: number;
  /** Milliseconds from the provider call to its first streamed chunk, for streamed requests. */
  time_to_first_chunk_ms?: number;
  /** Provider calls made for the request, retries and fallbacks included; absent when none was made. */
  attempts?: number;
  /** The calls that failed without their failure being the answer (retried, fallen back from), in order; absent when none did. */
  failed_attempts?: FailedAttempt[];
  /** The stage that produced this event. */
  stage: string;
  /** What the response cache did; absent when the model has no cache. A hit reached no provider. */
  cache?: CacheStatus;
  /** The call the semantic cache made to embed the request's prompt; absent when it made none (or none answered). */
  cache_embed?: CacheEmbedCall;
  /** The tokens of an answer an output guardrail refused (status error, guardrail_blocked): the provider charged them. Absent otherwise. */
  refused_answer?: RefusedAnswer;
  /** The calls that input guardrails of type model made to their classifier for the request, in order; absent when none did. */
  guardrail_model_calls?: GuardrailModelCall[];
}

/** The usage an answer's provider reported, whatever the request's kind; undefined when it reported none. */
export function reportedUsage(completion: CompletionEvent): Usage | undefined {
  return completion.chat?.usage ?? completion.embed?.usage ?? completion.moderation?.usage ?? completion.rerank?.usage ?? completion.image_generation?.usage ?? completion.transcription?.usage;
}

/** A call to a guardrail rule's classifier model: metering prices it at its target's price, on the request's row. */
export interface GuardrailModelCall {
  rule: string;
  /** The classifier model's target that answered. */
  route: Route;
  usage: Usage;
  /** True when the tokens were counted by the gateway because the provider reported none. */
  tokens_estimated: boolean;
}

/** What the provider charged for an answer the caller did not get; its text is not kept. */
export interface RefusedAnswer {
  usage: Usage;
  /** True when the tokens were counted by the gateway because the provider reported none (a stream cut short, say). */
  tokens_estimated: boolean;
}

/** An embedding call the semantic cache made for a request: metering prices it at its target's price, on the request's row. */
export interface CacheEmbedCall {
  /** The embed model's target that answered. */
  route: Route;
  usage: Usage;
  /** True when the tokens were counted by the gateway because the provider reported none. */
  tokens_estimated: boolean;
}

/** One row of analytics (topic usage); the columns of usage_events. */
export interface UsageEvent {
  request_id: string;
  /** ISO 8601 time at which the ingress received the request. */
  ts: string;
  api_key_id: string;
  /** The virtual key's name and team (RequestEvent's), when the caller used one. */
  key_name?: string | null;
  team?: string | null;
  kind: RequestKind;
  stream: boolean;
  /** The model as requested. */
  model: string;
  provider: string | null;
  upstream_model: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  cached_prompt_tokens: number;
  /** True when the tokens were counted by the gateway because the provider reported none. */
  tokens_estimated: boolean;
  cost_usd: number;
  latency_ms: number;
  provider_latency_ms: number;
  time_to_first_chunk_ms: number | null;
  status: 'ok' | 'error' | 'cancelled';
  error_code: string | null;
  finish_reason: string | null;
  metadata: Record<string, string>;
  /** Provider calls made, retries and fallbacks included (0: none was made); absent from older metering. */
  attempts?: number;
  /** Where the target that served it sits in the model's route tree, e.g. models.1.route.fallback.0. */
  route_path?: string | null;
  /** The calls that failed without their failure being the answer (retried, fallen back from), in order; null when none did. */
  failed_attempts?: FailedAttempt[] | null;
  /** The configuration version that routed it (see docs/configuration.md); null for a request that carried none. */
  config_version?: string | null;
  /** What the guardrails found, in the prompt and in the answer; null when nothing. */
  guardrail_findings?: GuardrailFinding[] | null;
  /** What the response cache did (CompletionEvent.cache); null when the model has no cache. */
  cache?: CacheStatus | null;
  /** On a cache hit, what the answer would have cost from its provider (cost_usd then holds only the cache's embedding); 0 otherwise. */
  cost_saved_usd?: number;
  /** Tokens of the semantic cache's embedding call for the request (CompletionEvent.cache_embed); 0 when it made none. */
  cache_embed_tokens?: number;
  /** What that embedding call cost, at the embed model's price; part of cost_usd; 0 when it made none. */
  cache_embed_cost_usd?: number;
  /** The batch the request was a line of (RequestEvent.batch_id); null for a request of its own. */
  batch_id?: string | null;
  /** The Analyze call the request was a task of (RequestEvent.analyze_id); null for any other request. */
  analyze_id?: string | null;
  /** Search units a rerank was billed (Usage.search_units); 0 for any other request. */
  search_units?: number;
  /** Images an image generation made (Usage.images); 0 for any other request. */
  images?: number;
  /** Seconds of audio a transcription was billed for (Usage.audio_seconds); 0 for any other request. */
  audio_seconds?: number;
  /** Tokens of the guardrails' classifier calls for the request (CompletionEvent.guardrail_model_calls); 0 when they made none. */
  guardrail_model_tokens?: number;
  /** What those calls cost, at the classifier models' prices; part of cost_usd; 0 when they made none. */
  guardrail_model_cost_usd?: number;
}

/** The usage row's time: when the ingress received the request, as ISO 8601 (with request_id, the row's key). */
export function usageTimestamp(receivedAt: number): string {
  return new Date(receivedAt).toISOString();
}

/** How the ingress ended a call on its own, or saw its answer go undelivered: the code the caller got. */
export type CallerOutcomeCode = 'deadline_exceeded' | 'cancelled' | 'provider_unavailable';

/**
 * What a caller got when the ingress, not the pipeline, decided it (topic usage, beside the request's
 * UsageEvent): its deadline timer answered, the caller went away, or the front door could not deliver
 * the answer. The pipeline may still report the request as answered; analytics merges both into the
 * request's one row, whose status and error_code are then these, and whose tokens and cost are metering's.
 * Published only for such calls, so that the usual request costs no extra event.
 */
export interface CallerOutcomeEvent extends Pick<UsageEvent, 'request_id' | 'ts' | 'api_key_id' | 'key_name' | 'team' | 'kind' | 'stream' | 'model'> {
  type: 'caller_outcome';
  status: 'error' | 'cancelled';
  error_code: CallerOutcomeCode;
}

/** What topic usage carries. */
export type UsageTopicEvent = UsageEvent | CallerOutcomeEvent;

/**
 * The request a final reply answers, as its usage row is keyed and described: an ingress that finds no
 * caller waiting for the reply (its predecessor on the reply topic died with the call) records from it
 * that the answer went undelivered; or, for a batch's request, records the answer in the batch.
 */
export type ReplyOrigin = Pick<RequestSummary, 'received_at' | 'api_key_id' | 'key_name' | 'team' | 'kind' | 'stream' | 'model' | 'batch_id'>;

/** What the ingress instance holding a call receives (its reply topic). Metering's final reply carries its origin. */
export type ReplyEvent = (
  /**
   * `stream_id` names the provider call that streamed the chunk: a request redelivered after its
   * provider-worker died streams again under another, and the ingress must not join the two. `seq`
   * counts the call's chunks from 0, so a chunk the producer sent twice (a retried publish) is dropped.
   */
  | { request_id: string; type: 'chunk'; chunk: ChatChunk; stream_id?: string; seq?: number }
  | { request_id: string; type: 'chat'; response: ChatResponse }
  | { request_id: string; type: 'embed'; response: EmbedResponse }
  | { request_id: string; type: 'moderation'; response: ModerationResponse }
  | { request_id: string; type: 'rerank'; response: RerankResponse }
  | { request_id: string; type: 'image_generation'; response: ImageGenerationResponse }
  | { request_id: string; type: 'transcription'; response: TranscriptionResponse }
  | { request_id: string; type: 'error'; error: GatewayErrorBody }
) & {
  origin?: ReplyOrigin;
  /** On a final reply: the time spent waiting on the provider, so the ingress can tell the gateway's own time from it. */
  provider_latency_ms?: number;
  /** A limited caller's standing against its limits, on the first reply the caller gets and on the answer. */
  rate_limit?: RateLimitStatus;
  /** What the response cache did, on the first reply the caller gets (a stream's first chunk, or the answer). */
  cache?: CacheStatus;
};

/** Broadcast to provider-workers when a caller goes away, so the upstream call is stopped. */
export interface CancelEvent {
  request_id: string;
  reason: 'client_cancelled' | 'deadline_exceeded';
}

/**
 * A batch request's provider call about to be made (provider-worker -> every provider-worker): a worker
 * that gets the request again with no outcome for it does not call again, since the provider may have
 * answered (docs/batch.md#nothing-lost-nothing-twice).
 */
export interface ProviderCallEvent {
  request_id: string;
  /** The request's deadline (epoch ms): how long the call is remembered is counted from it. */
  deadline_at: number;
}
