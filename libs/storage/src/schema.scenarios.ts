// The migration checks, run on PGlite (unit run) and on a Postgres server (integration run), each on
// a database of its own.
import { expectRollupsMatchRows } from './rollups.scenarios';
import { ensureAnalyticsSchema, MIGRATIONS, type Migration } from './schema';
import type { SqlClient } from './sql-client';
import { insertUsageEvents, USAGE_ROW_COLUMNS } from './usage-events';
import { callerOutcome, usageEvent } from './usage-events.scenarios';

/** A database of its own: `connect` opens a client on it (several may be open at once), `dispose` drops it. */
export interface FreshDatabase {
  connect(): Promise<SqlClient>;
  dispose(): Promise<void>;
}

const NOW = new Date('2026-11-25T00:00:00Z');
// After the last migration: versions are taken by several branches at once, so they need not be consecutive.
const NEXT_VERSION = Math.max(...MIGRATIONS.map((migration) => migration.version)) + 1;

// usage_events as the code before migrations made it (ensureAnalyticsSchema until schema_migrations came):
// its first columns, then those it added at start, in that order.
const BEFORE_MIGRATIONS = `
CREATE TABLE usage_events (
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
  sanitised text,
  metered boolean NOT NULL DEFAULT true,
  caller_outcome boolean NOT NULL DEFAULT false,
  attempts integer,
  route_path text,
  failed_attempts jsonb,
  key_name text,
  team text,
  config_version text,
  guardrail_findings jsonb,
  PRIMARY KEY (request_id, ts)) PARTITION BY RANGE (ts);
CREATE TABLE usage_events_default PARTITION OF usage_events DEFAULT;
CREATE TABLE usage_events_y2026m11 PARTITION OF usage_events FOR VALUES FROM ('2026-11-01T00:00:00.000Z') TO ('2026-12-01T00:00:00.000Z');
CREATE INDEX usage_events_ts_idx ON usage_events (ts DESC);
CREATE INDEX usage_events_api_key_ts_idx ON usage_events (api_key_id, ts DESC);
CREATE INDEX usage_events_team_ts_idx ON usage_events (team, ts DESC);
CREATE INDEX usage_events_model_ts_idx ON usage_events (model, ts DESC);
INSERT INTO usage_events (request_id, ts, api_key_id, kind, stream, model, provider, upstream_model, prompt_tokens, completion_tokens,
  cost_usd, latency_ms, provider_latency_ms, status, error_code, team, metered, caller_outcome)
VALUES
  ('old-1', '2026-11-20T10:00:05Z', 'key_1', 'chat', false, 'gpt-4o-mini', 'openai', 'gpt-4o-mini', 10, 5, 0.001, 120, 100, 'ok', NULL, 'search', true, false),
  ('old-2', '2026-11-20T10:00:40Z', 'key_1', 'chat', false, 'gpt-4o-mini', 'openai', 'gpt-4o-mini', 7, 3, 0.0005, 80, 60, 'error', 'deadline_exceeded', 'search', true, true),
  ('old-3', '2026-11-20T11:30:00Z', 'key_2', 'chat', false, 'claude', NULL, NULL, 0, 0, 0, 0, 0, 'cancelled', 'cancelled', NULL, false, true);`;


const usageColumns = async (db: SqlClient) =>
  (
    await db.query<{ name: string; type: string; not_null: boolean; default_value: string | null }>(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default_value
       FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       WHERE a.attrelid = 'usage_events'::regclass AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`,
    )
  ).rows;

const appliedMigrations = async (db: SqlClient) => (await db.query(`SELECT version, name FROM schema_migrations ORDER BY version`)).rows;

export function describeMigrations(engine: string, fresh: () => Promise<FreshDatabase>): void {
  describe(`analytics schema migrations on ${engine}`, () => {
    let database: FreshDatabase;
    beforeEach(async () => {
      database = await fresh();
    });
    afterEach(() => database.dispose());

    it('makes usage_events from the column list on an empty database, applying each migration once', async () => {
      const db = await database.connect();
      expect(await ensureAnalyticsSchema(db, NOW)).toBe('postgres-partitioned');
      expect(await ensureAnalyticsSchema(db, NOW)).toBe('postgres-partitioned');
      expect(await appliedMigrations(db)).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
      expect(await usageColumns(db)).toEqual(
        USAGE_ROW_COLUMNS.map(([name, type, constraint]) => ({
          name,
          // Postgres spells the types in full, without spaces in their modifiers.
          type: type.replace(/, /g, ',').replace('timestamptz', 'timestamp with time zone'),
          not_null: constraint.includes('NOT NULL'),
          default_value: /DEFAULT (.+)$/.exec(constraint)?.[1] ?? null,
        })),
      );
    });

    it('migrates a database made before migrations, keeping its rows and summing them into the rollups', async () => {
      const db = await database.connect();
      await db.exec(BEFORE_MIGRATIONS);
      const columnsBefore = await usageColumns(db);
      const rowsBefore = (await db.query(`SELECT * FROM usage_events ORDER BY request_id`)).rows;
      expect(await ensureAnalyticsSchema(db, NOW)).toBe('postgres-partitioned');
      expect(await appliedMigrations(db)).toEqual(MIGRATIONS.map(({ version, name }) => ({ version, name })));
      // Later migrations' columns join those it had.
      const added = MIGRATIONS.flatMap((migration) => migration.adds ?? []);
      expect((await usageColumns(db)).filter((column) => !added.includes(column.name as never))).toEqual(columnsBefore);
      // Each row as it was, with the added columns at their defaults (migration 3: no cache, nothing saved; 4: no embedding).
      expect((await db.query(`SELECT * FROM usage_events ORDER BY request_id`)).rows).toEqual(
        rowsBefore.map((row) => ({ ...row, cache: null, cost_saved_usd: '0.0000000000', cache_embed_tokens: 0, cache_embed_cost_usd: '0.0000000000', batch_id: null, search_units: 0, images: 0, analyze_id: null, guardrail_model_tokens: 0, guardrail_model_cost_usd: '0.0000000000', audio_seconds: 0 })),
      );
      expect((await db.query(`SELECT status, requests::int, cost_usd::text FROM usage_rollup_hour ORDER BY bucket, status`)).rows).toEqual([
        { status: 'error', requests: 1, cost_usd: '0.0005000000' },
        { status: 'ok', requests: 1, cost_usd: '0.0010000000' },
        { status: 'cancelled', requests: 1, cost_usd: '0.0000000000' },
      ]);
      // The rows written from then on, new or merged into the old ones, keep the rollups with the rows.
      await insertUsageEvents(db, [
        usageEvent({ request_id: 'new-1', ts: '2026-11-20T10:00:30Z' }),
        usageEvent({ request_id: 'old-3', ts: '2026-11-20T11:30:00Z', model: 'claude' }),
        callerOutcome({ request_id: 'old-1', ts: '2026-11-20T10:00:05Z' }),
      ]);
      expect(await expectRollupsMatchRows(db)).toBe(6);
    });

    it('adds the columns an older table lacks, its rows being metering\'s alone', async () => {
      const db = await database.connect();
      await db.exec(`${BEFORE_MIGRATIONS}
        ALTER TABLE usage_events DROP COLUMN metered, DROP COLUMN caller_outcome, DROP COLUMN guardrail_findings;`);
      await ensureAnalyticsSchema(db, NOW);
      expect((await db.query(`SELECT request_id, metered, caller_outcome, guardrail_findings FROM usage_events ORDER BY 1`)).rows).toEqual([
        { request_id: 'old-1', metered: true, caller_outcome: false, guardrail_findings: null },
        { request_id: 'old-2', metered: true, caller_outcome: false, guardrail_findings: null },
        { request_id: 'old-3', metered: true, caller_outcome: false, guardrail_findings: null },
      ]);
      expect(await insertUsageEvents(db, [callerOutcome({ request_id: 'old-1', ts: '2026-11-20T10:00:05Z' })])).toBe(1);
      expect((await db.query(`SELECT status, error_code, prompt_tokens, metered, caller_outcome FROM usage_events WHERE request_id = 'old-1'`)).rows).toEqual([
        { status: 'error', error_code: 'deadline_exceeded', prompt_tokens: 10, metered: true, caller_outcome: true },
      ]);
      await expectRollupsMatchRows(db);
    });

    it('applies each migration once when several instances start at once', async () => {
      const clients = await Promise.all([database.connect(), database.connect(), database.connect()]);
      expect(await Promise.all(clients.map((db) => ensureAnalyticsSchema(db, NOW)))).toEqual(['postgres-partitioned', 'postgres-partitioned', 'postgres-partitioned']);
      expect((await appliedMigrations(clients[0])).map((row) => row.version)).toEqual(MIGRATIONS.map((migration) => migration.version));
      expect(await insertUsageEvents(clients[1], [usageEvent()])).toBe(1);
      expect(await expectRollupsMatchRows(clients[2])).toBe(2);
    });


    it('adds a column a later migration names, defined by the column list, leaving it out of the table the first one makes', async () => {
      const db = await database.connect();
      const adding: Migration = { version: NEXT_VERSION, name: 'usage_events.route_path', adds: ['route_path'] };
      await ensureAnalyticsSchema(db, NOW, [...MIGRATIONS, adding]);
      const names = (await usageColumns(db)).map((column) => column.name);
      // Migration 1 makes the columns no later migration adds, in the list's order; each later one appends its own.
      const later = [...MIGRATIONS, adding].flatMap((migration) => migration.adds ?? []);
      expect(names).toEqual([...USAGE_ROW_COLUMNS.map(([name]) => name).filter((name) => !later.includes(name)), ...later]);
      expect((await appliedMigrations(db)).map((row) => row.version)).toEqual([...MIGRATIONS, adding].map((migration) => migration.version));
      expect(await insertUsageEvents(db, [usageEvent({ route_path: 'models.0' })])).toBe(1);
      expect((await db.query(`SELECT route_path FROM usage_events`)).rows).toEqual([{ route_path: 'models.0' }]);
    });

    it('rolls a failing migration back with every migration of its run', async () => {
      const db = await database.connect();
      const failing: Migration = { version: NEXT_VERSION, name: 'fails', up: (tx) => tx.exec('CREATE TABLE half_done (x integer); SELECT 1 / 0') };
      await expect(ensureAnalyticsSchema(db, NOW, [...MIGRATIONS, failing])).rejects.toThrow('division by zero');
      expect((await db.query(`SELECT to_regclass('usage_events') AS usage_events, to_regclass('half_done') AS half_done, to_regclass('schema_migrations') AS migrations`)).rows).toEqual([
        { usage_events: null, half_done: null, migrations: null },
      ]);
      expect(await ensureAnalyticsSchema(db, NOW)).toBe('postgres-partitioned');
      expect(await insertUsageEvents(db, [usageEvent()])).toBe(1);
    });
  });
}
