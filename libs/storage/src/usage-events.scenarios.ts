// The usage_events checks, run on PGlite (embedded) and on a Postgres server (integration run).
import type { CallerOutcomeEvent, UsageEvent } from '@switchyard/contracts';
import { describeRollups, expectRollupsMatchRows } from './rollups.scenarios';
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

/** The caller outcome of usageEvent()'s request: its deadline passed. */
export function callerOutcome(overrides: Partial<CallerOutcomeEvent> = {}): CallerOutcomeEvent {
  const { request_id, ts, api_key_id, kind, stream, model } = usageEvent();
  return { type: 'caller_outcome', request_id, ts, api_key_id, kind, stream, model, status: 'error', error_code: 'deadline_exceeded', ...overrides };
}

export function describeUsageEventsStore(engine: string, open: () => Promise<SqlClient>, close: (db: SqlClient) => Promise<void>): void {
  describe(`usage_events on ${engine}`, () => {
    let db: SqlClient;

    beforeAll(async () => {
      db = await open();
    });

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
      expect(await insertUsageEvents(db, [{ ...usageEvent({ request_id: 'sanitised-1' }), sanitised: 'model,metadata', metered: true, caller_outcome: false }, usageEvent({ request_id: 'sanitised-2' })])).toBe(2);
      const rows = await db.query(`SELECT request_id, sanitised FROM usage_events WHERE request_id LIKE 'sanitised-%' ORDER BY 1`);
      expect(rows.rows).toEqual([
        { request_id: 'sanitised-1', sanitised: 'model,metadata' },
        { request_id: 'sanitised-2', sanitised: null },
      ]);
    });

    it('writes the tries a request took, where in its route the target that answered sits, and the tries that failed', async () => {
      const failed = [{ target: 'openai/gpt-4o-mini', code: 'provider_unavailable', latency_ms: 41 }];
      const routed = usageEvent({ request_id: 'routed-1', attempts: 2, route_path: 'models.1.route.fallback.1', failed_attempts: failed });
      expect(await insertUsageEvents(db, [routed, usageEvent({ request_id: 'routed-2', attempts: 1, route_path: 'models.0', failed_attempts: null })])).toBe(2);
      const rows = await db.query(`SELECT request_id, attempts, route_path, failed_attempts FROM usage_events WHERE request_id LIKE 'routed-%' ORDER BY 1`);
      expect(rows.rows).toEqual([
        { request_id: 'routed-1', attempts: 2, route_path: 'models.1.route.fallback.1', failed_attempts: failed },
        { request_id: 'routed-2', attempts: 1, route_path: 'models.0', failed_attempts: null },
      ]);
      const codes = await db.query(`SELECT f->>'code' AS code FROM usage_events, jsonb_array_elements(failed_attempts) f WHERE request_id = 'routed-1'`);
      expect(codes.rows).toEqual([{ code: 'provider_unavailable' }]);
    });

    it('writes the configuration version that routed a request, and null for one that carried none', async () => {
      expect(await insertUsageEvents(db, [usageEvent({ request_id: 'versioned-1', config_version: '3f1c0e6a9b2d4c71' }), usageEvent({ request_id: 'versioned-2' })])).toBe(2);
      const rows = await db.query(`SELECT request_id, config_version FROM usage_events WHERE request_id LIKE 'versioned-%' ORDER BY 1`);
      expect(rows.rows).toEqual([
        { request_id: 'versioned-1', config_version: '3f1c0e6a9b2d4c71' },
        { request_id: 'versioned-2', config_version: null },
      ]);
    });

    it('writes what the guardrails found, queryable per key, model and kind of value', async () => {
      const findings = [
        { rule: 'pii', entity: 'email', action: 'mask' as const, direction: 'input' as const, count: 2 },
        { rule: 'secrets', entity: 'openai_key', action: 'block' as const, direction: 'output' as const, count: 1 },
      ];
      await insertUsageEvents(db, [usageEvent({ request_id: 'guarded-1', api_key_id: 'key_g', guardrail_findings: findings }), usageEvent({ request_id: 'guarded-2', api_key_id: 'key_g', guardrail_findings: null })]);
      const rows = await db.query(
        `SELECT api_key_id, model, f->>'direction' AS direction, f->>'entity' AS entity, f->>'action' AS action, sum((f->>'count')::int)::int AS found
         FROM usage_events, jsonb_array_elements(guardrail_findings) f WHERE request_id LIKE 'guarded-%' GROUP BY 1, 2, 3, 4, 5 ORDER BY 3, 4`,
      );
      expect(rows.rows).toEqual([
        { api_key_id: 'key_g', model: 'gpt-4o-mini', direction: 'input', entity: 'email', action: 'mask', found: 2 },
        { api_key_id: 'key_g', model: 'gpt-4o-mini', direction: 'output', entity: 'openai_key', action: 'block', found: 1 },
      ]);
    });

    describe('a request the caller got no answer for: metering\'s usage and the ingress\'s caller outcome make one row', () => {
      const at = { ts: '2026-11-25T12:00:00.000Z' };
      const row = async (requestId: string) =>
        (await db.query(`SELECT status, error_code, prompt_tokens, completion_tokens, cost_usd, provider, latency_ms, metadata, metered, caller_outcome FROM usage_events WHERE request_id = $1`, [requestId])).rows;
      const cancelled = { status: 'cancelled', error_code: 'cancelled' } as const;
      const merged = (caller: { status: string; error_code: string } = { status: 'error', error_code: 'deadline_exceeded' }) => [
        { ...caller, prompt_tokens: 10, completion_tokens: 5, cost_usd: '0.0000045000', provider: 'openai', latency_ms: 12.5, metadata: { team: 'search', "quote's": 'a "b"' }, metered: true, caller_outcome: true },
      ];

      it('metering first: the caller outcome then sets status and error code, keeping tokens and cost', async () => {
        expect(await insertUsageEvents(db, [usageEvent({ ...at, request_id: 'late-1' })])).toBe(1);
        expect(await row('late-1')).toEqual([expect.objectContaining({ status: 'ok', metered: true, caller_outcome: false })]);
        expect(await insertUsageEvents(db, [callerOutcome({ ...at, request_id: 'late-1' })])).toBe(1);
        expect(await row('late-1')).toEqual(merged());
      });

      it('caller outcome first: a row without tokens until metering\'s usage fills them in, keeping the caller\'s status', async () => {
        expect(await insertUsageEvents(db, [callerOutcome({ ...at, request_id: 'late-cancel-2', ...cancelled })])).toBe(1);
        expect(await row('late-cancel-2')).toEqual([
          { status: 'cancelled', error_code: 'cancelled', prompt_tokens: 0, completion_tokens: 0, cost_usd: '0.0000000000', provider: null, latency_ms: 0, metadata: {}, metered: false, caller_outcome: true },
        ]);
        expect(await insertUsageEvents(db, [usageEvent({ ...at, request_id: 'late-cancel-2' })])).toBe(1);
        expect(await row('late-cancel-2')).toEqual(merged(cancelled));
      });

      it('writes nothing when either part is delivered again', async () => {
        expect(await insertUsageEvents(db, [usageEvent({ ...at, request_id: 'late-1' }), callerOutcome({ ...at, request_id: 'late-1' })])).toBe(0);
        expect(await insertUsageEvents(db, [callerOutcome({ ...at, request_id: 'late-cancel-2', ...cancelled })])).toBe(0);
        expect(await insertUsageEvents(db, [usageEvent({ ...at, request_id: 'late-cancel-2', status: 'ok' })])).toBe(0);
        expect(await row('late-1')).toEqual(merged());
        expect(await row('late-cancel-2')).toEqual(merged(cancelled));
      });

      it('merges both parts, and their redeliveries, in one statement', async () => {
        const batch = [
          callerOutcome({ ...at, request_id: 'late-3' }),
          usageEvent({ ...at, request_id: 'late-3' }),
          callerOutcome({ ...at, request_id: 'late-3' }),
          usageEvent({ ...at, request_id: 'late-4' }),
          callerOutcome({ ...at, request_id: 'late-4', ts: '2026-11-25T12:00:00Z' }),
          usageEvent({ ...at, request_id: 'late-4' }),
        ];
        expect(await insertUsageEvents(db, batch)).toBe(2);
        expect(await row('late-3')).toEqual(merged());
        expect(await row('late-4')).toEqual(merged());
      });

      it('merges into a row already there from a statement that brings a new row beside it', async () => {
        expect(await insertUsageEvents(db, [callerOutcome({ ...at, request_id: 'late-5' })])).toBe(1);
        expect(await insertUsageEvents(db, [usageEvent({ ...at, request_id: 'late-5' }), usageEvent({ ...at, request_id: 'late-6' })])).toBe(2);
        expect(await row('late-5')).toEqual(merged());
        expect(await row('late-6')).toEqual([expect.objectContaining({ status: 'ok', metered: true, caller_outcome: false })]);
      });
    });

    describeRollups(() => db);

    it('keeps the rollups equal to usage_events aggregated, through every write, merge and redelivery above', async () => {
      expect(await expectRollupsMatchRows(db)).toBeGreaterThan(20);
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
