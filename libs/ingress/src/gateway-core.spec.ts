import { InMemoryBus } from '@switchyard/bus';
import { TOPICS, type CancelEvent, type RequestEvent } from '@switchyard/contracts';
import { createLogger } from '@switchyard/telemetry';
import { createHash, createHmac } from 'node:crypto';
import { apiKeyIdsUnder, Cancellation, GatewayCore, gatewayKeysFrom } from './gateway-core';

const core = (apiKeys?: string[]) => new GatewayCore({ bus: new InMemoryBus(), catalog: new Map(), logger: createLogger('core-test', 'error'), defaultTimeoutMs: 1000, apiKeys });

describe('gateway keys', () => {
  it('reads comma-separated keys from every variable auth names, and none without auth', () => {
    expect(gatewayKeysFrom(undefined, { KEYS: 'a' })).toEqual([]);
    expect(gatewayKeysFrom({ api_keys_env: 'KEYS' }, { KEYS: ' sk-one, sk-two ,' })).toEqual(['sk-one', 'sk-two']);
    expect(gatewayKeysFrom({ api_keys_env: ['KEYS', 'MORE'] }, { KEYS: 'sk-one', MORE: 'sk-three' })).toEqual(['sk-one', 'sk-three']);
  });

  it('refuses to start open when auth names a variable that holds no keys', () => {
    expect(() => gatewayKeysFrom({ api_keys_env: 'SWITCHYARD_API_KEYS' }, {})).toThrow(
      'auth.api_keys_env names SWITCHYARD_API_KEYS, but SWITCHYARD_API_KEYS holds no keys; set it to comma-separated gateway keys',
    );
    expect(() => gatewayKeysFrom({ api_keys_env: 'KEYS' }, { KEYS: ' , ' })).toThrow(/holds no keys/);
  });

  it('lets everyone in when no keys are configured', () => {
    expect(() => core().authenticate(undefined)).not.toThrow();
    expect(() => core([]).listModels()).not.toThrow();
  });

  it('accepts any configured key and refuses a missing, wrong or near-miss one as unauthenticated', () => {
    const guarded = core(['sk-alpha', 'sk-beta']);
    expect(() => guarded.authenticate('sk-alpha')).not.toThrow();
    expect(() => guarded.authenticate('sk-beta')).not.toThrow();
    for (const credential of [undefined, '', 'sk-alph', 'sk-alphaa', 'SK-ALPHA']) {
      expect(() => guarded.authenticate(credential)).toThrow(expect.objectContaining({ code: 'unauthenticated' }));
    }
    expect(() => guarded.listModels({ credential: 'nope' })).toThrow('the gateway key is not valid');
    expect(guarded.servedModels()).toEqual([]);
  });

  it('checks the key before anything else on every call', async () => {
    const guarded = core(['sk-alpha']);
    await expect(guarded.chat({ model: '', messages: [] }, { credential: 'wrong' })).rejects.toMatchObject({ code: 'unauthenticated' });
    await expect(guarded.chatStream({ model: '', messages: [] }, () => undefined)).rejects.toMatchObject({ code: 'unauthenticated' });
    await expect(guarded.embed({ model: '', input: [] }, { credential: 'wrong' })).rejects.toMatchObject({ code: 'unauthenticated' });
    await expect(guarded.chat({ model: '', messages: [] }, { credential: 'sk-alpha' })).rejects.toMatchObject({ code: 'invalid_request' });
  });
});

describe('apiKeyIdsUnder', () => {
  const SECRET = 'a-server-secret-of-thirty-two-characters';
  const keyedId = (key: string, secret = SECRET) => 'key_' + createHmac('sha256', secret).update(key).digest('hex').slice(0, 16);

  it('names a key by the start of its HMAC-SHA-256 under the secret, the same each time, and a call without one anonymous', () => {
    const apiKeyIdOf = apiKeyIdsUnder(SECRET);
    expect(apiKeyIdOf('sk-alpha')).toBe(keyedId('sk-alpha'));
    expect(apiKeyIdOf('sk-alpha')).toBe(keyedId('sk-alpha'));
    expect(apiKeyIdsUnder(SECRET)('sk-alpha')).toBe(keyedId('sk-alpha'));
    expect(apiKeyIdOf('sk-beta')).not.toBe(apiKeyIdOf('sk-alpha'));
    expect(apiKeyIdOf(undefined)).toBe('anonymous');
    expect(apiKeyIdOf('')).toBe('anonymous');
  });

  it('gives a key another id under another secret', () => {
    expect(apiKeyIdsUnder('another-server-secret-of-32-characters')('sk-alpha')).toBe(keyedId('sk-alpha', 'another-server-secret-of-32-characters'));
    expect(apiKeyIdsUnder('another-server-secret-of-32-characters')('sk-alpha')).not.toBe(apiKeyIdsUnder(SECRET)('sk-alpha'));
  });

  it('a row cannot confirm a guessed key without the secret: the id is no longer the unsalted SHA-256 of the key', () => {
    const unsalted = 'key_' + createHash('sha256').update('sk-alpha').digest('hex').slice(0, 16);
    expect(apiKeyIdsUnder(SECRET)('sk-alpha')).not.toBe(unsalted);
  });

  it('still names every key right after more keys than it keeps ids of', () => {
    const apiKeyIdOf = apiKeyIdsUnder(SECRET);
    const keys = Array.from({ length: 3000 }, (_, i) => `sk-${i}`);
    for (const key of keys) apiKeyIdOf(key);
    for (const key of [keys[0], keys[1500], keys[2999]]) expect(apiKeyIdOf(key)).toBe(keyedId(key));
  });
});

describe('a caller that goes away', () => {
  // A pipeline that takes requests and never answers, and records the cancellations it is sent.
  async function unanswered() {
    const bus = new InMemoryBus();
    const requests: RequestEvent[] = [];
    const cancellations: CancelEvent[] = [];
    await bus.subscribe({ topic: TOPICS.requests, group: 'silent', handleBatch: async (messages) => void requests.push(...messages.map((m) => m.value as RequestEvent)) });
    await bus.subscribe({ topic: TOPICS.cancellations, group: 'worker', handleBatch: async (messages) => void cancellations.push(...messages.map((m) => m.value as CancelEvent)) });
    const gateway = new GatewayCore({ bus, catalog: new Map(), logger: createLogger('core-test', 'error'), defaultTimeoutMs: 10_000 });
    await gateway.start();
    return { gateway, requests, cancellations };
  }
  const request = { model: 'm', messages: [{ role: 'user' as const, content: 'x' }] };
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('cancels the call and tells the pipeline, once', async () => {
    const { gateway, requests, cancellations } = await unanswered();
    const cancellation = new Cancellation();
    const call = gateway.chat(request, { cancellation });
    await settle();
    expect(requests).toHaveLength(1);
    cancellation.cancel();
    cancellation.cancel();
    await expect(call).rejects.toMatchObject({ code: 'cancelled' });
    await settle();
    expect(cancellations).toEqual([{ request_id: requests[0].request_id, reason: 'client_cancelled' }]);
  });

  it('fails a call whose caller had already gone', async () => {
    const { gateway, cancellations } = await unanswered();
    const cancellation = new Cancellation();
    cancellation.cancel();
    await expect(gateway.chat(request, { cancellation })).rejects.toMatchObject({ code: 'cancelled' });
    await settle();
    expect(cancellations).toHaveLength(1);
  });
});
