import { createPostgresClientInNewSchema } from '@switchyard/storage';
import { describeCacheStore } from './cache-store.scenarios';

// A schema of its own, so the shared test database's response_cache is left alone.
const schema = `cache_test_${Date.now()}`;

describeCacheStore(
  'Postgres',
  async () => {
    return createPostgresClientInNewSchema(process.env.DATABASE_URL!, schema);
  },
  async (db) => {
    await db.exec(`DROP SCHEMA ${schema} CASCADE`);
    await db.close();
  },
);
