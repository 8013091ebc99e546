import { Client } from 'pg';
import { createPostgresClient } from '@switchyard/storage';
import { describeCacheStore } from './cache-store.scenarios';

// A schema of its own, so the shared test database's response_cache is left alone.
const schema = `cache_test_${Date.now()}`;

describeCacheStore(
  'Postgres',
  async () => {
    const admin = new Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const url = new URL(process.env.DATABASE_URL!);
    url.searchParams.set('options', `-c search_path=${schema}`);
    return createPostgresClient(url.toString());
  },
  async (db) => {
    await db.exec(`DROP SCHEMA ${schema} CASCADE`);
    await db.close();
  },
);
