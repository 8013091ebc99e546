import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeMigrations } from './schema.scenarios';
import { createPgliteClient, type SqlClient } from './sql-client';

// One PGlite for the file (making one costs seconds), its schema emptied for each test. PGlite is one
// connection: instances that start at once share it, as the embedded gateway's would.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-migrations-'));
let client: Promise<SqlClient> | undefined;

afterAll(async () => {
  await (await client)?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describeMigrations('PGlite', async () => {
  client ??= createPgliteClient(dir);
  const db = await client;
  await db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public;');
  return { connect: async () => db, dispose: async () => undefined };
});
