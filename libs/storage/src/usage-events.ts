import type { CallerOutcomeEvent, UsageEvent, UsageTopicEvent } from '@switchyard/contracts';
import type { SqlClient } from './sql-client';

/**
 * A usage_events row: metering's UsageEvent, a caller outcome, or both merged. `metered` says metering's
 * part has arrived (tokens, cost, provider, latencies); `caller_outcome` that status and error_code are
 * what the ingress told the caller, which win over what the pipeline reported.
 */
export type UsageRow = UsageEvent & {
  metered: boolean;
  caller_outcome: boolean;
  /** The fields replaced because the database refused them as sent (see sanitise.ts), comma-separated; absent or null for a row written as sent. */
  sanitised?: string | null;
};

// The one definition of a usage_events column: its name, its SQL type (the table's and the insert's),
// what else the table says of it, and which part of a request's row it comes from when both parts
// arrive: the key's columns are the same in both; status and error_code are the caller's; every other
// column is metering's. The table (schema.ts), the insert and COPY below are derived from this list, and
// the compiler checks it against UsageRow (below). Adding a column: a line here and a migration that
// adds it (migrations.ts).
export const USAGE_ROW_COLUMNS = [
  ['request_id', 'text', 'NOT NULL', 'key'],
  ['ts', 'timestamptz', 'NOT NULL', 'key'],
  ['api_key_id', 'text', 'NOT NULL', 'metering'],
  ['kind', 'text', 'NOT NULL', 'metering'],
  ['stream', 'boolean', 'NOT NULL', 'metering'],
  ['model', 'text', 'NOT NULL', 'metering'],
  ['provider', 'text', '', 'metering'],
  ['upstream_model', 'text', '', 'metering'],
  ['prompt_tokens', 'integer', 'NOT NULL', 'metering'],
  ['completion_tokens', 'integer', 'NOT NULL', 'metering'],
  ['cached_prompt_tokens', 'integer', 'NOT NULL DEFAULT 0', 'metering'],
  ['tokens_estimated', 'boolean', 'NOT NULL DEFAULT false', 'metering'],
  ['cost_usd', 'numeric(20, 10)', 'NOT NULL', 'metering'],
  ['latency_ms', 'double precision', 'NOT NULL', 'metering'],
  ['provider_latency_ms', 'double precision', 'NOT NULL', 'metering'],
  ['time_to_first_chunk_ms', 'double precision', '', 'metering'],
  ['status', 'text', 'NOT NULL', 'caller'],
  ['error_code', 'text', '', 'caller'],
  ['finish_reason', 'text', '', 'metering'],
  ['metadata', 'jsonb', "NOT NULL DEFAULT '{}'::jsonb", 'metering'],
  ['sanitised', 'text', '', 'metering'],
  // A table made before the column held metering's rows alone.
  ['metered', 'boolean', 'NOT NULL DEFAULT true', 'flag'],
  ['caller_outcome', 'boolean', 'NOT NULL DEFAULT false', 'flag'],
  ['attempts', 'integer', '', 'metering'],
  ['route_path', 'text', '', 'metering'],
  ['failed_attempts', 'jsonb', '', 'metering'],
  ['key_name', 'text', '', 'metering'],
  ['team', 'text', '', 'metering'],
  ['config_version', 'text', '', 'metering'],
  ['guardrail_findings', 'jsonb', '', 'metering'],
  ['cache', 'text', '', 'metering'],
  ['cost_saved_usd', 'numeric(20, 10)', 'NOT NULL DEFAULT 0', 'metering'],
  ['cache_embed_tokens', 'integer', 'NOT NULL DEFAULT 0', 'metering'],
  ['cache_embed_cost_usd', 'numeric(20, 10)', 'NOT NULL DEFAULT 0', 'metering'],
  ['batch_id', 'text', '', 'metering'],
  ['search_units', 'integer', 'NOT NULL DEFAULT 0', 'metering'],
  ['images', 'integer', 'NOT NULL DEFAULT 0', 'metering'],
  ['analyze_id', 'text', '', 'metering'],
  ['guardrail_model_tokens', 'integer', 'NOT NULL DEFAULT 0', 'metering'],
  ['guardrail_model_cost_usd', 'numeric(20, 10)', 'NOT NULL DEFAULT 0', 'metering'],
  ['audio_seconds', 'double precision', 'NOT NULL DEFAULT 0', 'metering'],
] as const;

export type UsageColumnName = (typeof USAGE_ROW_COLUMNS)[number][0];

// Compile-time checks that the list and the row agree: a field of UsageRow without a column, or a
// column without a field, makes one of these types non-empty and its assignment fail.
const everyFieldHasAColumn: Record<Exclude<keyof UsageRow, UsageColumnName>, never> = {};
const everyColumnHasAField: Record<Exclude<UsageColumnName, keyof UsageRow>, never> = {};
void everyFieldHasAColumn;
void everyColumnHasAField;

const COLUMN_LIST = USAGE_ROW_COLUMNS.map(([name]) => name).join(', ');

// On a Postgres server rows go in by COPY: it costs the server about 60% of what the INSERT below does
// (measured, 100,000 rows: 6.6-7.7 against 10.5-12.8 µs of server CPU a row, and the client 2.8-3.9
// against 3.7-5.6), as COPY inserts rows in bulk and skips ON CONFLICT's speculative insertion (a staging
// table with INSERT ... SELECT ... ON CONFLICT saved nothing). COPY knows no ON CONFLICT: if a row is
// already there (a redelivery, or the other part of its request), the whole COPY fails with 23505 and
// writes nothing, and the batch goes again through the INSERT, which merges such rows.
const COPY_SQL = `COPY usage_events (${COLUMN_LIST}) FROM STDIN`;

// One statement for any number of rows: each column travels as one array parameter and unnest turns
// them back into rows. PGlite (embedded) has no COPY from a client stream, and takes small batches anyway.
// A row already there is merged by the rules of mergeUsageRows, with the stored row first; a part
// that is there already (a redelivery) changes nothing and is not written again.
const INSERT_SQL = `INSERT INTO usage_events (${COLUMN_LIST})
SELECT * FROM unnest(${USAGE_ROW_COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})
ON CONFLICT (request_id, ts) DO UPDATE SET
${USAGE_ROW_COLUMNS.filter(([, , , part]) => part !== 'key')
  .map(([name, , , part]) => {
    if (part === 'flag') return `  ${name} = usage_events.${name} OR EXCLUDED.${name}`;
    const flag = part === 'metering' ? 'metered' : 'caller_outcome';
    return `  ${name} = CASE WHEN usage_events.${flag} OR NOT EXCLUDED.${flag} THEN usage_events.${name} ELSE EXCLUDED.${name} END`;
  })
  .join(',\n')}
WHERE (EXCLUDED.metered AND NOT usage_events.metered) OR (EXCLUDED.caller_outcome AND NOT usage_events.caller_outcome)`;

/**
 * Writes the rows, all or none, in one statement (two when a row is already there), merging the parts
 * of a request into its one row whichever comes first; returns how many rows were written, new or
 * merged (a part already there is not written again). A row the database refuses fails the call with
 * the database's error (see classifyDatabaseError).
 */
export async function insertUsageEvents(client: SqlClient, events: (UsageTopicEvent | UsageRow)[]): Promise<number> {
  if (events.length === 0) return 0;
  // One statement's ON CONFLICT DO UPDATE may not touch a row twice (SQLSTATE 21000), and COPY refuses a
  // key twice: a request's parts in one batch are merged first. The usual batch, metering's rows alone,
  // is written as it is, without copying each row into a merged one.
  const rows = needsMerge(events) ? mergeBatch(events) : (events as UsageEvent[]);
  if (client.copyFrom) {
    try {
      return await client.copyFrom(COPY_SQL, copyText(rows));
    } catch (error) {
      if ((error as { code?: unknown }).code !== UNIQUE_VIOLATION) throw error;
    }
  }
  const columns: unknown[][] = USAGE_ROW_COLUMNS.map(() => new Array(rows.length));
  rows.forEach((row, index) => {
    USAGE_ROW_COLUMNS.forEach(([name, type], column) => {
      const value = columnValue(row, name);
      columns[column][index] = name === 'metadata' ? JSON.stringify(value ?? {}) : type === 'jsonb' && value ? JSON.stringify(value) : value ?? null;
    });
  });
  const result = await client.query<{ n: number }>(`WITH written AS (${INSERT_SQL} RETURNING 1) SELECT count(*)::int AS n FROM written`, columns);
  return result.rows[0]?.n ?? 0;
}

/** The row an event stands for on its own: a caller outcome has no tokens or cost until metering's part comes. */
export function usageRowOf(event: UsageTopicEvent | UsageRow): UsageRow {
  if ('metered' in event) return event;
  if (!isCallerOutcome(event)) return { ...event, metered: true, caller_outcome: false };
  return {
    request_id: event.request_id,
    ts: event.ts,
    api_key_id: event.api_key_id,
    key_name: event.key_name ?? null,
    team: event.team ?? null,
    kind: event.kind,
    stream: event.stream,
    model: event.model,
    provider: null,
    upstream_model: null,
    prompt_tokens: 0,
    completion_tokens: 0,
    cached_prompt_tokens: 0,
    tokens_estimated: false,
    cost_usd: 0,
    latency_ms: 0,
    provider_latency_ms: 0,
    time_to_first_chunk_ms: null,
    status: event.status,
    error_code: event.error_code,
    finish_reason: null,
    metadata: {},
    metered: false,
    caller_outcome: true,
  };
}

function isCallerOutcome(event: UsageTopicEvent | UsageRow): event is CallerOutcomeEvent {
  return (event as Partial<CallerOutcomeEvent>).type === 'caller_outcome';
}

/**
 * Two rows of one request as one; `stored` is the one that came first. Each part is taken from the
 * first row that has it: status and error_code from the caller's outcome, everything else from metering.
 * INSERT_SQL applies the same rules to a row already in the table.
 */
export function mergeUsageRows(stored: UsageRow, incoming: UsageRow): UsageRow {
  const metering = stored.metered || !incoming.metered ? stored : incoming;
  const caller = stored.caller_outcome || !incoming.caller_outcome ? stored : incoming;
  return {
    ...metering,
    status: caller.status,
    error_code: caller.error_code,
    metered: stored.metered || incoming.metered,
    caller_outcome: stored.caller_outcome || incoming.caller_outcome,
  };
}

const ZERO_WHEN_ABSENT = new Set<string>(['cost_saved_usd', 'cache_embed_tokens', 'cache_embed_cost_usd', 'search_units', 'images', 'guardrail_model_tokens', 'guardrail_model_cost_usd', 'audio_seconds']);

/** A row's value of a column; a UsageEvent on its own is metering's part alone. */
function columnValue(row: UsageEvent | UsageRow, name: (typeof USAGE_ROW_COLUMNS)[number][0]): unknown {
  if (name === 'metered') return (row as Partial<UsageRow>).metered ?? true;
  if (name === 'caller_outcome') return (row as Partial<UsageRow>).caller_outcome ?? false;
  if (name === 'sanitised') return (row as Partial<UsageRow>).sanitised ?? null;
  // A caller outcome's part, and metering's from before these columns came, saved, embedded, counted and checked nothing.
  if (ZERO_WHEN_ABSENT.has(name)) return row[name as keyof UsageEvent] ?? 0;
  return row[name];
}

/** Whether the batch holds a caller outcome or a request twice. */
function needsMerge(events: (UsageTopicEvent | UsageRow)[]): boolean {
  const requests = new Set<string>();
  for (const event of events) {
    if (isCallerOutcome(event) || (event as Partial<UsageRow>).caller_outcome === true || requests.has(event.request_id)) return true;
    requests.add(event.request_id);
  }
  return false;
}

/** The batch's rows, one a request, merged in the order they came. */
function mergeBatch(events: (UsageTopicEvent | UsageRow)[]): UsageRow[] {
  const rows = new Map<string, UsageRow>();
  for (const event of events) {
    const row = usageRowOf(event);
    // The table's key compares times, not their text.
    const key = `${Date.parse(row.ts)} ${row.request_id}`;
    const stored = rows.get(key);
    rows.set(key, stored ? mergeUsageRows(stored, row) : row);
  }
  return [...rows.values()];
}

const UNIQUE_VIOLATION = '23505';

/**
 * The rows in COPY's text format: a line a row, tab between columns, \N for null, and backslash,
 * tab, newline and carriage return escaped. Values are turned into text as pg does for the INSERT's
 * parameters, so both paths accept and refuse the same rows.
 */
export function copyText(rows: (UsageEvent | UsageRow)[]): string {
  let text = '';
  for (const row of rows) {
    let line = '';
    for (let column = 0; column < USAGE_ROW_COLUMNS.length; column++) {
      const name = USAGE_ROW_COLUMNS[column][0];
      const value = columnValue(row, name);
      if (column > 0) line += '\t';
      line += name === 'metadata' ? copyField(JSON.stringify(value ?? {})) : copyField(value);
    }
    text += line + '\n';
  }
  return text;
}

const SPECIAL = /[\\\t\n\r]/;
const SPECIALS = /[\\\t\n\r]/g;
const ESCAPED: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

function copyField(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return SPECIAL.test(value) ? value.replace(SPECIALS, (char) => ESCAPED[char]) : value;
    case 'number':
    case 'bigint':
      return String(value);
    case 'boolean':
      return value ? 't' : 'f';
    case 'undefined':
      return '\\N';
    default:
      return value === null ? '\\N' : copyField(JSON.stringify(value));
  }
}
