import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { maintainUsageEvents } from './maintenance';
import { ensureAnalyticsSchema } from './schema';
import { createPgliteClient, type SqlClient } from './sql-client';
import { insertUsageEvents } from './usage-events';
import { usageEvent } from './usage-events.scenarios';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-maintenance-'));
let db: SqlClient;

beforeAll(async () => {
  db = await createPgliteClient(dir);
  await ensureAnalyticsSchema(db, new Date('2026-11-25T00:00:00Z'));
  await insertUsageEvents(db, [
    usageEvent({ request_id: 'in-default', ts: '2026-01-15T00:00:00Z' }),
    usageEvent({ request_id: 'in-october', ts: '2026-10-31T23:59:59Z' }),
    usageEvent({ request_id: 'in-november', ts: '2026-11-05T00:00:00Z' }),
  ]);
});

afterAll(async () => {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const partitions = async () =>
  (await db.query<{ name: string }>(`SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'usage_events'::regclass ORDER BY 1`)).rows.map(
    (row) => row.name,
  );
const requestIds = async () => (await db.query<{ request_id: string }>(`SELECT request_id FROM usage_events ORDER BY ts`)).rows.map((row) => row.request_id);
const hourlyRequests = async () => (await db.query<{ n: number }>(`SELECT sum(requests)::int AS n FROM usage_rollup_hour`)).rows;

describe('usage_events maintenance', () => {
  it('without a retention, makes the coming months\' partitions and drops nothing', async () => {
    expect(await maintainUsageEvents(db, { now: new Date('2026-12-10T00:00:00Z') })).toEqual({ droppedPartitions: [], deleted: 0 });
    expect(await partitions()).toEqual([
      'usage_events_default',
      'usage_events_y2026m10',
      'usage_events_y2026m11',
      'usage_events_y2026m12',
      'usage_events_y2027m01',
      'usage_events_y2027m02',
      'usage_events_y2027m03',
    ]);
    expect(await requestIds()).toEqual(['in-default', 'in-october', 'in-november']);
  });

  it('drops the months wholly older than the retention and the older rows of the default partition, keeping the rollups', async () => {
    // 30 days before 2026-12-10 is 2026-11-10: October has wholly passed, November has not.
    expect(await maintainUsageEvents(db, { now: new Date('2026-12-10T00:00:00Z'), retentionDays: 30 })).toEqual({ droppedPartitions: ['usage_events_y2026m10'], deleted: 1 });
    expect(await requestIds()).toEqual(['in-november']);
    expect(await partitions()).not.toContain('usage_events_y2026m10');
    expect(await hourlyRequests()).toEqual([{ n: 3 }]);
  });
});
