// The response cache as the provider-worker uses it: never a failure. A store that cannot be reached
// (or answers too slowly) is a miss, logged once when it goes and once when it comes back, counted in
// switchyard_response_cache_total{outcome="unavailable"}, and left alone for a while before it is tried again.
import type { CacheConfig } from '@switchyard/config';
import { gatewayMetrics, type Logger } from '@switchyard/telemetry';
import type { CachedAnswer } from './cached-answer';
import type { CacheStore } from './cache-store';

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
  now?: () => number;
}

export const RESPONSE_CACHE_DEFAULTS = { timeoutMs: 250, retryAfterMs: 5000, maxTotalBytes: 256 * 1024 * 1024, evictEveryMs: 60_000 } as const;

class StoreTimeout extends Error {}

export class ResponseCache {
  private readonly settings: Required<Omit<ResponseCacheOptions, 'store' | 'logger'>>;
  private migrated: Promise<void> | undefined;
  private unavailableUntil = 0;
  private down = false;
  private nextEvictionAt = 0;

  constructor(private readonly options: ResponseCacheOptions) {
    this.settings = { ...RESPONSE_CACHE_DEFAULTS, now: Date.now, ...stripUndefined(options) };
  }

  /** The answer stored under `key`; undefined on a miss, and when the store is unavailable. */
  async lookup(key: string): Promise<CachedAnswer | undefined> {
    const text = await this.guarded('look up', () => this.options.store.get(key, this.settings.now()));
    return text === undefined ? undefined : (JSON.parse(text) as CachedAnswer);
  }

  /** Stores an answer for the model's TTL, unless it is larger than the model's max_entry_bytes; says whether it was stored. */
  async save(key: string, model: string, answer: CachedAnswer, config: Pick<CacheConfig, 'ttl_s' | 'max_entry_bytes'>): Promise<boolean> {
    const text = JSON.stringify(answer);
    const bytes = Buffer.byteLength(text);
    if (bytes > config.max_entry_bytes) return false;
    const now = this.settings.now();
    const stored = await this.guarded('store', async () => {
      await this.options.store.put({ key, model, answer: text, bytes, stored_at_ms: now, expires_at_ms: now + config.ttl_s * 1000 });
      return true;
    });
    if (stored && now >= this.nextEvictionAt) {
      this.nextEvictionAt = now + this.settings.evictEveryMs;
      void this.guarded('evict from', () => this.options.store.evict(now, this.settings.maxTotalBytes), Number.POSITIVE_INFINITY);
    }
    return stored === true;
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
