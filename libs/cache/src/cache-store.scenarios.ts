// What SqlCacheStore must do on either engine: run on PGlite (cache-store.spec.ts) and on a Postgres server (cache-store.integration.spec.ts).
import type { SqlClient } from '@switchyard/storage';
import { SqlCacheStore, type CacheEntry } from './cache-store';

export function describeCacheStore(engine: string, open: () => Promise<SqlClient>, close: (db: SqlClient) => Promise<void>): void {
  describe(`SqlCacheStore on ${engine}`, () => {
    let db: SqlClient;
    let store: SqlCacheStore;

    beforeAll(async () => {
      db = await open();
      store = new SqlCacheStore(db);
      await store.migrate();
      await store.migrate();
    });

    afterAll(() => close(db));

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

    it('gives the newest unexpired entries of a semantic scope with their embeddings, at most the limit', async () => {
      await store.put({ ...entry('old', 1), semantic_scope: 's', embedding: [1, 0.5] });
      await store.put({ ...entry('new', 2), semantic_scope: 's', embedding: [0, 1] });
      await store.put({ ...entry('gone', 3, 100, 10), semantic_scope: 's', embedding: [1, 1] });
      await store.put({ ...entry('other', 4), semantic_scope: 't', embedding: [1, 1] });
      await store.put(entry('exact-only', 5));
      expect(await store.similar('s', 100, 10)).toEqual([
        { answer: '{"key":"new"}', expires_at_ms: 60_002, embedding: [0, 1] },
        { answer: '{"key":"old"}', expires_at_ms: 60_001, embedding: [1, 0.5] },
      ]);
      expect(await store.similar('s', 100, 1)).toHaveLength(1);
    });
  });
}
