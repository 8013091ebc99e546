// PGlite on a worker thread of its own. PGlite runs Postgres compiled to WebAssembly on the thread that
// calls it, so a usage_events insert of a few dozen rows held the embedded gateway's event loop for
// milliseconds, and every request that arrived meanwhile waited (most of embedded mode's p99 at
// concurrency 1). On its own thread, the statements run beside the requests.
//
// The worker's code is a string evaluated by the worker (not a file beside this one) so that it runs
// the same under tsx, jest and bundled builds, where a module's own path differs; it requires only
// PGlite, resolved here. The SQL port (sql-port.ts) runs on the calling thread and sends the worker
// protocol messages to run together.
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglitePath);

const errorBody = (error) => ({ message: error.message, code: error.code, detail: error.detail, severity: error.severity });

(async () => {
  let db;
  try {
    db = await PGlite.create({ dataDir: workerData.dataDir });
    parentPort.postMessage({ ready: true });
  } catch (error) {
    parentPort.postMessage({ ready: false, error: errorBody(error) });
    return;
  }
  // An open transaction (begin .. commit or rollback): its statements come with inTransaction, and
  // every other op waits until it ends, so that nothing comes in between.
  let transaction;
  let transactionEnded = Promise.resolve();
  parentPort.on('message', async ({ id, op, text, params, inTransaction }) => {
    try {
      if (!inTransaction && op !== 'commit' && op !== 'rollback') await transactionEnded;
      const target = inTransaction ? transaction.tx : db;
      if (op === 'query') parentPort.postMessage({ id, rows: (await target.query(text, params)).rows });
      else if (op === 'exec') parentPort.postMessage({ id, rows: (await target.exec(text), []) });
      else if (op === 'begin') {
        let started;
        let release;
        const ready = new Promise((resolve) => (started = resolve));
        const outcome = db.transaction((tx) => {
          started(tx);
          return new Promise((resolve) => (release = resolve));
        });
        transactionEnded = outcome.then(() => undefined, () => undefined);
        const tx = await Promise.race([ready, outcome.then(() => { throw new Error('the transaction ended before it began'); })]);
        transaction = { tx, release: () => release(), outcome };
        parentPort.postMessage({ id, rows: [] });
      } else if (op === 'commit' || op === 'rollback') {
        const { tx, release, outcome } = transaction;
        try {
          if (op === 'rollback') await tx.rollback();
          release();
          await outcome;
        } finally {
          transaction = undefined;
        }
        parentPort.postMessage({ id, rows: [] });
      } else if (op === 'protocol') {
        // Raw messages, in one exclusive turn: nothing the gateway runs comes in between them.
        const outputs = await db.runExclusive(async () => {
          const outputs = [];
          for (const message of params) outputs.push(await db.execProtocolRaw(message, { syncToFs: false }));
          return outputs;
        });
        parentPort.postMessage({ id, rows: outputs });
      } else if (op === 'close') {
        await db.close();
        parentPort.postMessage({ id, rows: [] });
        parentPort.close();
      }
    } catch (error) {
      parentPort.postMessage({ id, error: errorBody(error) });
    }
  });
})();
`;

/** An error as PGlite threw it, with its SQLSTATE `code` (callers tell data errors from others by it). */
export class PgliteError extends Error {
  code?: string;
  detail?: string;
  severity?: string;

  constructor(body: { message: string; code?: string; detail?: string; severity?: string }) {
    super(body.message);
    this.name = 'PgliteError';
    Object.assign(this, { code: body.code, detail: body.detail, severity: body.severity });
  }
}

type Reply = { id: number; rows?: unknown[]; error?: ConstructorParameters<typeof PgliteError>[0] };

export interface PgliteThread {
  /** `protocol`: `params` are wire protocol messages, run in order with nothing between; resolves with their outputs. */
  run(op: 'query' | 'exec' | 'protocol' | 'close' | 'begin' | 'commit' | 'rollback', text?: string, params?: unknown[], inTransaction?: boolean): Promise<unknown[]>;
}

/** Opens PGlite under `dataDir` on a worker thread. */
export async function startPgliteThread(dataDir: string): Promise<PgliteThread> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      dataDir,
      pglitePath: require.resolve('@electric-sql/pglite'),
    },
  });
  const pending = new Map<number, { resolve: (rows: unknown[]) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let failure: Error | undefined;
  const failAll = (error: Error) => {
    failure = error;
    for (const waiter of pending.values()) waiter.reject(error);
    pending.clear();
  };
  worker.on('error', (error) => failAll(new Error(`the PGlite thread failed: ${error.message}`, { cause: error })));
  worker.on('exit', (code) => failAll(new Error(`the PGlite thread has exited (code ${code})`)));

  const ready = await new Promise<{ ready: boolean; error?: Reply['error'] }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  if (!ready.ready) {
    await worker.terminate();
    throw new PgliteError(ready.error ?? { message: 'PGlite did not start' });
  }
  worker.on('message', (reply: Reply) => {
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (reply.error) waiter.reject(new PgliteError(reply.error));
    else waiter.resolve(reply.rows ?? []);
  });

  return {
    run(op, text, params, inTransaction) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, op, text, params, inTransaction });
      });
    },
  };
}
