import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { createPgliteClient } from './sql-client';

describe('PGlite served to Postgres clients', () => {
  it('answers a pg client on its SQL address while the gateway keeps using it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-pglite-sql-'));
    const db = await createPgliteClient(dir, { sqlAddress: '127.0.0.1:0' });
    try {
      await db.exec(`CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes VALUES (1, 'from the gateway')`);
      const [host, port] = db.sqlAddress!.split(':');
      const client = new Client({ host, port: Number(port), user: 'postgres', database: 'postgres' });
      await client.connect();
      const { rows } = await client.query('SELECT body FROM notes WHERE id = $1', [1]);
      await client.query(`INSERT INTO notes VALUES (2, 'from psql')`);
      await client.end();
      expect(rows).toEqual([{ body: 'from the gateway' }]);
      expect((await db.query('SELECT count(*)::int AS n FROM notes')).rows).toEqual([{ n: 2 }]);
    } finally {
      await db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
