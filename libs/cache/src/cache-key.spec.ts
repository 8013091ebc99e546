import type { CacheConfig } from '@switchyard/config';
import type { ChatRequest, RequestEvent } from '@switchyard/contracts';
import { cacheKeyOf, callerCacheConfig, canonicalJson, cosineSimilarity, planCache, promptText, semanticScopeOf } from './cache-key';

const CONFIG: CacheConfig = { mode: 'exact', ttl_s: 60, max_entry_bytes: 65_536, scope: 'global', deterministic_only: true, threshold: 0.95 };

function request(chat: Partial<ChatRequest> = {}, fields: Partial<RequestEvent> = {}): RequestEvent {
  return {
    request_id: 'r1',
    kind: 'chat',
    stream: false,
    reply_to: 'switchyard.replies.a',
    received_at: 1,
    deadline_at: 2,
    api_key_id: 'key_a',
    chat: { model: 'gpt', messages: [{ role: 'user', content: 'hi' }], temperature: 0, ...chat },
    ...fields,
  };
}

describe('the response cache key', () => {
  const base = cacheKeyOf(request(), CONFIG);

  it('is a SHA-256 in hex', () => {
    expect(base).toMatch(/^[0-9a-f]{64}$/);
  });

  it.each<[string, Partial<ChatRequest>]>([
    ['the model', { model: 'gpt-2' }],
    ['a message', { messages: [{ role: 'user', content: 'hi!' }] }],
    ['a role', { messages: [{ role: 'system', content: 'hi' }] }],
    ['the temperature', { temperature: 0.1 }],
    ['top_p', { top_p: 0.5 }],
    ['max_tokens', { max_tokens: 10 }],
    ['stop sequences', { stop: ['\n'] }],
    ['the seed', { seed: 7 }],
    ['the tools', { tools: [{ type: 'function', function: { name: 'f' } }] }],
    ['the tool choice', { tool_choice: { mode: 'none' } }],
    ['the response format', { response_format: { type: 'json_object' } }],
    ['a field the key has never heard of', { logit_bias: { 50256: -100 } } as Partial<ChatRequest>],
  ])('changes with %s', (_what, change) => {
    expect(cacheKeyOf(request(change), CONFIG)).not.toBe(base);
  });

  it('does not change with the order of object keys, the caller\'s metadata and user, or absent values', () => {
    const reordered: RequestEvent = request();
    reordered.chat = { temperature: 0, messages: [{ content: 'hi', role: 'user' }], model: 'gpt', metadata: { team: 'x' }, user: 'u1', top_p: undefined, response_format: null };
    expect(cacheKeyOf(reordered, CONFIG)).toBe(base);
  });

  it('does not change with the caller, the request id or streaming, in global scope', () => {
    expect(cacheKeyOf(request({}, { api_key_id: 'key_b', request_id: 'r2', stream: true, team: 't' }), CONFIG)).toBe(base);
  });

  it('splits by key in key scope, and by team in team scope (by key for a key without a team)', () => {
    const byKey = { ...CONFIG, scope: 'key' as const };
    expect(cacheKeyOf(request({}, { api_key_id: 'key_a' }), byKey)).not.toBe(cacheKeyOf(request({}, { api_key_id: 'key_b' }), byKey));
    expect(cacheKeyOf(request({}, { api_key_id: 'key_a' }), byKey)).not.toBe(base);
    const byTeam = { ...CONFIG, scope: 'team' as const };
    expect(cacheKeyOf(request({}, { api_key_id: 'key_a', team: 'search' }), byTeam)).toBe(cacheKeyOf(request({}, { api_key_id: 'key_b', team: 'search' }), byTeam));
    expect(cacheKeyOf(request({}, { api_key_id: 'key_a', team: 'search' }), byTeam)).not.toBe(cacheKeyOf(request({}, { api_key_id: 'key_a', team: 'ads' }), byTeam));
    expect(cacheKeyOf(request({}, { api_key_id: 'key_a' }), byTeam)).not.toBe(cacheKeyOf(request({}, { api_key_id: 'key_b' }), byTeam));
  });

  it('keeps answers guarded by a team\'s or key\'s own output rules apart, in every scope, exact and semantic', () => {
    expect(cacheKeyOf(request(), CONFIG, 'key:batch-app')).not.toBe(base);
    expect(cacheKeyOf(request(), CONFIG, 'key:batch-app')).not.toBe(cacheKeyOf(request(), CONFIG, 'team:finance key:batch-app'));
    expect(cacheKeyOf(request(), CONFIG, undefined)).toBe(base);
    expect(semanticScopeOf(request(), CONFIG, 'team:finance')).not.toBe(semanticScopeOf(request(), CONFIG));
    expect(planCache(request(), CONFIG, undefined, 'team:finance').key).toBe(cacheKeyOf(request(), CONFIG, 'team:finance'));
  });

  it('writes canonical JSON: sorted keys at every level, arrays in order, nulls dropped', () => {
    expect(canonicalJson({ b: [{ d: 1, c: null }, 2], a: 'x', e: undefined })).toBe('{"a":"x","b":[{"d":1},2]}');
  });
});

describe('the response cache plan', () => {
  it('looks up and stores a deterministic request: temperature 0, or a seed', () => {
    expect(planCache(request(), CONFIG)).toEqual({ status: 'miss', lookup: true, store: true, key: cacheKeyOf(request(), CONFIG), config: CONFIG });
    expect(planCache(request({ temperature: 0.7, seed: 3 }), CONFIG)).toMatchObject({ status: 'miss', lookup: true, store: true });
  });

  it('bypasses a request that is not deterministic, unless deterministic_only is off', () => {
    expect(planCache(request({ temperature: 0.7 }), CONFIG)).toEqual({ status: 'bypass', lookup: false, store: false, config: CONFIG });
    expect(planCache(request({ temperature: undefined }), CONFIG)).toEqual({ status: 'bypass', lookup: false, store: false, config: CONFIG });
    expect(planCache(request({ temperature: 0.7 }), { ...CONFIG, deterministic_only: false })).toMatchObject({ status: 'miss', lookup: true, store: true });
  });

  it('refreshes on no-cache (no lookup, the answer stored) and leaves the cache alone on no-store', () => {
    expect(planCache(request({}, { cache_control: 'no-cache' }), CONFIG)).toMatchObject({ status: 'bypass', lookup: false, store: true });
    expect(planCache(request({}, { cache_control: 'no-store' }), CONFIG)).toEqual({ status: 'bypass', lookup: false, store: false, config: CONFIG });
  });

  it('bypasses a prompt masked reversibly: its answer carries the caller\'s own values put back', () => {
    expect(planCache(request({}, { guardrail_placeholders: { '<EMAIL_1>': 'a@b.c' } }), CONFIG)).toEqual({ status: 'bypass', lookup: false, store: false, config: CONFIG });
  });

  it('bypasses embeddings', () => {
    expect(planCache({ ...request(), kind: 'embed', chat: undefined, embed: { model: 'e', input: ['x'] } }, CONFIG)).toEqual({ status: 'bypass', lookup: false, store: false, config: CONFIG });
  });
});

describe('key and team cache policies', () => {
  const SEMANTIC: CacheConfig = { ...CONFIG, mode: 'semantic', embed_model: 'e' };
  const policies = {
    keys: { 'batch-jobs': { enabled: false as const }, vk_strict: { threshold: 0.99, mode: 'exact' as const }, wide: { threshold: 0.5 } },
    teams: { research: { scope: 'team' as const }, private: { scope: 'key' as const, deterministic_only: true as const } },
  };
  const caller = (fields: Partial<RequestEvent>) => ({ api_key_id: 'vk_other', ...fields });

  it('leaves the model\'s settings as they are for a caller no policy names', () => {
    expect(callerCacheConfig(SEMANTIC, policies, caller({ key_name: 'app', team: 'sales' }))).toBe(SEMANTIC);
  });

  it('turns caching off for a key named by name or api_key_id: the plan bypasses, neither looking up nor storing', () => {
    expect(callerCacheConfig(CONFIG, policies, caller({ key_name: 'batch-jobs' }))).toBeUndefined();
    expect(planCache(request({}, { key_name: 'batch-jobs' }), CONFIG, policies)).toEqual({ status: 'bypass', lookup: false, store: false, config: CONFIG });
    expect(callerCacheConfig(CONFIG, { keys: { vk_1: { enabled: false } }, teams: {} }, caller({ api_key_id: 'vk_1' }))).toBeUndefined();
  });

  it('narrows the scope to the team\'s for its keys, which changes their key', () => {
    const narrowed = callerCacheConfig(CONFIG, policies, caller({ team: 'research' }));
    expect(narrowed).toEqual({ ...CONFIG, scope: 'team' });
    expect(planCache(request({}, { team: 'research' }), CONFIG, policies).key).toBe(cacheKeyOf(request({}, { team: 'research' }), { scope: 'team' }));
    expect(planCache(request({}, { team: 'research' }), CONFIG, policies).key).not.toBe(cacheKeyOf(request({}, { team: 'research' }), CONFIG));
  });

  it('never widens: a team scope on a key-scoped model stays key, a lower threshold stays the model\'s', () => {
    expect(callerCacheConfig({ ...CONFIG, scope: 'key' }, policies, caller({ team: 'research' }))).toEqual({ ...CONFIG, scope: 'key' });
    expect(callerCacheConfig(SEMANTIC, policies, caller({ key_name: 'wide' }))).toEqual(SEMANTIC);
  });

  it('applies the team\'s and the key\'s policies both, the narrowest of each setting winning', () => {
    expect(callerCacheConfig({ ...SEMANTIC, deterministic_only: false }, policies, caller({ api_key_id: 'vk_strict', team: 'private' }))).toEqual({
      ...SEMANTIC,
      mode: 'exact',
      threshold: 0.99,
      scope: 'key',
      deterministic_only: true,
    });
    // A team that turns caching off is not turned on again by its key's policy.
    expect(callerCacheConfig(CONFIG, { keys: { app: { scope: 'key' } }, teams: { off: { enabled: false } } }, caller({ key_name: 'app', team: 'off' }))).toBeUndefined();
  });

  it('finds no policy for names of Object\'s own properties', () => {
    expect(callerCacheConfig(CONFIG, policies, caller({ key_name: 'constructor', team: 'toString' }))).toBe(CONFIG);
  });
});

describe('the semantic scope', () => {
  const conversation = (user: string, system = 'be brief') => request({ messages: [{ role: 'system', content: system }, { role: 'user', content: user }] });

  it('is shared by requests that differ only in their prompt, and split by the system prompt, tools, response format and parameters', () => {
    const scope = semanticScopeOf(conversation('what is the capital of France?'), CONFIG);
    expect(semanticScopeOf(conversation('which city is the capital of France?'), CONFIG)).toBe(scope);
    expect(semanticScopeOf(conversation('what is the capital of France?', 'be verbose'), CONFIG)).not.toBe(scope);
    for (const change of [{ tools: [{ type: 'function', function: { name: 'f' } }] }, { response_format: { type: 'json_object' } }, { max_tokens: 5 }]) {
      const changed = conversation('what is the capital of France?');
      Object.assign(changed.chat!, change);
      expect(semanticScopeOf(changed, CONFIG)).not.toBe(scope);
    }
    expect(scope).not.toBe(cacheKeyOf(conversation('what is the capital of France?'), CONFIG));
  });

  it('is planned, with the prompt but the system messages, in semantic mode only', () => {
    const semantic = { ...CONFIG, mode: 'semantic' as const, embed_model: 'e' };
    expect(planCache(conversation('hi there'), semantic).semantic).toEqual({ scope: semanticScopeOf(conversation('hi there'), semantic), prompt: 'user: hi there' });
    expect(planCache(conversation('hi there'), CONFIG).semantic).toBeUndefined();
    expect(promptText({ model: 'm', messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b' }, { role: 'user', content_parts: [{ text: 'c' }] }] })).toBe('user: a\nassistant: b\nuser: c');
  });

  it('compares embeddings by cosine similarity', () => {
    expect(cosineSimilarity([1, 0], [1, 0])).toBe(1);
    expect(cosineSimilarity([1, 0], [0, 1])).toBe(0);
    expect(cosineSimilarity([3, 4], [6, 8])).toBeCloseTo(1, 10);
    expect(cosineSimilarity([1, 0], [0, 0])).toBe(0);
    expect(cosineSimilarity([1, 0], [1, 0, 0])).toBe(0);
  });
});
