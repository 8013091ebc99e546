// One small interface over the two Postgres engines the gateway uses: a server through `pg`
// (distributed mode, or DATABASE_URL), and PGlite, Postgres compiled to WebAssembly (embedded mode).
import * as fs from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Pool } from 'pg';

export interface SqlClient {
  readonly engine: 'postgres' | 'pglite';
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
  /** Runs several statements in one go (migrations). */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
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

export async function createPgliteClient(dataDir: string): Promise<SqlClient> {
  fs.mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir });
  return {
    engine: 'pglite',
    async query(text, params) {
      const result = await db.query(text, params as unknown[]);
      return { rows: result.rows as never[] };
    },
    async exec(sql) {
      await db.exec(sql);
    },
    close: () => db.close(),
  };
}

/** A Postgres server when DATABASE_URL is set; otherwise PGlite under the data folder. */
export async function openAnalyticsDatabase(options: { databaseUrl?: string; dataDir: string }): Promise<SqlClient> {
  if (options.databaseUrl) return createPostgresClient(options.databaseUrl);
  return createPgliteClient(`${options.dataDir.replace(/\/+$/, '')}/pglite`);
}
