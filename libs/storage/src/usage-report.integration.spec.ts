// The usage report on a Postgres server: one read-only snapshot, cancelled by the server past its timeout.
import { GatewayError, parseUsageQuery } from '@switchyard/contracts';
import { ensureAnalyticsSchema } from './schema';
import { createPostgresClient, createPostgresClientInNewSchema, type SqlClient } from './sql-client';
import { insertUsageEvents } from './usage-events';
import { usageEvent } from './usage-events.scenarios';
import { queryUsageReport } from './usage-report';

const schema = `usage_report_test_${Date.now()}`;
const now = new Date('2026-11-25T12:00:00.000Z');
const query = parseUsageQuery(Object.entries({ from: '2026-11-25T10:00:00Z', to: '2026-11-25T11:00:00Z', group_by: 'model' }), now);
let db: SqlClient;
let other: SqlClient;

beforeAll(async () => {
  db = await createPostgresClientInNewSchema(process.env.DATABASE_URL!, schema);
  const url = new URL(process.env.DATABASE_URL!);
  url.searchParams.set('options', `-c search_path=${schema}`);
  other = createPostgresClient(url.toString());
});

afterAll(async () => {
  await other.close();
  await db.exec(`DROP SCHEMA ${schema} CASCADE`);
  await db.close();
});

describe('queryUsageReport on a Postgres server', () => {
  it('answers zeros before analytics has made usage_events', async () => {
    expect((await queryUsageReport(db, query)).totals.requests).toBe(0);
  });

  it('sums the rows of the range', async () => {
    await ensureAnalyticsSchema(db);
    await insertUsageEvents(db, [usageEvent({ request_id: 'report-1', ts: '2026-11-25T10:05:00.000Z', model: 'report-model', cost_usd: 0.5 })]);
    const report = await queryUsageReport(db, query);
    expect(report.groups.map(({ model, requests, cost_usd }) => ({ model, requests, cost_usd }))).toEqual([{ model: 'report-model', requests: 1, cost_usd: 0.5 }]);
  });

  // Regression: a report over a wide range could hold a connection the analytics writes need for as
  // long as it ran.
  it('is cancelled by the server past its timeout, with an error that says what to do', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lock = new Promise<void>((resolve) => (locked = resolve));
    const holding = other.transaction(async (tx) => {
      await tx.exec('LOCK TABLE usage_events IN ACCESS EXCLUSIVE MODE');
      locked();
      await held;
    });
    await lock;
    try {
      const refused = await queryUsageReport(db, query, 200).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(GatewayError);
      expect(refused).toMatchObject({ code: 'deadline_exceeded', message: 'the usage query took longer than 200 ms; ask for a shorter range, a wider bucket, or filters' });
    } finally {
      release();
      await holding;
    }
  });
});
