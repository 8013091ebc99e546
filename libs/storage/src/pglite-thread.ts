// PGlite on a worker thread of its own. PGlite runs Postgres compiled to WebAssembly on the thread that
// calls it, so a usage_events insert of a few dozen rows held the embedded gateway's event loop for
// milliseconds, and every request that arrived meanwhile waited (most of embedded mode's p99 at
// concurrency 1). On its own thread, the statements run beside the requests.
//
// The worker's code is a string evaluated by the worker (not a file beside this one) so that it runs
// the same under tsx, jest and bundled builds, where a module's own path differs; it requires only
// PGlite, resolved here. The SQL port (sql-port.ts) runs on the calling thread and sends the worker
// protocol messages to run together.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';

/** PGlite opened under dataDir, with `settings` (PGLITE_SETTINGS) given to Postgres as -c options. */
const OPEN_PGLITE = `(PGlite, dataDir, settings) =>
  PGlite.create({ dataDir, startParams: [...PGlite.defaultStartParams, ...settings.flatMap((setting) => ['-c', setting])] })`;

// Run by a child process (node -e) on a new data folder: see startPgliteThread.
const INITDB_SOURCE = `
const [pglitePath, dataDir, settings] = process.argv.slice(1);
(${OPEN_PGLITE})(require(pglitePath).PGlite, dataDir, JSON.parse(settings)).then((db) => db.close());
`;

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglitePath);

const errorBody = (error) => ({ message: error.message, code: error.code, detail: error.detail, severity: error.severity });

(async () => {
  let db;
  try {
    db = await (${OPEN_PGLITE})(PGlite, workerData.dataDir, workerData.settings);
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

/**
 * Postgres settings PGlite starts with (`-c`). PGlite's own default, shared_buffers=128MB, is a block of
 * its WebAssembly memory that Postgres writes through at start, so all of it was resident: 150 of the
 * embedded gateway's ~370 MB. Its reads below the buffers come from the operating system's file cache,
 * which is nobody's resident memory.
 */
export const PGLITE_SETTINGS = ['shared_buffers=16MB'];

const PGLITE_PATH = require.resolve('@electric-sql/pglite');

/**
 * Keeps this process's WebAssembly, PGlite's Postgres, on V8's baseline compiler (Liftoff): call it
 * before PGlite opens. V8 otherwise recompiles hot functions with TurboFan on background threads, and
 * glibc keeps the memory those compilations freed: 60-90 MB of the embedded gateway's idle resident
 * memory, most of what stood between it and its 250 MB target. The price is PGlite's own speed (bulk
 * inserts and long scans are slower; BENCHMARKS.md#embedded-memory); the gateway's CPU a request is not
 * worse. The flag is process-wide, which is why the embedded app calls this and not PGlite's opener.
 */
export function keepWebAssemblyOnBaselineCompiler(): void {
  setFlagsFromString('--liftoff-only');
}

/** Opens PGlite under `dataDir` on a worker thread. */
export async function startPgliteThread(dataDir: string): Promise<PgliteThread> {
  // initdb on a new folder runs a second Postgres and copies the whole WebAssembly memory and data
  // folder through JavaScript; the thread that ran it kept ~500 MB of it. A process of its own that
  // ends gives it all back before the long-lived thread opens the folder.
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    await promisify(execFile)(process.execPath, ['-e', INITDB_SOURCE, PGLITE_PATH, dataDir, JSON.stringify(PGLITE_SETTINGS)]);
  }
  const { worker, ready } = openWorker(dataDir);
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
  await ready;
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

/** A worker that opens PGlite under `dataDir`; `ready` settles when it has, or rejects with PGlite's error. */
function openWorker(dataDir: string): { worker: Worker; ready: Promise<void> } {
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { dataDir, settings: PGLITE_SETTINGS, pglitePath: PGLITE_PATH } });
  const ready = new Promise<{ ready: boolean; error?: Reply['error'] }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the PGlite thread exited (code ${code}) before PGlite opened`)));
  }).then(async (reply) => {
    if (reply.ready) return;
    await worker.terminate();
    throw new PgliteError(reply.error ?? { message: 'PGlite did not start' });
  });
  return { worker, ready };
}
