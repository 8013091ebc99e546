import type { UsageEvent } from '@switchyard/contracts';
import type { SqlClient } from './sql-client';

const COLUMNS = [
  ['request_id', 'text'],
  ['ts', 'timestamptz'],
  ['api_key_id', 'text'],
  ['kind', 'text'],
  ['stream', 'boolean'],
  ['model', 'text'],
  ['provider', 'text'],
  ['upstream_model', 'text'],
  ['prompt_tokens', 'integer'],
  ['completion_tokens', 'integer'],
  ['cached_prompt_tokens', 'integer'],
  ['tokens_estimated', 'boolean'],
  ['cost_usd', 'numeric'],
  ['latency_ms', 'double precision'],
  ['provider_latency_ms', 'double precision'],
  ['time_to_first_chunk_ms', 'double precision'],
  ['status', 'text'],
  ['error_code', 'text'],
  ['finish_reason', 'text'],
  ['metadata', 'jsonb'],
] as const;

// One statement for any number of rows: each column travels as one array parameter and unnest turns
// them back into rows. ON CONFLICT makes a redelivered event a no-op.
const INSERT_SQL = `INSERT INTO usage_events (${COLUMNS.map(([name]) => name).join(', ')})
SELECT * FROM unnest(${COLUMNS.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ')})
ON CONFLICT (request_id, ts) DO NOTHING`;

/** Writes the rows; returns how many were new. */
export async function insertUsageEvents(client: SqlClient, events: UsageEvent[]): Promise<number> {
  if (events.length === 0) return 0;
  const columns: unknown[][] = COLUMNS.map(() => new Array(events.length));
  events.forEach((event, row) => {
    COLUMNS.forEach(([name], column) => {
      const value = event[name as keyof UsageEvent];
      columns[column][row] = name === 'metadata' ? JSON.stringify(value ?? {}) : value ?? null;
    });
  });
  const result = await client.query<{ n: number }>(`WITH inserted AS (${INSERT_SQL} RETURNING 1) SELECT count(*)::int AS n FROM inserted`, columns);
  return result.rows[0]?.n ?? 0;
}
