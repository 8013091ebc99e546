import { describeDocumentedQueries } from './analytics-docs.scenarios';
import { createPostgresClientInNewSchema } from './sql-client';

// A schema of its own, so the shared test database's usage_events is left alone.
const schema = `analytics_docs_${Date.now()}`;

describeDocumentedQueries(
  'Postgres',
  async () => {
    return createPostgresClientInNewSchema(process.env.DATABASE_URL!, schema);
  },
  async (db) => {
    await db.exec(`DROP SCHEMA ${schema} CASCADE`);
    await db.close();
  },
);
