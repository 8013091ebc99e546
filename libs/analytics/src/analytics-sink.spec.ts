import { InMemoryBus, type IncomingMessage } from '@switchyard/bus';
import { DEAD_LETTER_HEADERS, TOPICS, type UsageEvent } from '@switchyard/contracts';
import type { SqlClient } from '@switchyard/storage';
import { createLogger } from '@switchyard/telemetry';
import { startAnalyticsSink } from './analytics-sink';

const logger = createLogger('analytics-test', 'error');

const row = (request_id: string): UsageEvent => ({
  request_id,
  ts: '2026-11-25T10:00:00.000Z',
  api_key_id: 'anonymous',
  kind: 'chat',
  stream: false,
  model: 'mock-echo',
  provider: 'mock',
  upstream_model: 'mock-echo',
  prompt_tokens: 3,
  completion_tokens: 2,
  cached_prompt_tokens: 0,
  tokens_estimated: true,
  cost_usd: 0,
  latency_ms: 1,
  provider_latency_ms: 0,
  time_to_first_chunk_ms: null,
  status: 'ok',
  error_code: null,
  finish_reason: 'stop',
  metadata: {},
});

/** A database that fails its first `failures` writes, then keeps what it is given. */
function flakyDatabase(failures: number): SqlClient & { written: string[][]; attempts: number } {
  const db = {
    engine: 'postgres' as const,
    written: [] as string[][],
    attempts: 0,
    async query<R>(_sql: string, params?: unknown[]) {
      db.attempts++;
      if (db.attempts <= failures) throw new Error('connection refused');
      const ids = (params![0] as string[]).slice();
      if (ids.includes('huge')) throw Object.assign(new Error('value "99999999999" is out of range for type integer'), { code: '22003' });
      db.written.push(ids);
      return { rows: [{ n: ids.length }] as R[] };
    },
    exec: async () => undefined,
    close: async () => undefined,
  };
  return db;
}

async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done() && waited < 5000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('analytics sink', () => {
  it('writes each batch of usage events in one statement', async () => {
    const bus = new InMemoryBus();
    const db = flakyDatabase(0);
    const sink = await startAnalyticsSink({ bus, db, logger });
    await bus.publish(TOPICS.usage, ['a', 'b', 'c'].map((id) => ({ key: id, value: row(id) })));
    await until(() => sink.rowsWritten() === 3);
    expect(db.written).toEqual([['a', 'b', 'c']]);
  });

  it('retries a failed write until the database is back, so no row is lost', async () => {
    const bus = new InMemoryBus();
    const db = flakyDatabase(2);
    const sink = await startAnalyticsSink({ bus, db, logger, maxRetryDelayMs: 20 });
    await bus.publish(TOPICS.usage, [{ key: 'a', value: row('a') }]);
    await until(() => sink.rowsWritten() === 1);
    expect(db.attempts).toBe(3);
    expect(db.written).toEqual([['a']]);
  });

  it('dead-letters an event that is not a usage row and writes the rest', async () => {
    const bus = new InMemoryBus();
    const db = flakyDatabase(0);
    const dead: IncomingMessage[] = [];
    await bus.subscribe({ topic: TOPICS.deadLetter, group: 'dlq', handleBatch: async (messages) => void dead.push(...messages) });
    const sink = await startAnalyticsSink({ bus, db, logger });
    await bus.publish(TOPICS.usage, [
      { key: 'bad', value: { ...row('bad'), prompt_tokens: 'many' } },
      { key: 'good', value: row('good') },
    ]);
    await until(() => sink.rowsWritten() === 1 && dead.length === 1);
    expect(db.written).toEqual([['good']]);
    expect(dead[0].headers[DEAD_LETTER_HEADERS.reason]).toBe('prompt_tokens is not a number');
    expect(dead[0].headers[DEAD_LETTER_HEADERS.stage]).toBe('analytics');
  });

  it('dead-letters a row the database refuses, instead of retrying it forever', async () => {
    const bus = new InMemoryBus();
    const db = flakyDatabase(0);
    const dead: IncomingMessage[] = [];
    await bus.subscribe({ topic: TOPICS.deadLetter, group: 'dlq', handleBatch: async (messages) => void dead.push(...messages) });
    const sink = await startAnalyticsSink({ bus, db, logger });
    await bus.publish(TOPICS.usage, ['a', 'huge', 'b'].map((id) => ({ key: id, value: row(id) })));
    await until(() => sink.rowsWritten() === 2 && dead.length === 1);
    expect(db.written).toEqual([['a'], ['b']]);
    expect(dead[0].key).toBe('huge');
    expect(dead[0].headers[DEAD_LETTER_HEADERS.reason]).toMatch(/^the database refused the row: value "99999999999" is out of range/);
  });
});
