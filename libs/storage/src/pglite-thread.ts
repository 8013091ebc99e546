// PGlite on a worker thread of its own. PGlite runs Postgres compiled to WebAssembly on the thread that
// calls it, so a usage_events insert of a few dozen rows held the embedded gateway's event loop for
// milliseconds, and every request that arrived meanwhile waited (most of embedded mode's p99 at
// concurrency 1). On its own thread, the statements run beside the requests.
//
// The worker's code is a string evaluated by the worker (not a file beside this one) so that it runs
// the same under tsx, jest and bundled builds, where a module's own path differs; it requires only
// PGlite and pglite-socket, resolved here.
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require(workerData.pglitePath);
const { PGLiteSocketServer } = require(workerData.socketPath);

const errorBody = (error) => ({ message: error.message, code: error.code, detail: error.detail, severity: error.severity });

(async () => {
  let db;
  let server;
  try {
    db = await PGlite.create({ dataDir: workerData.dataDir });
    if (workerData.sqlHost !== undefined) {
      server = new PGLiteSocketServer({ db, host: workerData.sqlHost, port: workerData.sqlPort, maxConnections: 16 });
      await server.start();
    }
    parentPort.postMessage({ ready: true, sqlAddress: server ? server.getServerConn() : undefined });
  } catch (error) {
    parentPort.postMessage({ ready: false, error: errorBody(error) });
    return;
  }
  parentPort.on('message', async ({ id, op, text, params }) => {
    try {
      if (op === 'query') parentPort.postMessage({ id, rows: (await db.query(text, params)).rows });
      else if (op === 'exec') parentPort.postMessage({ id, rows: (await db.exec(text), []) });
      else if (op === 'close') {
        if (server) await server.stop();
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
  run(op: 'query' | 'exec' | 'close', text?: string, params?: unknown[]): Promise<unknown[]>;
  sqlAddress?: string;
}

/** Opens PGlite under `dataDir` on a worker thread; with `sql`, also serves it over the Postgres protocol. */
export async function startPgliteThread(dataDir: string, sql?: { host: string; port: number }): Promise<PgliteThread> {
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: {
      dataDir,
      pglitePath: require.resolve('@electric-sql/pglite'),
      socketPath: require.resolve('@electric-sql/pglite-socket'),
      sqlHost: sql?.host,
      sqlPort: sql?.port,
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

  const ready = await new Promise<{ ready: boolean; sqlAddress?: string; error?: Reply['error'] }>((resolve, reject) => {
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
    sqlAddress: ready.sqlAddress,
    run(op, text, params) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, op, text, params });
      });
    },
  };
}
