import { createPostgresClientInNewSchema } from './sql-client';
import { describeUsageEventsStore } from './usage-events.scenarios';

// A schema of its own, so the shared test database's usage_events is left alone.
const schema = `usage_test_${Date.now()}`;

describeUsageEventsStore(
  'Postgres',
  async () => {
    return createPostgresClientInNewSchema(process.env.DATABASE_URL!, schema);
  },
  async (db) => {
    await db.exec(`DROP SCHEMA ${schema} CASCADE`);
    await db.close();
  },
);
