import { Client } from 'pg';
import { describeMigrations } from './schema.scenarios';
import { createPostgresClient, type SqlClient } from './sql-client';

// A schema of its own for each test, so the shared test database is left alone; each connect() is a
// pool of its own, as each analytics instance has.
let made = 0;
describeMigrations('Postgres', async () => {
  const schema = `migrations_test_${Date.now()}_${made++}`;
  const admin = new Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(process.env.DATABASE_URL!);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const clients: SqlClient[] = [];
  return {
    connect: async () => {
      const client = createPostgresClient(url.toString());
      clients.push(client);
      return client;
    },
    dispose: async () => {
      await Promise.all(clients.map((client) => client.close()));
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
});
