// The usage_events checks, run on PGlite (embedded) and on a Postgres server (integration run).
import type { UsageEvent } from '@switchyard/contracts';
import { ensureAnalyticsSchema } from './schema';
import type { SqlClient } from './sql-client';
import { insertUsageEvents } from './usage-events';

export function usageEvent(overrides: Partial<UsageEvent> = {}): UsageEvent {
  return {
    request_id: 'req-1',
    ts: '2026-11-25T10:00:00.000Z',
    api_key_id: 'key_1',
    kind: 'chat',
    stream: false,
    model: 'gpt-4o-mini',
    provider: 'openai',
    upstream_model: 'gpt-4o-mini',
    prompt_tokens: 10,
    completion_tokens: 5,
    cached_prompt_tokens: 2,
    tokens_estimated: false,
    cost_usd: 0.0000045,
    latency_ms: 12.5,
    provider_latency_ms: 10,
    time_to_first_chunk_ms: null,
    status: 'ok',
    error_code: null,
    finish_reason: 'stop',
    metadata: { team: 'search', "quote's": 'a "b"' },
    ...overrides,
  };
}

export function describeUsageEventsStore(engine: string, open: () => Promise<SqlClient>, close: (db: SqlClient) => Promise<void>): void {
  describe(`usage_events on ${engine}`, () => {
    let db: SqlClient;

    beforeAll(async () => {
      db = await open();
    }, 30_000);

    afterAll(() => close(db));

  it('is partitioned by month where TimescaleDB is absent, and the schema step is repeatable', async () => {
      expect(await ensureAnalyticsSchema(db, new Date('2026-11-25T00:00:00Z'))).toBe('postgres-partitioned');
      expect(await ensureAnalyticsSchema(db, new Date('2026-11-25T00:00:00Z'))).toBe('postgres-partitioned');
      const partitions = await db.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'usage_events'::regclass ORDER BY 1`,
      );
      expect(partitions.rows.map((row) => row.name)).toEqual([
        'usage_events_default',
        'usage_events_y2026m10',
        'usage_events_y2026m11',
        'usage_events_y2026m12',
        'usage_events_y2027m01',
        'usage_events_y2027m02',
      ]);
    });

    it('writes a batch in one statement and ignores a redelivered request', async () => {
      const batch = [usageEvent(), usageEvent({ request_id: 'req-2', status: 'error', error_code: 'model_not_found', provider: null, upstream_model: null })];
      expect(await insertUsageEvents(db, batch)).toBe(2);
      expect(await insertUsageEvents(db, [usageEvent()])).toBe(0);
      const rows = await db.query(`SELECT * FROM usage_events ORDER BY request_id`);
      expect(rows.rows).toHaveLength(2);
      expect(rows.rows[0]).toMatchObject({ request_id: 'req-1', prompt_tokens: 10, cost_usd: '0.0000045000', metadata: { team: 'search', "quote's": 'a "b"' } });
      expect(rows.rows[1]).toMatchObject({ status: 'error', error_code: 'model_not_found', provider: null });
      expect(new Date(rows.rows[0].ts as string).toISOString()).toBe('2026-11-25T10:00:00.000Z');
    });

    it('writes the new rows of a batch that repeats rows, within itself or already written', async () => {
      const at = { ts: '2026-11-25T11:00:00.000Z' };
      expect(await insertUsageEvents(db, [usageEvent({ ...at, request_id: 'dup-1' }), usageEvent({ ...at, request_id: 'dup-2' })])).toBe(2);
      const again = [usageEvent({ ...at, request_id: 'dup-2' }), usageEvent({ ...at, request_id: 'dup-3' }), usageEvent({ ...at, request_id: 'dup-3' })];
      expect(await insertUsageEvents(db, again)).toBe(1);
      const rows = await db.query<{ request_id: string }>(`SELECT request_id FROM usage_events WHERE request_id LIKE 'dup-%' ORDER BY 1`);
      expect(rows.rows.map((row) => row.request_id)).toEqual(['dup-1', 'dup-2', 'dup-3']);
    });

    it('keeps text exactly as sent: tabs, newlines, backslashes, quotes, \\N and non-ASCII', async () => {
      const awkward = 'tab\there, newline\nthere, return\r, backslash \\ and \\N, "quotes", \'single\', é ✓ 🚀';
      const event = usageEvent({
        request_id: 'awkward\t1',
        model: '\\N',
        error_code: awkward,
        finish_reason: '',
        metadata: { note: awkward, 'key with \\ and \t': 'value' },
      });
      expect(await insertUsageEvents(db, [event])).toBe(1);
      const rows = await db.query(`SELECT request_id, model, error_code, finish_reason, metadata FROM usage_events WHERE request_id = $1`, ['awkward\t1']);
      expect(rows.rows).toEqual([{ request_id: 'awkward\t1', model: '\\N', error_code: awkward, finish_reason: '', metadata: event.metadata }]);
    });

    it('writes which fields of a row were sanitised, and null for a row written as sent', async () => {
      expect(await insertUsageEvents(db, [{ ...usageEvent({ request_id: 'sanitised-1' }), sanitised: 'model,metadata' }, usageEvent({ request_id: 'sanitised-2' })])).toBe(2);
      const rows = await db.query(`SELECT request_id, sanitised FROM usage_events WHERE request_id LIKE 'sanitised-%' ORDER BY 1`);
      expect(rows.rows).toEqual([
        { request_id: 'sanitised-1', sanitised: 'model,metadata' },
        { request_id: 'sanitised-2', sanitised: null },
      ]);
    });

    it('refuses a batch with a row the database cannot take, writing none of it, with the SQLSTATE', async () => {
      const batch = [usageEvent({ request_id: 'refused-1' }), usageEvent({ request_id: 'refused-2', prompt_tokens: 99_999_999_999 })];
      const refusal = await insertUsageEvents(db, batch).then(
        () => undefined,
        (error: { code?: string }) => error,
      );
      expect(refusal?.code).toBe('22003');
      expect((await db.query(`SELECT count(*)::int AS n FROM usage_events WHERE request_id LIKE 'refused-%'`)).rows).toEqual([{ n: 0 }]);
    });
  });
}
