// Where cached answers live: one Postgres table, shared by every provider-worker in distributed mode
// (PGlite's, in embedded mode). Entries expire by TTL and the table is held under a size bound.
import type { SqlClient } from '@switchyard/storage';

/** A stored answer, as text (JSON of a CachedAnswer), and what it is to the store. */
export interface CacheEntry {
  key: string;
  model: string;
  answer: string;
  bytes: number;
  stored_at_ms: number;
  expires_at_ms: number;
  /** Semantic mode: the requests it may answer (CachePlan.semantic.scope), and its prompt's embedding. */
  semantic_scope?: string;
  embedding?: number[];
}

/** How many of a semantic scope's newest entries a semantic lookup compares: the bound of its scan. */
export const SEMANTIC_CANDIDATES = 256;

export interface CacheStore {
  /** Creates what is missing; safe at every start and from several instances at once. */
  migrate(): Promise<void>;
  /** The answer stored under `key` and when it expires, unless it expired by `nowMs`. */
  get(key: string, nowMs: number): Promise<Pick<CacheEntry, 'answer' | 'expires_at_ms'> | undefined>;
  /** Stores or replaces the entry of its key. */
  put(entry: CacheEntry): Promise<void>;
  /** The newest unexpired entries of a semantic scope that have an embedding, at most `limit`. */
  similar(semanticScope: string, nowMs: number, limit: number): Promise<Pick<CacheEntry, 'answer' | 'expires_at_ms' | 'embedding'>[]>;
  /** Deletes the expired entries, then the oldest until the rest hold at most `maxBytes`; resolves with how many went. */
  evict(nowMs: number, maxBytes: number): Promise<number>;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS response_cache (
    key           text    PRIMARY KEY,
    model         text    NOT NULL,
    answer        text    NOT NULL,
    bytes         integer NOT NULL,
    stored_at_ms  bigint  NOT NULL,
    expires_at_ms bigint  NOT NULL,
    semantic_scope text,
    embedding     float8[]
  );
  CREATE INDEX IF NOT EXISTS response_cache_semantic_idx ON response_cache (semantic_scope, stored_at_ms DESC) WHERE semantic_scope IS NOT NULL;
  CREATE INDEX IF NOT EXISTS response_cache_expires_idx ON response_cache (expires_at_ms);
  CREATE INDEX IF NOT EXISTS response_cache_stored_idx ON response_cache (stored_at_ms);`;

// Postgres codes of two instances creating the same table at once: the loser's catalog insert collides.
const CREATED_CONCURRENTLY = new Set(['23505', '42P07']);

export class SqlCacheStore implements CacheStore {
  constructor(private readonly db: SqlClient) {}

  async migrate(): Promise<void> {
    try {
      await this.db.exec(SCHEMA);
    } catch (error) {
      if (!CREATED_CONCURRENTLY.has((error as { code?: string }).code ?? '')) throw error;
      await this.db.exec(SCHEMA);
    }
  }

  async get(key: string, nowMs: number): Promise<Pick<CacheEntry, 'answer' | 'expires_at_ms'> | undefined> {
    const { rows } = await this.db.query<{ answer: string; expires_at_ms: string }>('SELECT answer, expires_at_ms FROM response_cache WHERE key = $1 AND expires_at_ms > $2', [key, nowMs]);
    return rows[0] && { answer: rows[0].answer, expires_at_ms: Number(rows[0].expires_at_ms) };
  }

  async put(entry: CacheEntry): Promise<void> {
    await this.db.query(
      `INSERT INTO response_cache (key, model, answer, bytes, stored_at_ms, expires_at_ms, semantic_scope, embedding) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (key) DO UPDATE SET model = EXCLUDED.model, answer = EXCLUDED.answer, bytes = EXCLUDED.bytes,
         stored_at_ms = EXCLUDED.stored_at_ms, expires_at_ms = EXCLUDED.expires_at_ms, semantic_scope = EXCLUDED.semantic_scope, embedding = EXCLUDED.embedding`,
      [entry.key, entry.model, entry.answer, entry.bytes, entry.stored_at_ms, entry.expires_at_ms, entry.semantic_scope ?? null, entry.embedding ?? null],
    );
  }

  async similar(semanticScope: string, nowMs: number, limit: number): Promise<Pick<CacheEntry, 'answer' | 'expires_at_ms' | 'embedding'>[]> {
    const { rows } = await this.db.query<{ answer: string; expires_at_ms: string; embedding: number[] }>(
      `SELECT answer, expires_at_ms, embedding FROM response_cache
       WHERE semantic_scope = $1 AND expires_at_ms > $2 AND embedding IS NOT NULL ORDER BY stored_at_ms DESC LIMIT $3`,
      [semanticScope, nowMs, limit],
    );
    return rows.map((row) => ({ answer: row.answer, expires_at_ms: Number(row.expires_at_ms), embedding: row.embedding.map(Number) }));
  }

  async evict(nowMs: number, maxBytes: number): Promise<number> {
    const expired = await this.db.query('DELETE FROM response_cache WHERE expires_at_ms <= $1 RETURNING key', [nowMs]);
    const oldest = await this.db.query(
      `DELETE FROM response_cache WHERE key IN (
         SELECT key FROM (SELECT key, sum(bytes) OVER (ORDER BY stored_at_ms DESC, key) AS held FROM response_cache) newest_first
         WHERE held > $1)
       RETURNING key`,
      [maxBytes],
    );
    return expired.rows.length + oldest.rows.length;
  }
}
