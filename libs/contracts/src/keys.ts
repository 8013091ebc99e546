// Virtual keys and teams as the admin API (HTTP, gRPC aigateway.v1.Admin, the CLI) shows and takes them,
// and the validation of what it takes: every field bounded once, here (bounds in limits.ts, KEY_LIMITS).
import { InvalidFieldError } from './errors';
import { KEY_LIMITS, LIMITS } from './limits';
import { checkMetadata, checkNumber, checkOneOf, checkString, objectAt } from './validate';

export const BUDGET_PERIODS = ['day', 'week', 'month', 'total'] as const;
export type BudgetPeriod = (typeof BUDGET_PERIODS)[number];

/** `revoked` is final: a revoked key or team is never accepted again. */
export type KeyStatus = 'active' | 'revoked';

/** The limits a key and a team share; null is no limit. */
export interface Limits {
  rpm: number | null;
  tpm: number | null;
  budget_usd: number | null;
  /** Calendar periods in UTC; `total` never resets. Set exactly when budget_usd is. */
  budget_period: BudgetPeriod | null;
}

/** A virtual key as the admin API shows it: never its secret, which is shown once, at creation. */
export interface VirtualKey extends Limits {
  /** vk_ and 16 hex digits: the api_key_id of its requests' usage rows. */
  id: string;
  name: string;
  /** The name of the team whose limits also bound it, if any. */
  team: string | null;
  /** Model names or globs (`*`, `?`) it may use; empty: every model. */
  models: string[];
  max_concurrent: number | null;
  /** ISO 8601; after it the key is refused. */
  expires_at: string | null;
  metadata: Record<string, string>;
  status: KeyStatus;
  created_at: string;
  updated_at: string;
}

export interface Team extends Limits {
  /** team_ and 16 hex digits. */
  id: string;
  /** Keys name their team by it; it never changes. */
  name: string;
  metadata: Record<string, string>;
  status: KeyStatus;
  created_at: string;
  updated_at: string;
}

/** The answer to creating a key: the key, and its secret, this once. */
export interface CreatedKey extends VirtualKey {
  key: string;
}

/** A key's fields as given to create or change it: absent leaves a field as it is (or unset), null clears it. */
export type KeyInput = Partial<Omit<VirtualKey, 'id' | 'status' | 'created_at' | 'updated_at'>>;
export type TeamInput = Partial<Omit<Team, 'id' | 'status' | 'created_at' | 'updated_at'>>;

/** What a key spent and used since a time, and what is left of its budget. */
export interface KeyUsage {
  key_id: string;
  key_name: string;
  team: string | null;
  since: string;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
  /** The key's budget in its current period; null without one. */
  budget: { budget_usd: number; period: BudgetPeriod; spent_usd: number; remaining_usd: number; resets_at: string | null } | null;
  /** Requests and tokens over the last minute, from the usage rows: the rates its RPM and TPM bound. */
  last_minute: { requests: number; tokens: number };
}

const KEY_FIELDS = ['name', 'team', 'models', 'rpm', 'tpm', 'max_concurrent', 'budget_usd', 'budget_period', 'expires_at', 'metadata'] as const;
const TEAM_FIELDS = ['name', 'rpm', 'tpm', 'budget_usd', 'budget_period', 'metadata'] as const;

// Key and team names travel in events, rows, logs and headers: id characters only, starting with a letter or digit.
export const KEY_AND_TEAM_NAME = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
// A glob is a model name with `*` and `?`.
const MODEL_GLOB = /^[^\s*?]*(?:[*?][^\s*?]*)*$/;

/** A create (`creating`) or change request's body for a key, checked; unknown fields are refused. */
export function validateKeyInput(body: unknown, creating: boolean, now = Date.now()): KeyInput {
  const fields = fieldsOf(body, KEY_FIELDS);
  const input: KeyInput = {};
  if (creating || fields.name !== undefined) input.name = checkName(fields.name, 'name');
  if (fields.team !== undefined) input.team = fields.team === null ? null : checkName(fields.team, 'team');
  if (fields.models !== undefined) input.models = fields.models === null ? [] : checkModels(fields.models);
  Object.assign(input, checkLimits(fields, creating));
  if (fields.max_concurrent !== undefined) input.max_concurrent = checkRate(fields.max_concurrent, 'max_concurrent');
  if (fields.expires_at !== undefined) input.expires_at = fields.expires_at === null ? null : checkExpiry(fields.expires_at, now);
  if (fields.metadata !== undefined) input.metadata = fields.metadata === null ? {} : metadataOf(fields.metadata);
  return input;
}

/** A create or change request's body for a team; a team's name is given once, at creation. */
export function validateTeamInput(body: unknown, creating: boolean): TeamInput {
  const fields = fieldsOf(body, TEAM_FIELDS);
  const input: TeamInput = {};
  if (creating) input.name = checkName(fields.name, 'name');
  else if (fields.name !== undefined) throw new InvalidFieldError('name', 'of a team cannot change: keys name their team by it');
  Object.assign(input, checkLimits(fields, creating));
  if (fields.metadata !== undefined) input.metadata = fields.metadata === null ? {} : metadataOf(fields.metadata);
  return input;
}

/** A key or team id in a path: the admin API's own ids only, so nothing else reaches a query or a log. */
export function checkEntityId(value: string, prefix: 'vk_' | 'team_'): string {
  if (!new RegExp(`^${prefix}[0-9a-f]{16}$`).test(value)) throw new InvalidFieldError('id', `is not a ${prefix === 'vk_' ? 'key' : 'team'} id (${prefix} and 16 hex digits)`);
  return value;
}

function fieldsOf(body: unknown, known: readonly string[]): Record<string, unknown> {
  const fields = objectAt(body, 'body');
  for (const name of Object.keys(fields)) {
    if (!known.includes(name)) throw new InvalidFieldError(name.length > 64 ? `${name.slice(0, 64)}...` : name, `is not a field this takes; expected ${known.join(', ')}`);
  }
  return fields;
}

function checkName(value: unknown, path: string): string {
  if (value === undefined || value === null || value === '') throw new InvalidFieldError(path, 'is required');
  checkString(value, path, { min: 1, max: KEY_LIMITS.nameChars });
  if (!KEY_AND_TEAM_NAME.test(value as string)) throw new InvalidFieldError(path, "must start with a letter or digit and hold only letters, digits, '.', '_', ':' and '-'");
  return value as string;
}

function checkModels(value: unknown): string[] {
  if (!Array.isArray(value)) throw new InvalidFieldError('models', 'must be an array of model names or globs');
  if (value.length > KEY_LIMITS.models) throw new InvalidFieldError('models', `holds ${value.length} entries; at most ${KEY_LIMITS.models} are accepted`);
  value.forEach((model, i) => {
    checkString(model, `models[${i}]`, { min: 1, max: LIMITS.modelChars });
    if (!MODEL_GLOB.test(model)) throw new InvalidFieldError(`models[${i}]`, 'must be a model name, or a glob of one with * and ?, without spaces');
  });
  return [...new Set(value as string[])];
}

function checkRate(value: unknown, path: string): number | null {
  if (value === null) return null;
  if (value === undefined) throw new InvalidFieldError(path, 'must be a number');
  checkNumber(value, path, 1, KEY_LIMITS.maxRate, true);
  return value as number;
}

function checkLimits(fields: Record<string, unknown>, creating: boolean): Partial<Limits> {
  const limits: Partial<Limits> = {};
  if (fields.rpm !== undefined) limits.rpm = checkRate(fields.rpm, 'rpm');
  if (fields.tpm !== undefined) limits.tpm = checkRate(fields.tpm, 'tpm');
  if (fields.budget_usd !== undefined) {
    if (fields.budget_usd !== null) {
      checkNumber(fields.budget_usd, 'budget_usd', 0, KEY_LIMITS.maxBudgetUsd, false);
      if (fields.budget_usd === 0) throw new InvalidFieldError('budget_usd', 'must be more than 0 (null removes the budget)');
    }
    limits.budget_usd = fields.budget_usd as number | null;
  }
  if (fields.budget_period !== undefined && fields.budget_period !== null) checkOneOf(fields.budget_period, 'budget_period', BUDGET_PERIODS);
  if (fields.budget_period !== undefined) limits.budget_period = fields.budget_period as BudgetPeriod | null;
  // A budget without its period (or the reverse) would leave the reader to guess when it resets.
  if (limits.budget_usd === null && limits.budget_period === undefined) limits.budget_period = null;
  if (creating && (typeof limits.budget_usd === 'number') !== (typeof limits.budget_period === 'string')) {
    throw new InvalidFieldError(limits.budget_usd ? 'budget_period' : 'budget_usd', `is required with ${limits.budget_usd ? 'budget_usd' : 'budget_period'} (periods: ${BUDGET_PERIODS.join(', ')})`);
  }
  return limits;
}

function checkExpiry(value: unknown, now: number): string {
  checkString(value, 'expires_at', { min: 1, max: 64 });
  const time = /^\d{4}-\d{2}-\d{2}T/.test(value as string) ? Date.parse(value as string) : NaN;
  if (Number.isNaN(time)) throw new InvalidFieldError('expires_at', 'must be an ISO 8601 time, such as 2030-01-31T00:00:00Z');
  if (time <= now) throw new InvalidFieldError('expires_at', 'is in the past');
  return new Date(time).toISOString();
}

function metadataOf(value: unknown): Record<string, string> {
  checkMetadata(value);
  return { ...(value as Record<string, string>) };
}

/** Where a key's or team's budget period began and when it resets (UTC calendar periods; weeks start on Monday). */
export function budgetPeriodAt(period: BudgetPeriod, now: Date): { start: Date; resets_at: Date | null } {
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const DAY_MS = 86_400_000;
  switch (period) {
    case 'day':
      return { start: new Date(day), resets_at: new Date(day + DAY_MS) };
    case 'week': {
      const start = day - ((now.getUTCDay() + 6) % 7) * DAY_MS;
      return { start: new Date(start), resets_at: new Date(start + 7 * DAY_MS) };
    }
    case 'month':
      return { start: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)), resets_at: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)) };
    case 'total':
      return { start: new Date(0), resets_at: null };
  }
}

const SINCE_UNITS_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };
const SINCE_MAX_MS = 3_650 * 86_400_000;

/** A usage query's start: a span back from now (`30m`, `24h`, `7d`) or an ISO 8601 time; absent, 30 days. */
export function parseSince(value: unknown, now: Date): Date {
  if (value === undefined || value === null || value === '') return new Date(now.getTime() - 30 * SINCE_UNITS_MS.d);
  return parseTimeOrSpan(value, 'since', now);
}

/** A time a caller gives as a span back from now (`30m`, `24h`, `7d`) or as an ISO 8601 time. */
export function parseTimeOrSpan(value: unknown, path: string, now: Date): Date {
  checkString(value, path, { min: 1, max: 64 });
  const span = /^(\d{1,6})([mhd])$/.exec(value as string);
  if (span) {
    const ms = Number(span[1]) * SINCE_UNITS_MS[span[2]];
    if (ms > SINCE_MAX_MS) throw new InvalidFieldError(path, `reaches back more than ${SINCE_MAX_MS / SINCE_UNITS_MS.d} days`);
    return new Date(now.getTime() - ms);
  }
  const time = /^\d{4}-\d{2}-\d{2}/.test(value as string) ? Date.parse(value as string) : NaN;
  if (Number.isNaN(time)) throw new InvalidFieldError(path, 'must be a span such as 30m, 24h or 7d, or an ISO 8601 time');
  return new Date(time);
}

/** How many keys or teams a list answer holds: `limit` when given, at most KEY_LIMITS.listPage. */
export function parseListLimit(value: unknown): number {
  if (value === undefined || value === null || value === '' || value === 0) return KEY_LIMITS.listPage;
  const limit = typeof value === 'string' && /^\d{1,7}$/.test(value) ? Number(value) : value;
  checkNumber(limit, 'limit', 1, KEY_LIMITS.listPage, true);
  return limit as number;
}

/** A Kafka producer's token for a virtual key: it sends requests to switchyard.requests as that key (docs/keys.md). */
export interface ProducerToken {
  key_id: string;
  token: string;
  expires_at: string;
}
