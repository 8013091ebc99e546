// The analytics schema. usage_events is a TimescaleDB hypertable where the extension is available,
// and otherwise a plain Postgres table partitioned by month; queries are the same on both.
import type { SqlClient } from './sql-client';

export type UsageEventsLayout = 'timescaledb-hypertable' | 'postgres-partitioned';

// Columns added after the table's first version, which a table made before them gains at start.
// sanitised names the fields replaced in a row the database refused as sent. A request's row merges
// metering's usage with, for the few calls the ingress ended itself, what the caller got: metered is
// false until metering's part arrives (tokens and cost are then 0), and caller_outcome true when
// status and error_code are the caller's rather than the pipeline's.
const ADDED_COLUMNS = [
  'sanitised text',
  'metered boolean NOT NULL DEFAULT true',
  'caller_outcome boolean NOT NULL DEFAULT false',
  'attempts integer',
  'route_path text',
  'failed_attempts jsonb',
  'key_name text',
  'team text',
  'config_version text',
  'guardrail_findings jsonb',
  'cache text',
  'cost_saved_usd numeric(20, 10) NOT NULL DEFAULT 0',
];

const COLUMNS = `
  request_id             text             NOT NULL,
  ts                     timestamptz      NOT NULL,
  api_key_id             text             NOT NULL,
  kind                   text             NOT NULL,
  stream                 boolean          NOT NULL,
  model                  text             NOT NULL,
  provider               text,
  upstream_model         text,
  prompt_tokens          integer          NOT NULL,
  completion_tokens      integer          NOT NULL,
  cached_prompt_tokens   integer          NOT NULL DEFAULT 0,
  tokens_estimated       boolean          NOT NULL DEFAULT false,
  cost_usd               numeric(20, 10)  NOT NULL,
  latency_ms             double precision NOT NULL,
  provider_latency_ms    double precision NOT NULL,
  time_to_first_chunk_ms double precision,
  status                 text             NOT NULL,
  error_code             text,
  finish_reason          text,
  metadata               jsonb            NOT NULL DEFAULT '{}'::jsonb,
  ${ADDED_COLUMNS.join(',\n  ')},
  PRIMARY KEY (request_id, ts)`;

/** Creates what is missing and reports the layout of usage_events. Safe to run at every start. */
export async function ensureAnalyticsSchema(client: SqlClient, now = new Date()): Promise<UsageEventsLayout> {
  const existing = await client.query<{ relkind: string }>(
    `SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relname = 'usage_events'`,
  );
  let layout: UsageEventsLayout;
  if (existing.rows.length > 0) {
    layout = existing.rows[0].relkind === 'p' ? 'postgres-partitioned' : 'timescaledb-hypertable';
    // Its rows are metering's alone, as sent.
    await client.exec(`ALTER TABLE usage_events ${ADDED_COLUMNS.map((column) => `ADD COLUMN IF NOT EXISTS ${column}`).join(', ')}`);
  } else if (await timescaleAvailable(client)) {
    await client.exec(`CREATE EXTENSION IF NOT EXISTS timescaledb;
      CREATE TABLE usage_events (${COLUMNS});
      SELECT create_hypertable('usage_events', 'ts', chunk_time_interval => interval '1 day');`);
    layout = 'timescaledb-hypertable';
  } else {
    await client.exec(`CREATE TABLE IF NOT EXISTS usage_events (${COLUMNS}) PARTITION BY RANGE (ts);
      CREATE TABLE IF NOT EXISTS usage_events_default PARTITION OF usage_events DEFAULT;`);
    layout = 'postgres-partitioned';
  }
  if (layout === 'postgres-partitioned') await ensureMonthlyPartitions(client, now);
  await client.exec(`
    CREATE INDEX IF NOT EXISTS usage_events_ts_idx ON usage_events (ts DESC);
    CREATE INDEX IF NOT EXISTS usage_events_api_key_ts_idx ON usage_events (api_key_id, ts DESC);
    CREATE INDEX IF NOT EXISTS usage_events_team_ts_idx ON usage_events (team, ts DESC);
    CREATE INDEX IF NOT EXISTS usage_events_model_ts_idx ON usage_events (model, ts DESC);`);
  return layout;
}

async function timescaleAvailable(client: SqlClient): Promise<boolean> {
  const result = await client.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'`);
  return result.rows.length > 0;
}

/** Partitions for last month, this month and the next three, so that rows rarely fall into the default. */
export async function ensureMonthlyPartitions(client: SqlClient, now = new Date()): Promise<void> {
  for (let offset = -1; offset <= 3; offset++) {
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
    const to = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1));
    const name = `usage_events_y${from.getUTCFullYear()}m${String(from.getUTCMonth() + 1).padStart(2, '0')}`;
    const exists = await client.query<{ found: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS found`, [name]);
    if (exists.rows[0]?.found) continue;
    try {
      await client.exec(
        `CREATE TABLE ${name} PARTITION OF usage_events FOR VALUES FROM ('${from.toISOString()}') TO ('${to.toISOString()}')`,
      );
    } catch (error) {
      // Rows for that month already sit in the default partition; they stay there, still queryable.
      if (!/default partition/i.test((error as Error).message)) throw error;
    }
  }
}

/** The startup log line that says which layout usage_events has. */
export function describeUsageEventsLayout(layout: UsageEventsLayout): string {
  return layout === 'timescaledb-hypertable'
    ? 'usage_events is a TimescaleDB hypertable'
    : 'TimescaleDB is not available; usage_events is a plain Postgres table partitioned by month';
}
