// One small interface over the two Postgres engines the gateway uses: a server through `pg`
// (distributed mode, or DATABASE_URL), and PGlite, Postgres compiled to WebAssembly (embedded mode).
import * as fs from 'node:fs';
import type { SqlPortSettings } from '@switchyard/config';
import { DatabaseError, Pool } from 'pg';
import { from as copyFromStdin } from 'pg-copy-streams';
import { startPgliteThread } from './pglite-thread';
import { SQL_READER_SETUP, startSqlPort, type SqlPort } from './sql-port';

/** Statements run on one connection (a transaction's). */
export interface SqlSession {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
  /** Runs several statements in one go. */
  exec(sql: string): Promise<void>;
}

export interface SqlClient extends SqlSession {
  readonly engine: 'postgres' | 'pglite';
  /**
   * Runs `work` in one transaction on one connection: committed when it resolves, rolled back when it
   * throws. Nothing else the client runs meanwhile comes in between its statements on PGlite.
   */
  transaction<T>(work: (tx: SqlSession) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * Postgres server only: runs `COPY ... FROM STDIN` (text format) with `data` as its input and
   * resolves with the number of rows copied. A server's fastest way in for many rows.
   */
  copyFrom?(sql: string, data: string): Promise<number>;
  /** PGlite with a SQL port only: host:port where Postgres clients (psql, BI tools) can read the database live. */
  readonly sqlAddress?: string;
}

/**
 * A client whose tables live in a new schema of the database: the integration tests share one Postgres,
 * and each keeps its tables apart this way (drop the schema with CASCADE when done).
 */
export async function createPostgresClientInNewSchema(connectionString: string, schema: string): Promise<SqlClient> {
  const admin = createPostgresClient(connectionString, 1);
  await admin.exec(`CREATE SCHEMA ${schema}`);
  await admin.close();
  const url = new URL(connectionString);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return createPostgresClient(url.toString());
}

export function createPostgresClient(connectionString: string, maxConnections = 4): SqlClient {
  const pool = new Pool({ connectionString, max: maxConnections, connectionTimeoutMillis: 5000 });
  // An idle client that loses its server emits 'error'; the pool replaces it, so only note it.
  pool.on('error', (error) => process.stderr.write(`postgres pool: ${error.message}\n`));
  return {
    engine: 'postgres',
    async query(text, params) {
      const result = await pool.query(text, params as unknown[]);
      return { rows: result.rows };
    },
    async exec(sql) {
      await pool.query(sql);
    },
    async transaction(work) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const session: SqlSession = {
          query: async (text, params) => ({ rows: (await client.query(text, params as unknown[])).rows }),
          exec: async (sql) => void (await client.query(sql)),
        };
        try {
          const result = await work(session);
          await client.query('COMMIT');
          return result;
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      } catch (error) {
        if (!(error instanceof DatabaseError)) broken = error as Error;
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async copyFrom(sql, data) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        const copy = client.query(copyFromStdin(sql));
        await new Promise<void>((resolve, reject) => {
          copy.once('error', reject);
          copy.once('finish', resolve);
          copy.end(data);
        });
        return copy.rowCount;
      } catch (error) {
        // An error the server reports (a refused row, say) leaves the connection usable; any other may not.
        if (!(error instanceof DatabaseError)) broken = error as Error;
        throw error;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

/**
 * PGlite under `dataDir`, on a worker thread of its own (see pglite-thread.ts). With `sql`, it also
 * speaks the Postgres wire protocol there, read-only and to the password only (see sql-port.ts), so
 * analytics can be queried with psql while the gateway runs. PGlite is one connection underneath: a
 * long query holds up the gateway's own writes until it ends.
 */
export async function createPgliteClient(dataDir: string, options: { sql?: SqlPortSettings } = {}): Promise<SqlClient> {
  fs.mkdirSync(dataDir, { recursive: true });
  const thread = await startPgliteThread(dataDir);
  let port: SqlPort | undefined;
  if (options.sql) {
    const [host, portNumber] = splitAddress(options.sql.address);
    try {
      await thread.run('exec', SQL_READER_SETUP);
      port = await startSqlPort({ host, port: portNumber, password: options.sql.password, run: (messages) => thread.run('protocol', undefined, messages) as Promise<Uint8Array[]> });
    } catch (error) {
      await thread.run('close');
      throw error;
    }
  }
  let closed: Promise<void> | undefined;
  return {
    engine: 'pglite',
    sqlAddress: port?.address,
    async query(text, params) {
      return { rows: (await thread.run('query', text, params)) as never[] };
    },
    async exec(sql) {
      await thread.run('exec', sql);
    },
    async transaction(work) {
      await thread.run('begin');
      try {
        const result = await work({
          query: async (text, params) => ({ rows: (await thread.run('query', text, params, true)) as never[] }),
          exec: async (sql) => void (await thread.run('exec', sql, undefined, true)),
        });
        await thread.run('commit');
        return result;
      } catch (error) {
        await thread.run('rollback');
        throw error;
      }
    },
    close() {
      closed ??= (async () => {
        await port?.stop();
        await thread.run('close');
      })();
      return closed;
    },
  };
}

function splitAddress(address: string): [string, number] {
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port)) throw new Error(`${address} is not host:port`);
  return [address.slice(0, colon), port];
}

/** A Postgres server when DATABASE_URL is set; otherwise PGlite under the data folder. */
export async function openAnalyticsDatabase(options: { databaseUrl?: string; dataDir: string; sql?: SqlPortSettings }): Promise<SqlClient> {
  if (options.databaseUrl) return createPostgresClient(options.databaseUrl);
  return createPgliteClient(`${options.dataDir.replace(/\/+$/, '')}/pglite`, { sql: options.sql });
}
