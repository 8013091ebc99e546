import { propagation, trace, type Span, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { InMemoryBus, type Bus, type IncomingMessage, type Subscription } from '@switchyard/bus';
import { DEAD_LETTER_HEADERS, TOPICS } from '@switchyard/contracts';
import type { SqlClient, SqlSession } from '@switchyard/storage';
import { createLogger } from '@switchyard/telemetry';
import { startAnalyticsSink } from './analytics-sink';
import { usageRow } from './analytics-sink.fixtures';

const logger = createLogger('analytics-test', 'error');


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
    transaction: <T>(work: (tx: SqlSession) => Promise<T>): Promise<T> => work(db),
    close: async () => undefined,
  };
  return db;
}

async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done() && waited < 5000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** A sink on a database that never fails, with the dead letters it publishes collected. */
async function sinkWithDeadLetters() {
  const bus = new InMemoryBus();
  const db = flakyDatabase(0);
  const dead: IncomingMessage[] = [];
  await bus.subscribe({ topic: TOPICS.deadLetter, group: 'dlq', handleBatch: async (messages) => void dead.push(...messages) });
  const sink = await startAnalyticsSink({ bus, db, logger });
  return { bus, db, dead, sink };
}

describe('analytics sink', () => {
  it('writes each batch of usage events in one statement', async () => {
    const bus = new InMemoryBus();
    const db = flakyDatabase(0);
    const sink = await startAnalyticsSink({ bus, db, logger });
    await bus.publish(TOPICS.usage, ['a', 'b', 'c'].map((id) => ({ key: id, value: usageRow(id) })));
    await until(() => sink.rowsWritten() === 3);
    expect(db.written).toEqual([['a', 'b', 'c']]);
  });

  it('retries a failed write until the database is back, so no row is lost', async () => {
    const bus = new InMemoryBus();
    const db = flakyDatabase(2);
    const sink = await startAnalyticsSink({ bus, db, logger, maxRetryDelayMs: 20 });
    await bus.publish(TOPICS.usage, [{ key: 'a', value: usageRow('a') }]);
    await until(() => sink.rowsWritten() === 1);
    expect(db.attempts).toBe(3);
    expect(db.written).toEqual([['a']]);
  });

  it('dead-letters an event that is not a usage row and writes the rest', async () => {
    const { bus, db, dead, sink } = await sinkWithDeadLetters();
    await bus.publish(TOPICS.usage, [
      { key: 'bad', value: { ...usageRow('bad'), prompt_tokens: 'many' } },
      { key: 'good', value: usageRow('good') },
    ]);
    await until(() => sink.rowsWritten() === 1 && dead.length === 1);
    expect(db.written).toEqual([['good']]);
    expect(dead[0].headers[DEAD_LETTER_HEADERS.reason]).toBe('prompt_tokens is not a number');
    expect(dead[0].headers[DEAD_LETTER_HEADERS.stage]).toBe('analytics');
  });

  it('dead-letters a row the database refuses, instead of retrying it forever', async () => {
    const { bus, db, dead, sink } = await sinkWithDeadLetters();
    await bus.publish(TOPICS.usage, ['a', 'huge', 'b'].map((id) => ({ key: id, value: usageRow(id) })));
    await until(() => sink.rowsWritten() === 2 && dead.length === 1);
    expect(db.written).toEqual([['a'], ['b']]);
    expect(dead[0].key).toBe('huge');
    expect(dead[0].headers[DEAD_LETTER_HEADERS.reason]).toMatch(/^the database refused the row: value "99999999999" is out of range/);
  });
});

/** A bus that hands the test the sink's subscription, to deliver batches and see when each settles. */
function directBus(): Bus & { deliver(messages: IncomingMessage[]): Promise<void>; published: IncomingMessage[] } {
  let subscription: Subscription | undefined;
  const published: IncomingMessage[] = [];
  return {
    kind: 'in-memory',
    published,
    async subscribe(s) {
      subscription = s;
      return { readUpToNow: async () => undefined };
    },
    async publish(topic, messages) {
      for (const m of messages) published.push({ topic, partition: 0, offset: '0', key: m.key, value: m.value, headers: m.headers ?? {} });
    },
    ensureTopics: async () => undefined,
    deleteTopics: async () => undefined,
    close: async () => undefined,
    deliver: (messages) => subscription!.handleBatch(messages),
  };
}

let offset = 0;
const message = (id: string, headers: Record<string, string> = {}): IncomingMessage => ({ topic: TOPICS.usage, partition: 0, offset: String(offset++), key: id, value: usageRow(id), headers });

/** A database whose statements wait until the test lets them finish, in any order. */
function gatedDatabase(engine: 'postgres' | 'pglite') {
  const statements: { ids: string[]; finish: () => void }[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const db: SqlClient = {
    engine,
    async query<R>(_sql: string, params?: unknown[]) {
      const ids = (params![0] as string[]).slice();
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await new Promise<void>((finish) => statements.push({ ids, finish }));
      inFlight--;
      return { rows: [{ n: ids.length }] as R[] };
    },
    exec: async () => undefined,
    transaction: <T>(work: (tx: SqlSession) => Promise<T>): Promise<T> => work(db),
    close: async () => undefined,
  };
  return { db, statements, mostInFlight: () => mostInFlight };
}

const settled = (promise: Promise<unknown>) => {
  let done = false;
  void promise.then(() => (done = true));
  return () => done;
};
const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('analytics sink, statements', () => {
  it('regression: writes a row refused with SQLSTATE 54000 (a 9 KB model name) sanitised, and the rows beside it, without retrying it', async () => {
    const bus = new InMemoryBus();
    const statements: string[][] = [];
    const db: SqlClient = {
      engine: 'pglite',
      async query<R>(_sql: string, params?: unknown[]) {
        const [ids, models, sanitised] = [params![0], params![5], params![20]] as string[][];
        statements.push(ids.map((id, i) => `${id}:${sanitised[i] ?? 'as sent'}`));
        if (models.some((model) => model.length > 2000)) throw Object.assign(new Error('index row requires 9088 bytes, maximum size is 8191'), { code: '54000' });
        return { rows: [{ n: ids.length }] as R[] };
      },
      exec: async () => undefined,
      transaction: (work) => work(db),
      close: async () => undefined,
    };
    const sink = await startAnalyticsSink({ bus, db, logger });
    await bus.publish(TOPICS.usage, [
      { key: 'a', value: usageRow('a') },
      { key: 'huge', value: usageRow('huge', { model: 'm'.repeat(9 * 1024) }) },
    ]);
    await until(() => sink.rowsWritten() === 2);
    expect(statements).toEqual([['a:as sent', 'huge:as sent'], ['a:as sent'], ['huge:as sent'], ['huge:model']]);
    expect(sink.rowsSanitised()).toBe(1);
  });

  it('halves a batch the database refuses to find the bad row: a few statements, not one a row', async () => {
    const { bus, db, dead, sink } = await sinkWithDeadLetters();
    const ids = Array.from({ length: 64 }, (_, i) => (i === 37 ? 'huge' : `r${i}`));
    await bus.publish(TOPICS.usage, ids.map((id) => ({ key: id, value: usageRow(id) })));
    await until(() => sink.rowsWritten() === 63 && dead.length === 1);
    expect(dead.map((m) => m.key)).toEqual(['huge']);
    expect(db.written.flat().sort()).toEqual(ids.filter((id) => id !== 'huge').sort());
    expect(db.attempts).toBeLessThanOrEqual(1 + 2 * Math.log2(64));
  });

  it('keeps two statements in flight on a Postgres server, and settles a batch only once its rows are written', async () => {
    const bus = directBus();
    const { db, statements, mostInFlight } = gatedDatabase('postgres');
    await startAnalyticsSink({ bus, db, logger, maxRowsPerStatement: 2 });
    const first = settled(bus.deliver([message('a1'), message('a2')]));
    const second = settled(bus.deliver([message('b1'), message('b2')]));
    const third = settled(bus.deliver([message('c1'), message('c2')]));
    await turn();
    expect(statements.map((s) => s.ids)).toEqual([['a1', 'a2'], ['b1', 'b2']]);
    statements[1].finish();
    await turn();
    expect([first(), second(), third()]).toEqual([false, true, false]);
    expect(statements.map((s) => s.ids)).toEqual([['a1', 'a2'], ['b1', 'b2'], ['c1', 'c2']]);
    statements[0].finish();
    statements[2].finish();
    await turn();
    expect([first(), second(), third()]).toEqual([true, true, true]);
    expect(mostInFlight()).toBe(2);
  });

  it('writes one statement at a time on PGlite, and a batch larger than a statement in parts', async () => {
    const bus = directBus();
    const { db, statements, mostInFlight } = gatedDatabase('pglite');
    await startAnalyticsSink({ bus, db, logger, maxRowsPerStatement: 64 });
    const ids = Array.from({ length: 150 }, (_, i) => `p${i}`);
    const batch = settled(bus.deliver(ids.map((id) => message(id))));
    for (let i = 0; i < 3; i++) {
      await until(() => statements.length === i + 1);
      await turn();
      expect(statements).toHaveLength(i + 1);
      expect(batch()).toBe(false);
      statements[i].finish();
    }
    await until(batch);
    expect(statements.map((s) => s.ids.length)).toEqual([64, 64, 22]);
    expect(statements.flatMap((s) => s.ids)).toEqual(ids);
    expect(mostInFlight()).toBe(1);
  });
});

describe('analytics sink, tracing', () => {
  afterEach(() => {
    trace.disable();
    propagation.disable();
    jest.restoreAllMocks();
  });

  const traceparent = (traceId: string, sampled: boolean) => ({ traceparent: `00-${traceId}-${'1'.repeat(16)}-${sampled ? '01' : '00'}` });

  it("records a span a row in the row's request trace where the request is sampled", async () => {
    const exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const bus = directBus();
    await startAnalyticsSink({ bus, db: flakyDatabase(0), logger });
    await bus.deliver([
      message('s1', traceparent('a'.repeat(32), true)),
      message('u1', traceparent('b'.repeat(32), false)),
      message('s2', traceparent('c'.repeat(32), true)),
      message('u2', traceparent('d'.repeat(32), false)),
    ]);
    const spans = exporter.getFinishedSpans();
    expect(spans.map((span) => [span.name, span.attributes['switchyard.request_id'], span.spanContext().traceId])).toEqual([
      ['analytics', 's1', 'a'.repeat(32)],
      ['analytics', 's2', 'c'.repeat(32)],
    ]);
  });

  it('starts no span a row while tracing records nothing: one a batch decides', async () => {
    const started: string[] = [];
    const nonRecording = { isRecording: () => false, end: () => undefined } as unknown as Span;
    jest.spyOn(trace, 'getTracer').mockReturnValue({
      startSpan: (_name: string, options?: { attributes?: Record<string, unknown> }) => {
        started.push(String(options?.attributes?.['switchyard.request_id']));
        return nonRecording;
      },
    } as unknown as Tracer);
    const bus = directBus();
    const db = flakyDatabase(0);
    await startAnalyticsSink({ bus, db, logger });
    await bus.deliver(['a', 'b', 'c', 'd'].map((id) => message(id)));
    await bus.deliver([message('e', traceparent('e'.repeat(32), false)), message('f', traceparent('f'.repeat(32), false)), message('g')]);
    expect(db.written).toEqual([['a', 'b', 'c', 'd'], ['e', 'f', 'g']]);
    expect(started).toEqual(['a', 'e', 'g']);
  });
});
