// One small interface over the two Postgres engines the gateway uses: a server through `pg`
// (distributed mode, or DATABASE_URL), and PGlite, Postgres compiled to WebAssembly (embedded mode).
import * as fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { Pool } from 'pg';

export interface SqlClient {
  readonly engine: 'postgres' | 'pglite';
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
  /** Runs several statements in one go (migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
  /** PGlite only: host:port where Postgres clients (psql, BI tools) can query the database live. */
  readonly sqlAddress?: string;
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
    close: () => pool.end(),
  };
}

/**
 * PGlite under `dataDir`. With `sqlAddress` (host:port, port 0 for any), it also speaks the Postgres
 * wire protocol there through pglite-socket, so analytics can be queried with psql while the gateway
 * runs. PGlite is one connection underneath: a client that holds a transaction open holds up the
 * gateway's own writes until it ends.
 */
export async function createPgliteClient(dataDir: string, options: { sqlAddress?: string } = {}): Promise<SqlClient> {
  fs.mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir });
  let server: PGLiteSocketServer | undefined;
  if (options.sqlAddress) {
    const [host, port] = splitAddress(options.sqlAddress);
    server = new PGLiteSocketServer({ db, host, port, maxConnections: 16 });
    await server.start();
  }
  return {
    engine: 'pglite',
    sqlAddress: server?.getServerConn(),
    async query(text, params) {
      const result = await db.query(text, params as unknown[]);
      return { rows: result.rows as never[] };
    },
    async exec(sql) {
      await db.exec(sql);
    },
    async close() {
      await server?.stop();
      await db.close();
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
export async function openAnalyticsDatabase(options: { databaseUrl?: string; dataDir: string; sqlAddress?: string }): Promise<SqlClient> {
  if (options.databaseUrl) return createPostgresClient(options.databaseUrl);
  return createPgliteClient(`${options.dataDir.replace(/\/+$/, '')}/pglite`, { sqlAddress: options.sqlAddress });
}
