import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createPgliteClient } from './sql-client';
import type { SqlClient } from './sql-client';

describe('PGlite on its own thread', () => {
  let dir: string;
  let db: SqlClient;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-pglite-thread-'));
    db = await createPgliteClient(dir);
    await db.exec('CREATE TABLE t (id int PRIMARY KEY, at timestamptz, n bigint)');
  });

  afterAll(async () => {
    await db?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('regression: a long statement no longer holds the event loop (it did, and every request waited)', async () => {
    const order: string[] = [];
    const statement = db.query('SELECT count(*)::int AS n FROM generate_series(1, 2000000)').then(() => order.push('statement'));
    await new Promise((resolve) => setTimeout(resolve, 1));
    order.push('timer');
    await statement;
    expect(order).toEqual(['timer', 'statement']);
  });

  it('passes parameters and returns rows with their types', async () => {
    const at = new Date('2026-11-25T10:00:00Z');
    await db.query('INSERT INTO t SELECT * FROM unnest($1::int[], $2::timestamptz[], $3::bigint[])', [[1, 2], [at, at], [5, 6]]);
    const { rows } = await db.query<{ id: number; at: Date }>('SELECT id, at FROM t ORDER BY id');
    expect(rows).toEqual([{ id: 1, at }, { id: 2, at }]);
  });

  it("rejects with Postgres' SQLSTATE, which analytics tells data errors by", async () => {
    await expect(db.query('INSERT INTO t (id) VALUES (1)')).rejects.toMatchObject({ code: '23505', message: expect.stringContaining('duplicate key') });
    await expect(db.query('SELECT nope FROM t')).rejects.toMatchObject({ code: '42703' });
  });

  it('regression: runs Postgres with shared_buffers of 16MB (PGlite\'s 128MB default was all resident)', async () => {
    const { rows } = await db.query<{ shared_buffers: string }>('SHOW shared_buffers');
    expect(rows).toEqual([{ shared_buffers: '16MB' }]);
  });

  it('initialises a new folder (in a process of its own) and opens it again with its rows', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-pglite-thread-'));
    const first = await createPgliteClient(folder);
    await first.exec('CREATE TABLE kept (n int); INSERT INTO kept VALUES (7)');
    await first.close();
    const again = await createPgliteClient(folder);
    const { rows } = await again.query('SELECT n FROM kept');
    await again.close();
    fs.rmSync(folder, { recursive: true, force: true });
    expect(rows).toEqual([{ n: 7 }]);
  });

  it('says so when used after close', async () => {
    const other = await createPgliteClient(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-pglite-thread-')));
    await other.close();
    await expect(other.query('SELECT 1')).rejects.toThrow(/PGlite thread has exited/);
  });
});
