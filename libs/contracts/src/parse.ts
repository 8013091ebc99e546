// Shape checks for events read off the bus. They are deliberately small: they catch what would make a
// stage misbehave (a foreign or corrupted message), and say what is wrong, so the message can be
// dead-lettered with a reason a person understands.
import { LIMITS } from './limits';
import type { BreakerEvent } from './breakers';
import type { Choice, Usage } from './chat';
import { CACHE_CONTROLS, REQUEST_KINDS, reportedUsage, summarizeRequest } from './events';
import type { CallerOutcomeEvent, CancelEvent, CompletionEvent, ProviderCallEvent, ReplyEvent, RequestEvent, RequestSummary, RequestsTopicEvent, SettlementEvent, UsageEvent, UsageTopicEvent } from './events';
import { BUDGET_PERIODS } from './keys';

export class InvalidEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

// What a request id or key id may be: they key messages and rows, and are logged.
const ID = new RegExp(`^[A-Za-z0-9._:-]{1,${LIMITS.eventIdChars}}$`);
const TOPIC_NAME = new RegExp(`^[A-Za-z0-9._-]{1,${LIMITS.topicChars}}$`);

function isId(value: unknown): boolean {
  return typeof value === 'string' && ID.test(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// These run on every event at every stage: a message built from values is built only once a check has
// failed (if ... throw), never passed to ensure, which would build it for every event that passes.
function ensure(cond: unknown, what: string): asserts cond {
  if (!cond) throw new InvalidEventError(what);
}

function idRule(field: string): string {
  return `${field} must be 1-${LIMITS.eventIdChars} letters, digits, '.', '_', ':' or '-'`;
}

function ensureId(value: unknown, field: string): void {
  if (!isId(value)) throw new InvalidEventError(idRule(field));
}

function ensureKind(kind: unknown): void {
  if (!REQUEST_KINDS.includes(kind as never)) throw new InvalidEventError(`kind must be one of ${REQUEST_KINDS.join(', ')}, got ${JSON.stringify(kind)?.slice(0, 64)}`);
}

/** What a request and its summary share: who asked, where the answer goes, and by when. */
function checkRequestHeader(value: unknown): asserts value is Record<string, unknown> {
  ensure(isObject(value), 'event is not a JSON object');
  ensureId(value.request_id, 'request_id');
  ensureKind(value.kind);
  ensure(typeof value.reply_to === 'string' && TOPIC_NAME.test(value.reply_to), 'reply_to must be a Kafka topic name');
  ensure(typeof value.received_at === 'number' && Number.isFinite(value.received_at), 'received_at must be epoch milliseconds');
  ensure(typeof value.deadline_at === 'number' && Number.isFinite(value.deadline_at), 'deadline_at must be epoch milliseconds');
  ensure(value.stream === undefined || typeof value.stream === 'boolean', 'stream must be true or false');
  if (value.api_key_id !== undefined) ensureId(value.api_key_id, 'api_key_id');
  if (value.key_name !== undefined) ensureId(value.key_name, 'key_name');
  if (value.team !== undefined) ensureId(value.team, 'team');
  if (value.config_version !== undefined) ensureId(value.config_version, 'config_version');
  if (value.batch_id !== undefined) ensureId(value.batch_id, 'batch_id');
  if (value.analyze_id !== undefined) ensureId(value.analyze_id, 'analyze_id');
  if (value.limits !== undefined) checkLimits(value.limits, 'limits');
  if (value.reservation !== undefined) checkReservation(value.reservation, 'reservation');
}

export function parseRequestEvent(value: unknown): RequestEvent {
  checkRequestHeader(value);
  if (value.cache_control !== undefined && !CACHE_CONTROLS.includes(value.cache_control as never)) throw new InvalidEventError(`cache_control must be one of ${CACHE_CONTROLS.join(', ')}`);
  if (value.kind === 'chat') {
    ensure(isObject(value.chat) && Array.isArray(value.chat.messages), 'chat.messages is missing');
  } else if (value.kind === 'image_generation') {
    ensure(isObject(value.image_generation) && typeof value.image_generation.prompt === 'string', 'image_generation.prompt is missing');
  } else if (value.kind === 'transcription') {
    ensure(isObject(value.transcription) && typeof value.transcription.audio === 'string', 'transcription.audio is missing');
  } else if (value.kind === 'rerank') {
    ensure(isObject(value.rerank) && typeof value.rerank.query === 'string' && Array.isArray(value.rerank.documents), 'rerank.query or rerank.documents is missing');
  } else {
    const body = value[value.kind as 'embed' | 'moderation'];
    if (!isObject(body) || !Array.isArray(body.input)) throw new InvalidEventError(`${value.kind}.input is missing`);
  }
  ensure(value.signature === undefined || (typeof value.signature === 'string' && value.signature.length <= 64), 'signature must be a string of at most 64 characters');
  ensure(value.producer_token === undefined || (typeof value.producer_token === 'string' && value.producer_token.length <= 256), 'producer_token must be a string of at most 256 characters');
  return value as unknown as RequestEvent;
}

/** A request, or the settlement of one's limits (topic requests). */
export function parseRequestsTopicEvent(value: unknown): RequestsTopicEvent {
  return isObject(value) && value.type === 'settlement' ? parseSettlementEvent(value) : parseRequestEvent(value);
}

export function parseSettlementEvent(value: unknown): SettlementEvent {
  ensure(isObject(value) && value.type === 'settlement', 'type must be settlement');
  ensureId(value.request_id, 'request_id');
  ensure(typeof value.received_at === 'number' && Number.isFinite(value.received_at), 'received_at must be epoch milliseconds');
  checkLimits(value.limits, 'limits');
  checkReservation(value.reservation, 'reservation');
  ensure(isAmount(value.tokens), 'tokens must be a number of at least 0');
  ensure(isAmount(value.cost_usd), 'cost_usd must be a number of at least 0');
  ensure(value.signature === undefined || (typeof value.signature === 'string' && value.signature.length <= 64), 'signature must be a string of at most 64 characters');
  return value as unknown as SettlementEvent;
}

function isAmount(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function isLimit(value: unknown): boolean {
  return value === null || isAmount(value);
}

function checkLimitHolder(value: unknown, path: string): void {
  if (!isObject(value) || !isId(value.id)) throw new InvalidEventError(idRule(`${path}.id`));
  for (const field of ['rpm', 'tpm', 'budget_usd'] as const) if (!isLimit(value[field])) throw new InvalidEventError(`${path}.${field} must be null or a number of at least 0`);
  if (value.budget_period !== null && !BUDGET_PERIODS.includes(value.budget_period as never)) throw new InvalidEventError(`${path}.budget_period must be null or one of ${BUDGET_PERIODS.join(', ')}`);
}

function checkLimits(value: unknown, path: string): void {
  if (!isObject(value) || !isId(value.owner)) throw new InvalidEventError(idRule(`${path}.owner`));
  checkLimitHolder(value.key, `${path}.key`);
  if (!isLimit((value.key as Record<string, unknown>).max_concurrent)) throw new InvalidEventError(`${path}.key.max_concurrent must be null or a number of at least 0`);
  if (value.team !== undefined) checkLimitHolder(value.team, `${path}.team`);
}

function checkReservation(value: unknown, path: string): void {
  if (!isObject(value) || !isAmount(value.tokens) || !isAmount(value.cost_usd)) throw new InvalidEventError(`${path} must hold tokens and cost_usd, numbers of at least 0`);
}

function parseRequestSummary(value: unknown): RequestSummary {
  checkRequestHeader(value);
  // What the caller asked, valid or not: a completion also reports a request refused for its model.
  ensure(typeof value.model === 'string', 'model must be a string');
  return value as unknown as RequestSummary;
}

/**
 * A completion; one from a producer of before RequestSummary, which carried its request whole, is read
 * as if it carried the summary, with its answer's usage counted by `countUsage` (metering's) when its
 * provider reported none, as the summary's producer counts it.
 */
export function parseCompletionEvent(value: unknown, countUsage?: (request: RequestEvent, choices: Choice[] | undefined) => Usage): CompletionEvent {
  ensure(isObject(value), 'event is not a JSON object');
  if (isObject(value.request) && value.request.model === undefined) {
    const whole = parseRequestEvent(value.request);
    value.request = summarizeRequest(whole);
    const completion = value as unknown as CompletionEvent;
    if (countUsage && completion.status === 'ok' && !reportedUsage(completion)) completion.counted_usage = countUsage(whole, completion.chat?.choices);
  }
  parseRequestSummary(value.request);
  ensure(value.status === 'ok' || value.status === 'error' || value.status === 'cancelled', 'status must be ok, error or cancelled');
  if (value.status !== 'ok') ensure(isObject(value.error), 'error is missing on a failed completion');
  return value as unknown as CompletionEvent;
}

export function parseUsageEvent(value: unknown): UsageEvent {
  ensure(isObject(value), 'event is not a JSON object');
  ensure(typeof value.request_id === 'string' && value.request_id.length > 0, 'request_id is missing');
  ensure(typeof value.ts === 'string' && !Number.isNaN(Date.parse(value.ts)), 'ts is not an ISO 8601 time');
  ensure(typeof value.model === 'string', 'model is missing');
  ensure(typeof value.status === 'string', 'status is missing');
  for (const field of ['prompt_tokens', 'completion_tokens', 'cost_usd', 'latency_ms'] as const) {
    if (typeof value[field] !== 'number' || !Number.isFinite(value[field])) throw new InvalidEventError(`${field} is not a number`);
  }
  return value as unknown as UsageEvent;
}

export function parseCallerOutcomeEvent(value: unknown): CallerOutcomeEvent {
  ensure(isObject(value), 'event is not a JSON object');
  ensure(value.type === 'caller_outcome', 'type must be caller_outcome');
  ensure(typeof value.request_id === 'string' && value.request_id.length > 0, 'request_id is missing');
  ensure(typeof value.ts === 'string' && !Number.isNaN(Date.parse(value.ts)), 'ts is not an ISO 8601 time');
  ensure(typeof value.api_key_id === 'string', 'api_key_id is missing');
  ensureKind(value.kind);
  ensure(typeof value.stream === 'boolean', 'stream is missing');
  ensure(typeof value.model === 'string', 'model is missing');
  ensure(
    (value.status === 'error' && (value.error_code === 'deadline_exceeded' || value.error_code === 'provider_unavailable')) || (value.status === 'cancelled' && value.error_code === 'cancelled'),
    'status and error_code must be error and deadline_exceeded or provider_unavailable, or cancelled and cancelled',
  );
  return value as unknown as CallerOutcomeEvent;
}

/** A UsageEvent, or a CallerOutcomeEvent (which says so in its type). */
export function parseUsageTopicEvent(value: unknown): UsageTopicEvent {
  return isObject(value) && value.type === 'caller_outcome' ? parseCallerOutcomeEvent(value) : parseUsageEvent(value);
}

export function parseReplyEvent(value: unknown): ReplyEvent {
  ensure(isObject(value), 'event is not a JSON object');
  ensure(typeof value.request_id === 'string', 'request_id is missing');
  ensure(['chunk', 'chat', 'embed', 'moderation', 'rerank', 'image_generation', 'transcription', 'error'].includes(value.type as string), 'type is not a reply type');
  return value as unknown as ReplyEvent;
}

export function parseCancelEvent(value: unknown): CancelEvent {
  ensure(isObject(value), 'event is not a JSON object');
  ensure(typeof value.request_id === 'string', 'request_id is missing');
  return value as unknown as CancelEvent;
}

export function parseProviderCallEvent(value: unknown): ProviderCallEvent {
  ensure(isObject(value), 'event is not a JSON object');
  ensure(typeof value.request_id === 'string', 'request_id is missing');
  ensure(typeof value.deadline_at === 'number' && Number.isFinite(value.deadline_at), 'deadline_at must be a number');
  return value as unknown as ProviderCallEvent;
}

const BREAKER_STATES: readonly unknown[] = ['closed', 'open', 'half_open'];

export function parseBreakerEvent(value: unknown): BreakerEvent {
  ensure(isObject(value), 'event is not a JSON object');
  ensure(typeof value.target === 'string' && value.target.length > 0 && value.target.length <= LIMITS.modelChars * 2, 'target is missing');
  ensure(BREAKER_STATES.includes(value.state), 'state must be closed, open or half_open');
  for (const field of ['since', 'open_until', 'failures', 'openings'] as const) {
    if (typeof value[field] !== 'number' || !Number.isFinite(value[field]) || value[field] < 0) throw new InvalidEventError(`${field} must be a number, 0 or more`);
  }
  ensure(isId(value.worker), 'worker must be an instance id');
  return value as unknown as BreakerEvent;
}
