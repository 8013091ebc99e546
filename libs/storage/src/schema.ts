// The analytics schema, made and changed by numbered migrations, each applied once, in order, and
// recorded in schema_migrations. usage_events is a TimescaleDB hypertable where the extension is
// available, and otherwise a plain Postgres table partitioned by month; queries are the same on both.
import { createUsageRollups } from './rollups';
import type { SqlClient, SqlSession } from './sql-client';
import { USAGE_ROW_COLUMNS, type UsageColumnName } from './usage-events';

export type UsageEventsLayout = 'timescaledb-hypertable' | 'postgres-partitioned';

/**
 * A change to the schema. `adds` names columns of USAGE_ROW_COLUMNS that the migration adds to
 * usage_events (their definition is the list's); `up` runs any other statements. Adding a column is a
 * line in USAGE_ROW_COLUMNS and a migration `{ version: <next>, name: 'usage_events.<column>', adds: ['<column>'] }`.
 */
export interface Migration {
  version: number;
  name: string;
  adds?: readonly UsageColumnName[];
  /** `layout` is undefined only before usage_events exists, which the first migration makes (and returns its layout). */
  up?: (tx: SqlSession, layout: UsageEventsLayout | undefined, migrations: readonly Migration[]) => Promise<UsageEventsLayout | void>;
}

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'usage_events', up: (tx, _layout, migrations) => createUsageEvents(tx, baselineColumns(migrations)) },
  { version: 2, name: 'usage rollups by minute and hour', up: (tx, layout) => createUsageRollups(tx, layout!) },
  // What the response cache did for the request, and what a hit saved (docs/caching.md).
  { version: 3, name: 'usage_events.cache', adds: ['cache', 'cost_saved_usd'] },
  // The semantic cache's embedding call for the request: its tokens, and its cost (also in cost_usd).
  { version: 4, name: 'usage_events.cache_embed', adds: ['cache_embed_tokens', 'cache_embed_cost_usd'] },
  // The batch a request was a line of (libs/batch).
  { version: 5, name: 'usage_events.batch_id', adds: ['batch_id'] },
  // The units a request was billed in besides tokens (docs/kinds.md): a rerank's search units, a generation's images.
  { version: 6, name: 'usage_events.search_units and images', adds: ['search_units', 'images'] },
  // The Analyze call a task's request belongs to (docs/analyze.md), indexed to read one call's rows.
  {
    version: 7,
    name: 'usage_events.analyze_id',
    adds: ['analyze_id'],
    up: (tx) => tx.exec('CREATE INDEX IF NOT EXISTS usage_events_analyze_id_idx ON usage_events (analyze_id) WHERE analyze_id IS NOT NULL'),
  },
  // The guardrails' classifier calls for the request (docs/guardrails.md): their tokens, and their cost (also in cost_usd).
  { version: 8, name: 'usage_events.guardrail_model', adds: ['guardrail_model_tokens', 'guardrail_model_cost_usd'] },
  // The seconds of audio a transcription was billed for (docs/kinds.md).
  { version: 9, name: 'usage_events.audio_seconds', adds: ['audio_seconds'] },
];

// Every instance that starts takes this lock before looking at schema_migrations, so that two analytics
// instances starting together apply each migration once. Any fixed number; this one spells "usage".
export const MIGRATION_LOCK = 0x7573616765;

/**
 * Applies the migrations not yet applied, in one transaction, and makes sure this month's partitions
 * exist; reports the layout of usage_events. Safe to run at every start, by several instances at once.
 */
export async function ensureAnalyticsSchema(client: SqlClient, now = new Date(), migrations: readonly Migration[] = MIGRATIONS): Promise<UsageEventsLayout> {
  return client.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    integer     PRIMARY KEY,
      name       text        NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now())`);
    const applied = new Set((await tx.query<{ version: number }>(`SELECT version FROM schema_migrations`)).rows.map((row) => row.version));
    let layout = await usageEventsLayout(tx);
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      if (migration.adds) await tx.exec(`ALTER TABLE usage_events ${migration.adds.map((name) => `ADD COLUMN ${columnDefinition(name)}`).join(', ')}`);
      layout = (await migration.up?.(tx, layout, migrations)) ?? layout;
      await tx.query(`INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
    }
    if (!layout) throw new Error('no migration made usage_events');
    if (layout === 'postgres-partitioned') await ensureMonthlyPartitions(tx, now);
    return layout;
  });
}

/** The columns usage_events is made with: those no migration adds later. */
export function baselineColumns(migrations: readonly Migration[]): UsageColumnName[] {
  const added = new Set(migrations.flatMap((migration) => migration.adds ?? []));
  return USAGE_ROW_COLUMNS.map(([name]) => name).filter((name) => !added.has(name));
}

function columnDefinition(name: UsageColumnName): string {
  const [, type, constraint] = USAGE_ROW_COLUMNS.find(([column]) => column === name)!;
  return `${name} ${type} ${constraint}`.trimEnd();
}

export async function usageEventsLayout(tx: SqlSession): Promise<UsageEventsLayout | undefined> {
  const existing = await tx.query<{ relkind: string }>(
    `SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = current_schema() AND c.relname = 'usage_events'`,
  );
  if (existing.rows.length === 0) return undefined;
  return existing.rows[0].relkind === 'p' ? 'postgres-partitioned' : 'timescaledb-hypertable';
}

/**
 * Makes usage_events with `columns`, and its indexes. A table made before migrations existed (no
 * schema_migrations) is kept, gaining the columns it lacks; its rows are metering's alone, as sent.
 */
async function createUsageEvents(tx: SqlSession, columns: UsageColumnName[]): Promise<UsageEventsLayout> {
  let layout = await usageEventsLayout(tx);
  const definitions = columns.map(columnDefinition);
  if (layout) {
    await tx.exec(`ALTER TABLE usage_events ${definitions.map((definition) => `ADD COLUMN IF NOT EXISTS ${definition}`).join(', ')}`);
  } else {
    const table = `CREATE TABLE usage_events (\n  ${definitions.join(',\n  ')},\n  PRIMARY KEY (request_id, ts))`;
    if (await timescaleAvailable(tx)) {
      await tx.exec(`CREATE EXTENSION IF NOT EXISTS timescaledb;
        ${table};
        SELECT create_hypertable('usage_events', 'ts', chunk_time_interval => interval '1 day');`);
      layout = 'timescaledb-hypertable';
    } else {
      await tx.exec(`${table} PARTITION BY RANGE (ts);
        CREATE TABLE usage_events_default PARTITION OF usage_events DEFAULT;`);
      layout = 'postgres-partitioned';
    }
  }
  await tx.exec(`
    CREATE INDEX IF NOT EXISTS usage_events_ts_idx ON usage_events (ts DESC);
    CREATE INDEX IF NOT EXISTS usage_events_api_key_ts_idx ON usage_events (api_key_id, ts DESC);
    CREATE INDEX IF NOT EXISTS usage_events_team_ts_idx ON usage_events (team, ts DESC);
    CREATE INDEX IF NOT EXISTS usage_events_model_ts_idx ON usage_events (model, ts DESC);`);
  return layout;
}

async function timescaleAvailable(tx: SqlSession): Promise<boolean> {
  const result = await tx.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'`);
  return result.rows.length > 0;
}

/** Partitions for last month, this month and the next three, so that rows rarely fall into the default. */
export async function ensureMonthlyPartitions(tx: SqlSession, now = new Date()): Promise<void> {
  for (let offset = -1; offset <= 3; offset++) {
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1));
    const to = new Date(Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + 1, 1));
    const name = `usage_events_y${from.getUTCFullYear()}m${String(from.getUTCMonth() + 1).padStart(2, '0')}`;
    const exists = await tx.query<{ found: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS found`, [name]);
    if (exists.rows[0]?.found) continue;
    // In a savepoint: a refusal below must not abort the transaction around it.
    await tx.exec('SAVEPOINT partition');
    try {
      await tx.exec(`CREATE TABLE ${name} PARTITION OF usage_events FOR VALUES FROM ('${from.toISOString()}') TO ('${to.toISOString()}')`);
      await tx.exec('RELEASE SAVEPOINT partition');
    } catch (error) {
      await tx.exec('ROLLBACK TO SAVEPOINT partition');
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
