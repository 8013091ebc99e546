import { Client } from 'pg';
import { describeDocumentedQueries } from './analytics-docs.scenarios';
import { createPostgresClient } from './sql-client';

// A schema of its own, so the shared test database's usage_events is left alone.
const schema = `analytics_docs_${Date.now()}`;

describeDocumentedQueries(
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
