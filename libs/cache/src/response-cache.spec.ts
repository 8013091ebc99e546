import { createLogger, gatewayMetrics, type Logger } from '@switchyard/telemetry';
import type { CachedAnswer } from './cached-answer';
import type { CacheEntry, CacheStore } from './cache-store';
import { ResponseCache } from './response-cache';

const ANSWER: CachedAnswer = { route: { provider: 'p', upstream_model: 'm' }, chat: { choices: [{ index: 0, message: { role: 'assistant', content: 'hi' }, finish_reason: 'stop' }] } };
const TTL = { ttl_s: 60, max_entry_bytes: 4096 };

/** A store in a map, which fails every call while `down`, or never answers while `hung`. */
class MapStore implements CacheStore {
  readonly entries = new Map<string, CacheEntry>();
  down = false;
  hung = false;
  calls = 0;
  async migrate(): Promise<void> {
    this.check();
  }
  async get(key: string, nowMs: number): Promise<Pick<CacheEntry, 'answer' | 'expires_at_ms'> | undefined> {
    await this.check();
    const entry = this.entries.get(key);
    return entry && entry.expires_at_ms > nowMs ? entry : undefined;
  }
  async put(entry: CacheEntry): Promise<void> {
    await this.check();
    this.entries.set(entry.key, entry);
  }
  async similar(semanticScope: string, nowMs: number, limit: number): Promise<CacheEntry[]> {
    await this.check();
    return [...this.entries.values()].filter((entry) => entry.semantic_scope === semanticScope && entry.expires_at_ms > nowMs).slice(-limit).reverse();
  }
  async evict(): Promise<number> {
    return 0;
  }
  private check(): Promise<void> {
    this.calls++;
    if (this.down) throw new Error('connection refused');
    return this.hung ? new Promise<void>(() => undefined) : Promise.resolve();
  }
}

function loggerCapturing(): { logger: Logger; warnings: string[]; infos: string[] } {
  const warnings: string[] = [];
  const infos: string[] = [];
  const logger = createLogger('cache-test', 'error');
  return { logger: { ...logger, warn: (message: string) => warnings.push(message), info: (message: string) => infos.push(message) }, warnings, infos };
}

const unavailable = () => gatewayMetrics().responseCacheOutcomes.get().values.find((value) => value.labels.outcome === 'unavailable')?.value ?? 0;

describe('ResponseCache', () => {
  let clock = 1_000_000;
  const now = () => clock;

  it('stores an answer and finds it until its TTL passes', async () => {
    const store = new MapStore();
    const cache = new ResponseCache({ store, logger: loggerCapturing().logger, now });
    expect(await cache.save('k', 'model', ANSWER, TTL)).toBe(true);
    expect(await cache.lookup('k')).toEqual(ANSWER);
    expect(store.entries.get('k')).toMatchObject({ model: 'model', stored_at_ms: clock, expires_at_ms: clock + 60_000, bytes: JSON.stringify(ANSWER).length });
    clock += 60_000;
    expect(await cache.lookup('k')).toBeUndefined();
  });

  it('does not store an answer larger than max_entry_bytes', async () => {
    const store = new MapStore();
    const cache = new ResponseCache({ store, logger: loggerCapturing().logger, now });
    expect(await cache.save('k', 'model', ANSWER, { ttl_s: 60, max_entry_bytes: 10 })).toBe(false);
    expect(store.entries.size).toBe(0);
  });

  it('is a miss while the store is down, logs it once, counts it, leaves the store alone a while, and says when it is back', async () => {
    const store = new MapStore();
    const { logger, warnings, infos } = loggerCapturing();
    const cache = new ResponseCache({ store, logger, now, retryAfterMs: 5000, memoryMs: 0 });
    await cache.save('k', 'model', ANSWER, TTL);
    store.down = true;
    const before = unavailable();
    const callsBefore = store.calls;
    expect(await cache.lookup('k')).toBeUndefined();
    expect(await cache.lookup('k')).toBeUndefined();
    expect(await cache.save('k2', 'model', ANSWER, TTL)).toBe(false);
    expect(store.calls - callsBefore).toBe(1);
    expect(unavailable() - before).toBe(3);
    expect(warnings).toEqual([expect.stringMatching(/could not look up the response cache store; requests are misses/)]);
    store.down = false;
    clock += 5000;
    expect(await cache.lookup('k')).toEqual(ANSWER);
    expect(infos).toEqual([expect.stringMatching(/answers again/)]);
    expect(warnings).toHaveLength(1);
  });

  it('is a miss when the store does not answer within its timeout', async () => {
    const store = new MapStore();
    const cache = new ResponseCache({ store, logger: loggerCapturing().logger, now, timeoutMs: 20, memoryMs: 0 });
    await cache.save('k', 'model', ANSWER, TTL);
    store.hung = true;
    expect(await cache.lookup('k')).toBeUndefined();
  });

  it('serves an answer read or stored lately from memory, for memoryMs within its TTL, then asks the store again', async () => {
    const store = new MapStore();
    const cache = new ResponseCache({ store, logger: loggerCapturing().logger, now, memoryMs: 5000 });
    await cache.save('k', 'model', ANSWER, TTL);
    const refreshed: CachedAnswer = { ...ANSWER, chat: { choices: [{ index: 0, message: { role: 'assistant', content: 'refreshed' }, finish_reason: 'stop' }] } };
    // Another instance refreshes the entry: this one serves its copy until memoryMs has passed.
    store.entries.set('k', { ...store.entries.get('k')!, answer: JSON.stringify(refreshed) });
    const calls = store.calls;
    expect(await cache.lookup('k')).toEqual(ANSWER);
    expect(store.calls).toBe(calls);
    clock += 5000;
    expect(await cache.lookup('k')).toEqual(refreshed);
    expect(store.calls).toBe(calls + 1);
  });

  it('keeps in memory no more than memoryBytes, forgetting the least recently used first', async () => {
    const store = new MapStore();
    const bytes = JSON.stringify(ANSWER).length;
    const cache = new ResponseCache({ store, logger: loggerCapturing().logger, now, memoryBytes: 2 * bytes });
    for (const key of ['a', 'b', 'c']) await cache.save(key, 'model', ANSWER, TTL);
    const calls = store.calls;
    expect(await cache.lookup('c')).toEqual(ANSWER);
    expect(await cache.lookup('b')).toEqual(ANSWER);
    expect(store.calls).toBe(calls);
    expect(await cache.lookup('a')).toEqual(ANSWER);
    expect(store.calls).toBe(calls + 1);
  });

  it('finds the most similar stored prompt of a semantic scope at or above the threshold, and none below it', async () => {
    const store = new MapStore();
    const cache = new ResponseCache({ store, logger: loggerCapturing().logger, now });
    const other: CachedAnswer = { ...ANSWER, chat: { choices: [{ index: 0, message: { role: 'assistant', content: 'other' }, finish_reason: 'stop' }] } };
    await cache.save('k1', 'model', ANSWER, TTL, { scope: 's', embedding: [1, 0, 0] });
    await cache.save('k2', 'model', other, TTL, { scope: 's', embedding: [0.6, 0.8, 0] });
    await cache.save('k3', 'model', other, TTL, { scope: 'elsewhere', embedding: [1, 0, 0] });
    // cos([1, 0.1, 0], [1, 0, 0]) = 0.995; with [0.6, 0.8, 0], 0.677.
    expect(await cache.lookupSimilar('s', [1, 0.1, 0], 0.99)).toEqual({ answer: ANSWER, similarity: expect.closeTo(0.995, 3) });
    expect(await cache.lookupSimilar('s', [1, 0.1, 0], 0.996)).toBeUndefined();
    expect(await cache.lookupSimilar('s', [0.6, 0.8, 0], 0.99)).toEqual({ answer: other, similarity: expect.closeTo(1, 6) });
    expect(await cache.lookupSimilar('none', [1, 0, 0], 0.5)).toBeUndefined();
  });
});
