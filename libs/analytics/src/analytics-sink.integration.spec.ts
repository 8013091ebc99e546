// The sink against a real Postgres: rows the database refuses as sent are written sanitised and marked,
// and the partition keeps moving; a database that is away is waited for.
import { randomBytes } from 'node:crypto';
import { InMemoryBus, type IncomingMessage } from '@switchyard/bus';
import { TOPICS, type CallerOutcomeEvent, type UsageEvent } from '@switchyard/contracts';
import { deadLetterCounts } from '@switchyard/pipeline';
import { createPostgresClient, createPostgresClientInNewSchema, ensureAnalyticsSchema, type SqlClient } from '@switchyard/storage';
import { createLogger } from '@switchyard/telemetry';
import { startAnalyticsSink } from './analytics-sink';
import { usageRow } from './analytics-sink.fixtures';

const logger = createLogger('analytics-integration', 'error');
// A schema of its own, so the shared test database's usage_events is left alone.
const schema = `analytics_sink_${Date.now()}`;

const row = (request_id: string, overrides: Partial<UsageEvent> = {}): UsageEvent => usageRow(request_id, { cost_usd: 0.25, metadata: { team: 'search' }, ...overrides });

async function until(done: () => boolean | Promise<boolean>): Promise<void> {
  for (let waited = 0; !(await done()) && waited < 20_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
}

describe('analytics sink on Postgres', () => {
  let db: SqlClient;

  beforeAll(async () => {
    db = await createPostgresClientInNewSchema(process.env.DATABASE_URL!, schema);
    await ensureAnalyticsSchema(db, new Date('2026-11-25T00:00:00Z'));
  });

  afterAll(async () => {
    await db.exec(`DROP SCHEMA ${schema} CASCADE`);
    await db.close();
  });

  it('regression: writes a 9 KB model name and metadata holding NUL or a lone surrogate sanitised and marked, and the rows behind them', async () => {
    const bus = new InMemoryBus();
    const dead: IncomingMessage[] = [];
    await bus.subscribe({ topic: TOPICS.deadLetter, group: 'dlq', handleBatch: async (messages) => void dead.push(...messages) });
    const sink = await startAnalyticsSink({ bus, db, logger });
    const deadBefore = deadLetterCounts().analytics ?? 0;
    // Random, so that Postgres cannot compress it into the index row.
    const hugeModel = randomBytes(6912).toString('base64');
    const batch = [
      row('huge-model', { model: hugeModel }),
      row('nul-metadata', { metadata: { team: 'a\u0000b' } }),
      row('surrogate-metadata', { metadata: { ['k\ud800']: 'v\udc00' } }),
      row('normal'),
    ];
    await bus.publish(TOPICS.usage, batch.map((event) => ({ key: event.request_id, value: event })));
    await bus.publish(TOPICS.usage, [{ key: 'after', value: row('after') }]);
    await until(() => sink.rowsWritten() === 5);

    const { rows } = await db.query<{ request_id: string; model: string; metadata: unknown; sanitised: string | null; cost_usd: string }>(
      `SELECT request_id, model, metadata, sanitised, cost_usd FROM usage_events ORDER BY request_id`,
    );
    expect(rows.map(({ request_id, metadata, sanitised, cost_usd }) => ({ request_id, metadata, sanitised, cost_usd }))).toEqual([
      { request_id: 'after', metadata: { team: 'search' }, sanitised: null, cost_usd: '0.2500000000' },
      { request_id: 'huge-model', metadata: { team: 'search' }, sanitised: 'model', cost_usd: '0.2500000000' },
      { request_id: 'normal', metadata: { team: 'search' }, sanitised: null, cost_usd: '0.2500000000' },
      { request_id: 'nul-metadata', metadata: { team: 'ab' }, sanitised: 'metadata', cost_usd: '0.2500000000' },
      { request_id: 'surrogate-metadata', metadata: { 'k\ufffd': 'v\ufffd' }, sanitised: 'metadata', cost_usd: '0.2500000000' },
    ]);
    expect(rows.find((r) => r.request_id === 'huge-model')!.model).toBe(hugeModel.slice(0, 1024));
    expect(sink.rowsSanitised()).toBe(3);
    expect(dead).toEqual([]);
    expect(deadLetterCounts().analytics ?? 0).toBe(deadBefore);
    sink.stop();
  });

  it('retries a write while Postgres refuses connections, with backoff, and then writes the row', async () => {
    const bus = new InMemoryBus();
    const waits: number[] = [];
    const warn = (message: string, fields?: Record<string, unknown>) => {
      if (message.startsWith('writing usage events failed')) waits.push(fields!.wait_ms as number);
    };
    // A server that is down: nothing listens on the port, so every connection is refused.
    const down = createPostgresClient('postgres://switchyard@127.0.0.1:1/switchyard');
    let calls = 0;
    const recovering: SqlClient = {
      engine: 'postgres',
      query: (text, params) => (++calls <= 2 ? down.query(text, params) : db.query(text, params)),
      copyFrom: (sql, data) => (++calls <= 2 ? down.copyFrom!(sql, data) : db.copyFrom!(sql, data)),
      exec: (sql) => db.exec(sql),
      transaction: (work) => db.transaction(work),
      close: async () => undefined,
    };
    const sink = await startAnalyticsSink({ bus, db: recovering, logger: { ...logger, warn }, maxRetryDelayMs: 300 });
    await bus.publish(TOPICS.usage, [{ key: 'after-outage', value: row('after-outage') }]);
    await until(() => sink.rowsWritten() === 1);
    expect(calls).toBe(3);
    expect(waits).toEqual([200, 300]);
    expect((await db.query(`SELECT request_id FROM usage_events WHERE request_id = 'after-outage'`)).rows).toEqual([{ request_id: 'after-outage' }]);
    await down.close();
    sink.stop();
  });
  it('keeps the rollups equal to the rows aggregated when every event, usage and caller outcomes, is delivered again to a restarted sink', async () => {
    // 60 requests over three minutes and two models; every fifth one's caller went away (a caller outcome, published before or after its usage).
    const ts = (i: number) => `2026-11-25T13:0${i % 3}:${String(i % 60).padStart(2, '0')}.000Z`;
    const usage = Array.from({ length: 60 }, (_, i) =>
      row(`rollup-${i}`, { ts: ts(i), model: i % 2 ? 'model-a' : 'model-b', api_key_id: `key_${i % 4}`, team: i % 4 ? 'search' : null, cost_usd: 0.125 * (i % 5), prompt_tokens: i, latency_ms: 10 * i + 1, status: i % 7 ? 'ok' : 'error' }),
    );
    const outcomes = usage.filter((_, i) => i % 5 === 0).map((event): CallerOutcomeEvent => {
      const { request_id, ts: at, api_key_id, kind, stream, model } = event;
      return { type: 'caller_outcome', request_id, ts: at, api_key_id, kind, stream, model, status: 'cancelled', error_code: 'cancelled' };
    });
    const events = [...outcomes.slice(0, 6), ...usage, ...outcomes.slice(6)];
    const deliver = async () => {
      const bus = new InMemoryBus();
      const sink = await startAnalyticsSink({ bus, db, logger });
      await bus.publish(TOPICS.usage, events.map((event) => ({ key: event.request_id, value: event })));
      await bus.close();
      sink.stop();
    };
    // Per minute and per hour: requests, tokens, cost and latency by model, key, team and status, from the rollups and from the rows.
    const compare = (table: string, grain: string) =>
      Promise.all([
        db.query(`SELECT bucket, model, api_key_id, team, status, requests::text, prompt_tokens::text, cost_usd::numeric(30, 10)::text AS cost_usd, latency_ms_sum::text
                  FROM ${table} WHERE model IN ('model-a', 'model-b') ORDER BY 1, 2, 3, 4 NULLS FIRST, 5`),
        db.query(`SELECT date_trunc('${grain}', ts) AS bucket, model, api_key_id, team, status, count(*)::text AS requests, sum(prompt_tokens)::text AS prompt_tokens,
                    sum(cost_usd)::numeric(30, 10)::text AS cost_usd, sum(latency_ms::numeric)::text AS latency_ms_sum
                  FROM usage_events WHERE model IN ('model-a', 'model-b') GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4 NULLS FIRST, 5`),
      ]);
    await deliver();
    const [minutes, rowsByMinute] = await compare('usage_rollup_minute', 'minute');
    expect(minutes.rows).toEqual(rowsByMinute.rows);
    expect(minutes.rows.length).toBeGreaterThan(20);
    const [hours, rowsByHour] = await compare('usage_rollup_hour', 'hour');
    expect(hours.rows).toEqual(rowsByHour.rows);
    expect((await db.query(`SELECT sum(requests)::int AS requests, sum(requests) FILTER (WHERE status = 'cancelled')::int AS cancelled FROM usage_rollup_hour WHERE model IN ('model-a', 'model-b')`)).rows).toEqual([{ requests: 60, cancelled: 12 }]);

    await deliver();
    expect((await compare('usage_rollup_minute', 'minute'))[0].rows).toEqual(minutes.rows);
    expect((await compare('usage_rollup_hour', 'hour'))[0].rows).toEqual(hours.rows);
  });
});
