import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createPgliteClient, type SqlClient } from '@switchyard/storage';
import { createLogger } from '@switchyard/telemetry';
import { BatchRunner, Pacer, batchPacingFrom, type BatchRunnerOptions, type LineSender, type SendOutcome } from './batch-runner';
import { BatchService } from './batch-service';
import { SqlBatchStore } from './batch-store';
import type { BatchOwner, BatchRecord, LineResult } from './records';

jest.setTimeout(60_000);

const owner: BatchOwner = { api_key_id: 'key_a' };
const logger = createLogger('batch-runner-test', 'error');
let dir: string;
let db: SqlClient;
let store: SqlBatchStore;
let service: BatchService;
// The runners of the running test, told of batches made and cancelled as the gateway's are.
const runners = new Set<BatchRunner>();

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-batch-runner-'));
  db = await createPgliteClient(dir);
  store = new SqlBatchStore(db);
  await store.migrate();
  await store.migrate();
  service = new BatchService(store, () => undefined, () => runners.forEach((runner) => runner.nudge()));
});

afterAll(async () => {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function batchOf(count: number): Promise<BatchRecord> {
  const content = Array.from({ length: count }, (_, i) => JSON.stringify({ custom_id: `c${i}`, method: 'POST', url: '/v1/embeddings', body: { model: 'e', input: [`text ${i}`] } })).join('\n');
  const file = await service.createFile(owner, { purpose: 'batch', filename: 'in.jsonl', content: Buffer.from(content) });
  return service.createBatch(owner, { input_file_id: file.id, endpoint: '/v1/embeddings', completion_window: '24h' });
}

async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await probe()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`never: ${what}`);
}

const answer = (customId: string): SendOutcome => ({ response: { status_code: 200, request_id: `r-${customId}`, body: { custom_id: customId } } });
const ended = (id: string) => until(`batch ${id} ends`, async () => ['completed', 'cancelled'].includes((await store.getBatch(id))!.status));

/** Runs a runner until the batch ends, then stops it. */
async function runUntilEnded(batchId: string, options: Omit<BatchRunnerOptions, 'logger' | 'runnerId' | 'pollMs'>): Promise<void> {
  const runner = new BatchRunner({ logger, runnerId: 'r1', pollMs: 20, ...options });
  runners.add(runner);
  runner.start();
  await ended(batchId);
  await runner.stop();
  runners.delete(runner);
}

describe('BatchRunner', () => {
  it('keeps no more requests of a batch under way than its cap, and answers each once', async () => {
    const batch = await batchOf(40);
    let inFlight = 0;
    let most = 0;
    const sent: string[] = [];
    const send: LineSender = async (_batch, line) => {
      sent.push(line.custom_id);
      most = Math.max(most, ++inFlight);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inFlight--;
      return answer(line.custom_id);
    };
    await runUntilEnded(batch.id, { store, send, pacing: { ratePerSecond: 10_000, batchRatePerSecond: 10_000, inFlight: 8, batchInFlight: 3, queueTargetMs: 0 } });
    expect(most).toBe(3);
    expect(sent.sort()).toEqual(Array.from({ length: 40 }, (_, i) => `c${i}`).sort());
    const done = (await store.getBatch(batch.id))!;
    expect(done).toMatchObject({ status: 'completed', request_counts: { total: 40, completed: 40, failed: 0 } });
    const output = (await store.fileContent(done.output_file_id!))!.trim().split('\n').map((text) => JSON.parse(text));
    expect(output.map((line: { custom_id: string }) => line.custom_id)).toEqual(Array.from({ length: 40 }, (_, i) => `c${i}`));
    expect(output[0]).toEqual({ id: `batch_req_${batch.id.slice('batch_'.length)}_1`, custom_id: 'c0', response: { status_code: 200, request_id: 'r-c0', body: { custom_id: 'c0' } }, error: null });
  });

  it('reads a batch\'s requests a quarter second of its pace at a time, not a query for each request it sends', async () => {
    const batch = await batchOf(100);
    let reads = 0;
    const counting: SqlBatchStore = Object.create(store);
    counting.pendingLines = (batchId, limit) => {
      reads++;
      return store.pendingLines(batchId, limit);
    };
    const sent: string[] = [];
    const send: LineSender = async (_batch, line) => {
      sent.push(line.custom_id);
      await new Promise((resolve) => setTimeout(resolve, 2));
      return answer(line.custom_id);
    };
    await runUntilEnded(batch.id, { store: counting, send, pacing: { ratePerSecond: 200, batchRatePerSecond: 200, inFlight: 4, batchInFlight: 4, queueTargetMs: 0 } });
    expect([sent.length, new Set(sent).size, reads <= 5]).toEqual([100, 100, true]);
  });

  it('does not write again a result the gateway says it has recorded in the batch', async () => {
    const batch = await batchOf(10);
    const writes: string[] = [];
    const counting: SqlBatchStore = Object.create(store);
    counting.settleLine = (batchId, customId, result) => {
      writes.push(customId);
      return store.settleLine(batchId, customId, result);
    };
    // Every second request's answer (c1, c3, ...) is recorded as the gateway records it from its reply.
    const send: LineSender = async (_batch, line) => {
      if (line.line % 2 === 1) return answer(line.custom_id);
      await store.settleLine(line.batch_id, line.custom_id, answer(line.custom_id) as LineResult);
      return { ...answer(line.custom_id), recorded: true };
    };
    await runUntilEnded(batch.id, { store: counting, send, pacing: { ratePerSecond: 10_000, batchRatePerSecond: 10_000, inFlight: 4, batchInFlight: 4, queueTargetMs: 0 } });
    expect([writes.sort(), (await store.getBatch(batch.id))!.request_counts]).toEqual([['c0', 'c2', 'c4', 'c6', 'c8'], { total: 10, completed: 10, failed: 0 }]);
  });

  // Regression: the hold was set on the host's clock and compared with the runner's, so a runner on a clock
  // ahead of the host's (as in the expiry test) never held a batch and sent a refused request straight again.
  it('holds a batch whose request the gateway refused for now for a second, on the runner\'s own clock', async () => {
    const batch = await batchOf(1);
    const triedAt: number[] = [];
    const send: LineSender = async (_batch, line) => {
      triedAt.push(Date.now());
      return triedAt.length === 1 ? { retry: 'overloaded' } : answer(line.custom_id);
    };
    await runUntilEnded(batch.id, { store, send, now: () => new Date(Date.now() + 60 * 60 * 1000) });
    expect([triedAt.length, triedAt[1] - triedAt[0] >= 900]).toEqual([2, true]);
  });

  // Regression: the requests read were those without a result less those under way when the read
  // returned, so one that ended during the read, read before its result was written, was sent again.
  it('sends no request again that ended while the next requests were being read', async () => {
    const batch = await batchOf(30);
    const slowReads: SqlBatchStore = Object.create(store);
    slowReads.pendingLines = async (batchId, limit) => {
      const lines = await store.pendingLines(batchId, limit);
      await new Promise((resolve) => setTimeout(resolve, 30));
      return lines;
    };
    const sent: string[] = [];
    // Of two under way, one ends first and starts a read; the other ends during that read.
    const send: LineSender = async (_batch, line) => {
      sent.push(line.custom_id);
      await new Promise((resolve) => setTimeout(resolve, line.line % 2 === 0 ? 5 : 20));
      return answer(line.custom_id);
    };
    await runUntilEnded(batch.id, { store: slowReads, send, pacing: { ratePerSecond: 10_000, batchRatePerSecond: 10_000, inFlight: 2, batchInFlight: 2, queueTargetMs: 0 } });
    expect([sent.length, new Set(sent).size]).toEqual([30, 30]);
  });

  it('starts at a tenth of the rate over all batches when it yields to queues, and slows further when its requests find the pipeline queued', async () => {
    await batchOf(60);
    const sentAt: number[] = [];
    let pipelineMs = 10;
    const send: LineSender = async (_batch, line) => {
      sentAt.push(Date.now());
      // Unqueued for the first requests, then ever longer, as if interactive traffic filled the stages.
      pipelineMs = sentAt.length <= 10 ? 10 : pipelineMs + 10;
      return { ...answer(line.custom_id), pipeline_ms: pipelineMs };
    };
    const runner = new BatchRunner({ store, send, logger, runnerId: 'r1', pollMs: 20, pacing: { ratePerSecond: 100, batchRatePerSecond: 100, inFlight: 8, batchInFlight: 8, queueTargetMs: 5 } });
    runners.add(runner);
    const started = Date.now();
    runner.start();
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await runner.stop();
    runners.delete(runner);
    // 10 a second: a second's worth at once, then one every 100 ms; at 100 a second all 60 would be sent.
    expect(sentAt.filter((at) => at - started < 500).length).toBeLessThanOrEqual(15);
    // From the second window on, each one cuts the rate: the last second sends fewer than the first.
    const inSecond = (from: number) => sentAt.filter((at) => at - started >= from && at - started < from + 1000).length;
    expect(inSecond(1500)).toBeLessThan(inSecond(0));
    expect(sentAt.length).toBeLessThan(60);
  });

  it('sends again a request the gateway could not take now, and records an error answer in the error file', async () => {
    const batch = await batchOf(3);
    const tries = new Map<string, number>();
    const send: LineSender = async (_batch, line) => {
      const n = (tries.get(line.custom_id) ?? 0) + 1;
      tries.set(line.custom_id, n);
      if (line.custom_id === 'c1' && n === 1) return { retry: 'overloaded' };
      if (line.custom_id === 'c2') return { response: { status_code: 404, request_id: 'r', body: { error: { code: 'model_not_found' } } } };
      return answer(line.custom_id);
    };
    const runner = new BatchRunner({ store, send, logger, runnerId: 'r2', pollMs: 20 });
    runners.add(runner);
    runner.start();
    await ended(batch.id);
    await runner.stop();
    runners.delete(runner);
    expect(Object.fromEntries(tries)).toEqual({ c0: 1, c1: 2, c2: 1 });
    const done = (await store.getBatch(batch.id))!;
    expect(done.request_counts).toEqual({ total: 3, completed: 2, failed: 1 });
    const errors = (await store.fileContent(done.error_file_id!))!.trim().split('\n').map((text) => JSON.parse(text));
    expect(errors).toEqual([{ id: expect.any(String), custom_id: 'c2', response: { status_code: 404, request_id: 'r', body: { error: { code: 'model_not_found' } } }, error: null }]);
  });

  it('ends a cancelled batch once its requests under way are answered, the rest in the error file as batch_cancelled', async () => {
    const batch = await batchOf(10);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const sent: string[] = [];
    const send: LineSender = async (_batch, line) => {
      sent.push(line.custom_id);
      await held;
      return answer(line.custom_id);
    };
    const runner = new BatchRunner({ store, send, logger, runnerId: 'r3', pollMs: 20, pacing: { ratePerSecond: 1000, batchRatePerSecond: 1000, inFlight: 2, batchInFlight: 2, queueTargetMs: 0 } });
    runners.add(runner);
    runner.start();
    await until('two requests under way', async () => sent.length === 2);
    expect((await service.cancelBatch(owner, batch.id)).status).toBe('cancelling');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await store.getBatch(batch.id))!.status).toBe('cancelling');
    release();
    await ended(batch.id);
    await runner.stop();
    runners.delete(runner);
    expect(sent).toEqual(['c0', 'c1']);
    const done = (await store.getBatch(batch.id))!;
    expect(done).toMatchObject({ status: 'cancelled', request_counts: { total: 10, completed: 2, failed: 8 } });
    const errors = (await store.fileContent(done.error_file_id!))!.trim().split('\n').map((text) => JSON.parse(text));
    expect(errors.map((line: { custom_id: string }) => line.custom_id)).toEqual(['c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9']);
    expect(errors[0]).toMatchObject({ response: null, error: { code: 'batch_cancelled' } });
  });

  it('ends a batch past its 24-hour window expired, its requests not yet sent in the error file as batch_expired', async () => {
    const batch = await batchOf(3);
    const sent: string[] = [];
    const send: LineSender = async (_batch, line) => {
      sent.push(line.custom_id);
      return answer(line.custom_id);
    };
    const runner = new BatchRunner({ store, send, logger, runnerId: 'r4', pollMs: 20, now: () => new Date(Date.now() + 25 * 60 * 60 * 1000) });
    runners.add(runner);
    runner.start();
    await until(`batch ${batch.id} expires`, async () => (await store.getBatch(batch.id))!.status === 'expired');
    await runner.stop();
    runners.delete(runner);
    expect(sent).toEqual([]);
    const done = (await store.getBatch(batch.id))!;
    expect(done.request_counts).toEqual({ total: 3, completed: 0, failed: 3 });
    expect(done.expired_at).toBeGreaterThan(done.expires_at);
    const errors = (await store.fileContent(done.error_file_id!))!.trim().split('\n').map((text) => JSON.parse(text));
    expect(errors.map((line: { custom_id: string; error: { code: string } }) => [line.custom_id, line.error.code])).toEqual([
      ['c0', 'batch_expired'],
      ['c1', 'batch_expired'],
      ['c2', 'batch_expired'],
    ]);
  });

  it('leaves a batch held by another runner alone until that runner\'s lease runs out', async () => {
    const batch = await batchOf(1);
    const now = new Date();
    expect((await store.claim('other', 60_000, now)).map((claimed) => claimed.id)).toContain(batch.id);
    expect((await store.claim('mine', 60_000, now)).map((claimed) => claimed.id)).not.toContain(batch.id);
    expect((await store.claim('mine', 60_000, new Date(now.getTime() + 61_000))).map((claimed) => claimed.id)).toContain(batch.id);
  });

  it('records a request\'s result once: a second result for it is not taken', async () => {
    const batch = await batchOf(1);
    expect(await store.settleLine(batch.id, 'c0', answer('c0') as never)).toBe(true);
    expect(await store.settleLine(batch.id, 'c0', { error: { code: 'x', message: 'second' } })).toBe(false);
    expect((await store.getBatch(batch.id))!.request_counts).toEqual({ total: 1, completed: 1, failed: 0 });
  });
});

describe('Pacer', () => {
  it('gives a second\'s worth of tokens at once, then one per 1/rate seconds', () => {
    const pacer = new Pacer(4, 0);
    expect([1, 2, 3, 4, 5].map(() => pacer.take(0))).toEqual([true, true, true, true, false]);
    expect(pacer.waitMs()).toBe(250);
    expect(pacer.take(249)).toBe(false);
    expect(pacer.take(251)).toBe(true);
  });

  it('takes a new rate at once: at most a second\'s worth of the new rate is held', () => {
    const pacer = new Pacer(100, 0);
    pacer.setRate(2, 0);
    expect([1, 2, 3].map(() => pacer.take(0))).toEqual([true, true, false]);
    expect(pacer.waitMs()).toBe(500);
  });
});

describe('batchPacingFrom', () => {
  it('reads the environment, and refuses what is not a whole number in range', () => {
    expect(batchPacingFrom({ SWITCHYARD_BATCH_RATE: '50', SWITCHYARD_BATCH_IN_FLIGHT_PER_BATCH: '4' })).toEqual({ ratePerSecond: 50, batchRatePerSecond: 100, inFlight: 64, batchInFlight: 4, queueTargetMs: 5 });
    expect(() => batchPacingFrom({ SWITCHYARD_BATCH_RATE: '0' })).toThrow('SWITCHYARD_BATCH_RATE must be a whole number from 1 to 100000, not "0"');
    expect(batchPacingFrom({ SWITCHYARD_BATCH_QUEUE_TARGET_MS: '0' }).queueTargetMs).toBe(0);
    expect(() => batchPacingFrom({ SWITCHYARD_BATCH_QUEUE_TARGET_MS: '-1' })).toThrow('SWITCHYARD_BATCH_QUEUE_TARGET_MS must be a whole number from 0 to 100000, not "-1"');
  });
});

describe('SqlBatchStore', () => {
  it('lists batches made in one second newest first (regression: a CLI list --limit 1 named another batch of that second)', async () => {
    const sameSecond = new BatchService(store, () => undefined, () => undefined, () => new Date('2026-12-03T10:00:00.250Z'));
    const lister: BatchOwner = { api_key_id: 'key_same_second' };
    const content = JSON.stringify({ custom_id: 'c', method: 'POST', url: '/v1/embeddings', body: { model: 'e', input: ['text'] } });
    const made: string[] = [];
    for (let i = 0; i < 6; i++) {
      const file = await sameSecond.createFile(lister, { purpose: 'batch', filename: 'in.jsonl', content: Buffer.from(content) });
      made.push((await sameSecond.createBatch(lister, { input_file_id: file.id, endpoint: '/v1/embeddings', completion_window: '24h' })).id);
    }
    const newestFirst = [...made].reverse();
    expect((await store.listBatches(lister, undefined, 10)).map((batch) => batch.id)).toEqual(newestFirst);
    expect((await store.listBatches(lister, newestFirst[1], 2)).map((batch) => batch.id)).toEqual(newestFirst.slice(2, 4));
  });
});
