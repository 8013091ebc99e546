// Shape checks for events read off the bus. They are deliberately small: they catch what would make a
// stage misbehave (a foreign or corrupted message), and say what is wrong, so the message can be
// dead-lettered with a reason a person understands.
import type { CallerOutcomeEvent, CancelEvent, CompletionEvent, ReplyEvent, RequestEvent, UsageEvent, UsageTopicEvent } from './events';

export class InvalidEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function require(cond: unknown, what: string): asserts cond {
  if (!cond) throw new InvalidEventError(what);
}

export function parseRequestEvent(value: unknown): RequestEvent {
  require(isObject(value), 'event is not a JSON object');
  require(typeof value.request_id === 'string' && value.request_id.length > 0, 'request_id is missing');
  require(value.kind === 'chat' || value.kind === 'embed', `kind must be chat or embed, got ${JSON.stringify(value.kind)}`);
  require(typeof value.reply_to === 'string', 'reply_to is missing');
  require(typeof value.received_at === 'number', 'received_at is missing');
  require(typeof value.deadline_at === 'number', 'deadline_at is missing');
  if (value.kind === 'chat') {
    require(isObject(value.chat) && Array.isArray(value.chat.messages), 'chat.messages is missing');
  } else {
    require(isObject(value.embed) && Array.isArray(value.embed.input), 'embed.input is missing');
  }
  return value as unknown as RequestEvent;
}

export function parseCompletionEvent(value: unknown): CompletionEvent {
  require(isObject(value), 'event is not a JSON object');
  parseRequestEvent(value.request);
  require(value.status === 'ok' || value.status === 'error' || value.status === 'cancelled', 'status must be ok, error or cancelled');
  if (value.status !== 'ok') require(isObject(value.error), 'error is missing on a failed completion');
  return value as unknown as CompletionEvent;
}

export function parseUsageEvent(value: unknown): UsageEvent {
  require(isObject(value), 'event is not a JSON object');
  require(typeof value.request_id === 'string' && value.request_id.length > 0, 'request_id is missing');
  require(typeof value.ts === 'string' && !Number.isNaN(Date.parse(value.ts)), 'ts is not an ISO 8601 time');
  require(typeof value.model === 'string', 'model is missing');
  require(typeof value.status === 'string', 'status is missing');
  for (const field of ['prompt_tokens', 'completion_tokens', 'cost_usd', 'latency_ms'] as const) {
    require(typeof value[field] === 'number' && Number.isFinite(value[field]), `${field} is not a number`);
  }
  return value as unknown as UsageEvent;
}

export function parseCallerOutcomeEvent(value: unknown): CallerOutcomeEvent {
  require(isObject(value), 'event is not a JSON object');
  require(value.type === 'caller_outcome', 'type must be caller_outcome');
  require(typeof value.request_id === 'string' && value.request_id.length > 0, 'request_id is missing');
  require(typeof value.ts === 'string' && !Number.isNaN(Date.parse(value.ts)), 'ts is not an ISO 8601 time');
  require(typeof value.api_key_id === 'string', 'api_key_id is missing');
  require(value.kind === 'chat' || value.kind === 'embed', `kind must be chat or embed, got ${JSON.stringify(value.kind)}`);
  require(typeof value.stream === 'boolean', 'stream is missing');
  require(typeof value.model === 'string', 'model is missing');
  require(
    (value.status === 'error' && value.error_code === 'deadline_exceeded') || (value.status === 'cancelled' && value.error_code === 'cancelled'),
    'status and error_code must be error and deadline_exceeded, or cancelled and cancelled',
  );
  return value as unknown as CallerOutcomeEvent;
}

/** A UsageEvent, or a CallerOutcomeEvent (which says so in its type). */
export function parseUsageTopicEvent(value: unknown): UsageTopicEvent {
  return isObject(value) && value.type === 'caller_outcome' ? parseCallerOutcomeEvent(value) : parseUsageEvent(value);
}

export function parseReplyEvent(value: unknown): ReplyEvent {
  require(isObject(value), 'event is not a JSON object');
  require(typeof value.request_id === 'string', 'request_id is missing');
  require(['chunk', 'chat', 'embed', 'error'].includes(value.type as string), 'type is not a reply type');
  return value as unknown as ReplyEvent;
}

export function parseCancelEvent(value: unknown): CancelEvent {
  require(isObject(value), 'event is not a JSON object');
  require(typeof value.request_id === 'string', 'request_id is missing');
  return value as unknown as CancelEvent;
}
