// Events that travel between the stages. Each topic in TOPICS carries exactly one of these types.
import type { ChatChunk, ChatRequest, ChatResponse, Choice, EmbedRequest, EmbedResponse, Usage } from './chat';
import type { GatewayErrorBody } from './errors';

export type RequestKind = 'chat' | 'embed';

/** Where the router sent a request. */
export interface Route {
  provider: string;
  upstream_model: string;
}

/** What the guardrail rules did to a request; one entry per rule that matched. */
export interface GuardrailFinding {
  rule: string;
  action: 'mask' | 'block' | 'flag';
  count: number;
}

/**
 * A request on its way through the pipeline (topics requests, routed, guarded). Stages add to it:
 * the router sets `route`, the guardrail sets `guardrail` and may rewrite the prompt.
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
  chat?: ChatRequest;
  embed?: EmbedRequest;
  route?: Route;
  guardrail?: GuardrailFinding[];
}

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

/** The outcome of a request (topic completions): a result, or the error that ended it. */
export interface CompletionEvent {
  request: RequestEvent;
  status: 'ok' | 'error' | 'cancelled';
  chat?: ChatResult;
  embed?: EmbedResult;
  error?: GatewayErrorBody;
  /** Time spent waiting on the provider, in milliseconds; 0 when the provider was never called. */
  provider_latency_ms: number;
  /** Milliseconds from the provider call to its first streamed chunk, for streamed requests. */
  time_to_first_chunk_ms?: number;
  /** The stage that produced this event. */
  stage: string;
}

/** One row of analytics (topic usage); the columns of usage_events. */
export interface UsageEvent {
  request_id: string;
  /** ISO 8601 time at which the ingress received the request. */
  ts: string;
  api_key_id: string;
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
}

/** The usage row's time: when the ingress received the request, as ISO 8601 (with request_id, the row's key). */
export function usageTimestamp(receivedAt: number): string {
  return new Date(receivedAt).toISOString();
}

/** How the ingress ended a call on its own, or saw its answer go undelivered: the code the caller got. */
export type CallerOutcomeCode = 'deadline_exceeded' | 'cancelled';

/**
 * What a caller got when the ingress, not the pipeline, decided it (topic usage, beside the request's
 * UsageEvent): its deadline timer answered, the caller went away, or the front door could not deliver
 * the answer. The pipeline may still report the request as answered; analytics merges both into the
 * request's one row, whose status and error_code are then these, and whose tokens and cost are metering's.
 * Published only for such calls, so that the usual request costs no extra event.
 */
export interface CallerOutcomeEvent extends Pick<UsageEvent, 'request_id' | 'ts' | 'api_key_id' | 'kind' | 'stream' | 'model'> {
  type: 'caller_outcome';
  status: 'error' | 'cancelled';
  error_code: CallerOutcomeCode;
}

/** What topic usage carries. */
export type UsageTopicEvent = UsageEvent | CallerOutcomeEvent;

/** What the ingress instance holding a call receives (its reply topic). */
export type ReplyEvent =
  | { request_id: string; type: 'chunk'; chunk: ChatChunk }
  | { request_id: string; type: 'chat'; response: ChatResponse }
  | { request_id: string; type: 'embed'; response: EmbedResponse }
  | { request_id: string; type: 'error'; error: GatewayErrorBody };

/** Broadcast to provider-workers when a caller goes away, so the upstream call is stopped. */
export interface CancelEvent {
  request_id: string;
  reason: 'client_cancelled' | 'deadline_exceeded';
}
