import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
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

describe('keepWebAssemblyOnBaselineCompiler', () => {
  // A hot WebAssembly function, which V8 tiers up to TurboFan unless told not to. V8's own tests ask
  // which tier a function is in with --allow-natives-syntax; a child process, as the flag is process-wide.
  // The module: (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add).
  const tierAfterHotLoop = async (keepOnBaseline: boolean): Promise<string> => {
    const script = `
      const { keepWebAssemblyOnBaselineCompiler } = require(${JSON.stringify(path.join(__dirname, 'pglite-thread.ts'))});
      if (${keepOnBaseline}) keepWebAssemblyOnBaselineCompiler();
      const bytes = new Uint8Array([0,97,115,109,1,0,0,0,1,7,1,96,2,127,127,1,127,3,2,1,0,7,7,1,3,97,100,100,0,0,10,9,1,7,0,32,0,32,1,106,11]);
      const add = new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports.add;
      // Tier-up compiles on a background thread: keep calling until it lands, or for 5 s.
      const until = Date.now() + 5000;
      let sum = 0;
      while (!%IsTurboFanFunction(add) && Date.now() < until) for (let i = 0; i < 1e6; i++) sum = add(sum, 1) | 0;
      process.stdout.write(%IsTurboFanFunction(add) ? 'turbofan' : %IsLiftoffFunction(add) ? 'liftoff' : 'other');`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '-e', script], { timeout: 60_000 });
    return stdout;
  };

  it('keeps a hot function on Liftoff, where V8 would have tiered it up to TurboFan', async () => {
    expect(await tierAfterHotLoop(false)).toBe('turbofan');
    expect(await tierAfterHotLoop(true)).toBe('liftoff');
  }, 120_000);
});
