// The response cache as the provider-worker uses it: never a failure. A store that cannot be reached
// (or answers too slowly) is a miss, logged once when it goes and once when it comes back, counted in
// switchyard_response_cache_total{outcome="unavailable"}, and left alone for a while before it is tried again.
// Answers read or stored lately are also kept in the worker's memory for a few seconds: a lookup in the
// store (a query, on PGlite a WebAssembly Postgres in this process) costs more CPU than a provider call,
// and a hot answer is asked for many times a second.
import type { CacheConfig } from '@switchyard/config';
import { gatewayMetrics, type Logger } from '@switchyard/telemetry';
import type { CachedAnswer } from './cached-answer';
import { cosineSimilarity } from './cache-key';
import { SEMANTIC_CANDIDATES, type CacheStore } from './cache-store';

export interface ResponseCacheOptions {
  store: CacheStore;
  logger: Logger;
  /** Longest a lookup or store may take before it counts as unavailable: the cache must not slow an answer down much. */
  timeoutMs?: number;
  /** After a failure, how long the store is not asked (each request is a miss at once). */
  retryAfterMs?: number;
  /** What the stored answers may hold in all; the oldest go first beyond it. */
  maxTotalBytes?: number;
  /** How often, at most, expired and excess entries are evicted (after a store). */
  evictEveryMs?: number;
  /**
   * How long an answer read or stored is served from memory (within its TTL) before the store is asked
   * again: how long a refresh (no-cache) made by another instance can take to reach this one.
   */
  memoryMs?: number;
  /** What the answers in memory may hold in all; the least recently used go first beyond it. */
  memoryBytes?: number;
  now?: () => number;
}

export const RESPONSE_CACHE_DEFAULTS = { timeoutMs: 250, retryAfterMs: 5000, maxTotalBytes: 256 * 1024 * 1024, evictEveryMs: 60_000, memoryMs: 5000, memoryBytes: 32 * 1024 * 1024 } as const;

interface Remembered {
  answer: CachedAnswer;
  bytes: number;
  until: number;
}

class StoreTimeout extends Error {}

export class ResponseCache {
  private readonly settings: Required<Omit<ResponseCacheOptions, 'store' | 'logger'>>;
  private migrated: Promise<void> | undefined;
  private unavailableUntil = 0;
  private down = false;
  private nextEvictionAt = 0;
  // In the order last used: the first is the one to forget.
  private readonly recent = new Map<string, Remembered>();
  private recentBytes = 0;

  constructor(private readonly options: ResponseCacheOptions) {
    this.settings = { ...RESPONSE_CACHE_DEFAULTS, now: Date.now, ...stripUndefined(options) };
  }

  /** The answer stored under `key`; undefined on a miss, and when the store is unavailable. */
  async lookup(key: string): Promise<CachedAnswer | undefined> {
    const now = this.settings.now();
    const remembered = this.recent.get(key);
    if (remembered) {
      this.forget(key);
      if (remembered.until > now) {
        this.remember(key, remembered);
        return remembered.answer;
      }
    }
    const found = await this.guarded('look up', () => this.options.store.get(key, now));
    if (!found) return undefined;
    const answer = JSON.parse(found.answer) as CachedAnswer;
    this.remember(key, { answer, bytes: Buffer.byteLength(found.answer), until: Math.min(now + this.settings.memoryMs, found.expires_at_ms) });
    return answer;
  }

  /**
   * Semantic mode: the stored answer of the scope whose prompt's embedding is the most similar to
   * `embedding`, if that similarity is at least `threshold`; undefined otherwise, and when the store is unavailable.
   */
  async lookupSimilar(semanticScope: string, embedding: number[], threshold: number): Promise<{ answer: CachedAnswer; similarity: number } | undefined> {
    const candidates = await this.guarded('search', () => this.options.store.similar(semanticScope, this.settings.now(), SEMANTIC_CANDIDATES));
    let best: { answer: string; similarity: number } | undefined;
    for (const candidate of candidates ?? []) {
      const similarity = cosineSimilarity(embedding, candidate.embedding!);
      if (similarity >= threshold && similarity > (best?.similarity ?? -1)) best = { answer: candidate.answer, similarity };
    }
    return best && { answer: JSON.parse(best.answer) as CachedAnswer, similarity: best.similarity };
  }

  /**
   * Stores an answer for the model's TTL, unless it is larger than the model's max_entry_bytes; says
   * whether it was stored. `semantic`: its scope and prompt's embedding, for semantic lookups.
   */
  async save(key: string, model: string, answer: CachedAnswer, config: Pick<CacheConfig, 'ttl_s' | 'max_entry_bytes'>, semantic?: { scope: string; embedding: number[] }): Promise<boolean> {
    const text = JSON.stringify(answer);
    const bytes = Buffer.byteLength(text);
    if (bytes > config.max_entry_bytes) return false;
    const now = this.settings.now();
    const expiresAt = now + config.ttl_s * 1000;
    this.forget(key);
    const stored = await this.guarded('store', async () => {
      await this.options.store.put({ key, model, answer: text, bytes, stored_at_ms: now, expires_at_ms: expiresAt, ...(semantic ? { semantic_scope: semantic.scope, embedding: semantic.embedding } : {}) });
      return true;
    });
    if (stored) this.remember(key, { answer, bytes, until: Math.min(now + this.settings.memoryMs, expiresAt) });
    if (stored && now >= this.nextEvictionAt) {
      this.nextEvictionAt = now + this.settings.evictEveryMs;
      void this.guarded('evict from', () => this.options.store.evict(now, this.settings.maxTotalBytes), Number.POSITIVE_INFINITY);
    }
    return stored === true;
  }

  private remember(key: string, entry: Remembered): void {
    if (entry.bytes > this.settings.memoryBytes) return;
    this.recent.set(key, entry);
    this.recentBytes += entry.bytes;
    for (const oldest of this.recent.keys()) {
      if (this.recentBytes <= this.settings.memoryBytes) break;
      this.forget(oldest);
    }
  }

  private forget(key: string): void {
    const entry = this.recent.get(key);
    if (!entry) return;
    this.recent.delete(key);
    this.recentBytes -= entry.bytes;
  }

  private async guarded<T>(what: string, operation: () => Promise<T>, timeoutMs = this.settings.timeoutMs): Promise<T | undefined> {
    if (this.settings.now() < this.unavailableUntil) {
      gatewayMetrics().responseCache('unavailable');
      return undefined;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const work = (async () => {
        this.migrated ??= this.options.store.migrate();
        await this.migrated;
        return operation();
      })();
      const result = Number.isFinite(timeoutMs)
        ? await Promise.race([work, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new StoreTimeout(`no answer within ${timeoutMs} ms`)), timeoutMs)))])
        : await work;
      if (this.down) {
        this.down = false;
        this.options.logger.info('the response cache store answers again; requests are looked up again');
      }
      return result;
    } catch (error) {
      // A migration that failed is tried again once the store is asked again.
      if (!(error instanceof StoreTimeout)) this.migrated = undefined;
      this.unavailableUntil = this.settings.now() + this.settings.retryAfterMs;
      gatewayMetrics().responseCache('unavailable');
      if (!this.down) {
        this.down = true;
        this.options.logger.warn(`could not ${what} the response cache store; requests are misses (answered by their providers) until it answers`, {
          error: (error as Error).message,
          retry_after_ms: this.settings.retryAfterMs,
        });
      }
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}

function stripUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
