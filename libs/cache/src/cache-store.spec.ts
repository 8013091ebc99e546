import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createPgliteClient, type SqlClient } from '@switchyard/storage';
import { SqlCacheStore, type CacheEntry } from './cache-store';

jest.setTimeout(60_000);

describe('SqlCacheStore on PGlite', () => {
  let dir: string;
  let db: SqlClient;
  let store: SqlCacheStore;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-cache-store-'));
    db = await createPgliteClient(dir);
    store = new SqlCacheStore(db);
    await store.migrate();
    await store.migrate();
  });

  afterAll(async () => {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => db.exec('DELETE FROM response_cache'));

  const entry = (key: string, storedAt: number, bytes = 100, ttlMs = 60_000): CacheEntry => ({ key, model: 'm', answer: `{"key":"${key}"}`, bytes, stored_at_ms: storedAt, expires_at_ms: storedAt + ttlMs });
  const keys = async () => (await db.query<{ key: string }>('SELECT key FROM response_cache ORDER BY key')).rows.map((row) => row.key);

  it('finds an entry until it expires, and replaces it when stored again', async () => {
    await store.put(entry('a', 1000));
    expect(await store.get('a', 1000)).toEqual({ answer: '{"key":"a"}', expires_at_ms: 61_000 });
    expect(await store.get('a', 61_000)).toBeUndefined();
    await store.put({ ...entry('a', 70_000), answer: '{"fresh":true}' });
    expect(await store.get('a', 70_000)).toEqual({ answer: '{"fresh":true}', expires_at_ms: 130_000 });
    expect(await store.get('missing', 0)).toBeUndefined();
  });

  it('evicts the expired entries, then the oldest beyond the size bound', async () => {
    await store.put(entry('expired', 0, 100, 10));
    for (const [key, at] of [['oldest', 1], ['older', 2], ['newer', 3], ['newest', 4]] as const) await store.put(entry(key, at));
    expect(await store.evict(100, 250)).toBe(3);
    expect(await keys()).toEqual(['newer', 'newest']);
    expect(await store.evict(100, 250)).toBe(0);
  });
});
