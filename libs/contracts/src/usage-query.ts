// The usage API (GET /admin/v1/usage, docs/dashboard.md): what it takes, checked once here whatever
// door it came in by, and what it answers. Every value is bounded (USAGE_LIMITS), so one query reads
// a bounded range and answers a bounded number of groups and buckets.
import { InvalidFieldError } from './errors';
import { parseTimeOrSpan } from './keys';
import { USAGE_LIMITS } from './limits';
import { checkOneOf, checkString } from './validate';

/** What usage can be grouped by: columns of usage_events (`key` is api_key_id). */
export const USAGE_DIMENSIONS = ['model', 'provider', 'key', 'team', 'status', 'error_code'] as const;
export type UsageDimension = (typeof USAGE_DIMENSIONS)[number];

/** The filters a query may set: each one a column that must equal the value. */
export const USAGE_FILTERS = ['model', 'provider', 'key', 'team'] as const;
export type UsageFilter = (typeof USAGE_FILTERS)[number];

/** Bucket widths of the time series, aligned on UTC. */
export const USAGE_BUCKET_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
export type UsageBucket = keyof typeof USAGE_BUCKET_MS;
const BUCKETS = Object.keys(USAGE_BUCKET_MS) as UsageBucket[];

const PARAMETERS = ['group_by', 'from', 'to', 'bucket', 'limit', ...USAGE_FILTERS];
const DEFAULT_RANGE_MS = USAGE_BUCKET_MS.day;

export interface UsageQuery {
  /** Rows with from <= ts < to. */
  from: Date;
  to: Date;
  bucket: UsageBucket;
  group_by: UsageDimension[];
  filters: Partial<Record<UsageFilter, string>>;
  /** The most groups the answer holds. */
  limit: number;
}

/**
 * A query's parameters, as name and value pairs (a URL's query string, a message's fields): unknown or
 * repeated names are refused. `from` and `to` are ISO 8601 times or spans back from now (`15m`, `24h`,
 * `7d`), by default the last day; `bucket` by default the narrowest that keeps the series within
 * USAGE_LIMITS.buckets.
 */
export function parseUsageQuery(parameters: Iterable<[string, unknown]>, now: Date): UsageQuery {
  const given: Record<string, unknown> = {};
  for (const [name, value] of parameters) {
    if (!PARAMETERS.includes(name)) throw new InvalidFieldError(clipped(name), `is not a parameter of the usage API; expected ${PARAMETERS.join(', ')}`);
    if (name in given) throw new InvalidFieldError(name, 'is given more than once');
    if (value !== undefined && value !== null && value !== '') given[name] = value;
  }
  const to = given.to === undefined ? now : parseTimeOrSpan(given.to, 'to', now);
  const from = given.from === undefined ? new Date(to.getTime() - DEFAULT_RANGE_MS) : parseTimeOrSpan(given.from, 'from', now);
  if (from.getTime() >= to.getTime()) throw new InvalidFieldError('from', `must be before to (from ${from.toISOString()}, to ${to.toISOString()})`);
  const bucket = given.bucket === undefined ? narrowestBucket(from, to) : checkedBucket(given.bucket);
  const buckets = bucketCount(from, to, bucket);
  if (buckets > USAGE_LIMITS.buckets) {
    throw new InvalidFieldError('bucket', `${bucket} makes ${buckets} buckets from ${from.toISOString()} to ${to.toISOString()}; at most ${USAGE_LIMITS.buckets} are served: take a wider bucket or a shorter range`);
  }
  const filters: UsageQuery['filters'] = {};
  for (const name of USAGE_FILTERS) {
    if (given[name] === undefined) continue;
    checkString(given[name], name, { min: 1, max: USAGE_LIMITS.filterChars });
    filters[name] = given[name] as string;
  }
  return { from, to, bucket, group_by: groupByOf(given.group_by), filters, limit: limitOf(given.limit) };
}

/** The start of each bucket that holds part of [from, to), in order, for a query parseUsageQuery passed. */
export function bucketStarts(from: Date, to: Date, bucket: UsageBucket): Date[] {
  const width = USAGE_BUCKET_MS[bucket];
  const first = Math.floor(from.getTime() / width) * width;
  return Array.from({ length: bucketCount(from, to, bucket) }, (_, i) => new Date(first + i * width));
}

function bucketCount(from: Date, to: Date, bucket: UsageBucket): number {
  const width = USAGE_BUCKET_MS[bucket];
  return Math.ceil((to.getTime() - Math.floor(from.getTime() / width) * width) / width);
}

function narrowestBucket(from: Date, to: Date): UsageBucket {
  return BUCKETS.find((bucket) => bucketCount(from, to, bucket) <= USAGE_LIMITS.buckets) ?? 'day';
}

function checkedBucket(value: unknown): UsageBucket {
  checkOneOf(value, 'bucket', BUCKETS);
  return value as UsageBucket;
}

function groupByOf(value: unknown): UsageDimension[] {
  if (value === undefined) return [];
  checkString(value, 'group_by', { min: 1, max: 256 });
  const dimensions = (value as string).split(',').map((name) => name.trim());
  for (const name of dimensions) checkOneOf(name, 'group_by', USAGE_DIMENSIONS);
  if (new Set(dimensions).size !== dimensions.length) throw new InvalidFieldError('group_by', `names a dimension twice (${value as string})`);
  return dimensions as UsageDimension[];
}

function limitOf(value: unknown): number {
  if (value === undefined) return USAGE_LIMITS.defaultGroups;
  const limit = typeof value === 'string' && /^\d{1,7}$/.test(value) ? Number(value) : value;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > USAGE_LIMITS.groups) {
    throw new InvalidFieldError('limit', `is ${JSON.stringify(value)}; it must be an integer between 1 and ${USAGE_LIMITS.groups}`);
  }
  return limit;
}

function clipped(name: string): string {
  return name.length > 64 ? `${name.slice(0, 64)}...` : name;
}

/** Latency percentiles in milliseconds (total, as the caller saw it); null where there are no rows. */
export interface UsageLatency {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** Usage of a set of rows. errors counts rows with status `error`. */
export interface UsageFigures {
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cached_prompt_tokens: number;
  cost_usd: number;
  latency_ms: UsageLatency;
}

/** One group: its dimensions' values (null where the rows have none), key_name too when grouped by key. */
export type UsageGroup = Partial<Record<UsageDimension | 'key_name', string | null>> & UsageFigures;

/** One bucket of the time series, from `start` for the bucket's width. */
export type UsagePoint = { start: string } & UsageFigures;

export interface UsageReport {
  from: string;
  to: string;
  bucket: UsageBucket;
  group_by: UsageDimension[];
  filters: UsageQuery['filters'];
  totals: UsageFigures;
  /** The busiest first (most requests), at most the query's limit. */
  groups: UsageGroup[];
  /** Every bucket of the range, empty ones included. */
  series: UsagePoint[];
}
