// The migrations of a store's own schema (virtual keys, batches): a list of SQL texts, each applied once,
// in order, and recorded in the store's own `table` by its place in the list (from 1). A new schema
// change is a new entry, never an edit of an old one.
import type { SqlSession } from './sql-client';

export interface VersionedMigrations {
  /** The table that records the versions applied, such as keys_schema_migrations. */
  table: string;
  /** The advisory lock the migrations run under: an arbitrary constant of the store's own. */
  lock: number;
  migrations: readonly string[];
}

/** Applies the migrations not yet applied; safe at every start and from several instances at once. */
export async function applyVersionedMigrations(db: SqlSession, { table, lock, migrations }: VersionedMigrations): Promise<void> {
  for (let i = 0; i < migrations.length; i++) {
    const version = i + 1;
    // One statement list is one transaction: the lock, the check, the change and its record together.
    await db.exec(`SELECT pg_advisory_xact_lock(${lock});
      CREATE TABLE IF NOT EXISTS ${table} (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now());
      DO $migration$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM ${table} WHERE version = ${version}) THEN
          ${migrations[i]}
          INSERT INTO ${table} (version) VALUES (${version});
        END IF;
      END $migration$;`);
  }
}
