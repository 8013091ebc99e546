import type { RequestEvent, SettlementEvent } from '@switchyard/contracts';
import { InvalidEventError } from '@switchyard/contracts';
import { EventAuthenticator, EventSigner } from './event-auth';
import { KeyDirectory } from './key-directory';
import type { KeyRecord } from './records';
import { keyRecordOf } from './records.fixtures';

const NOW = Date.parse('2030-01-01T00:00:00Z');
const KEY_ID = 'vk_0123456789abcdef';

function keyRecord(overrides: Partial<KeyRecord> = {}): KeyRecord {
  return keyRecordOf({ name: 'batch', models: ['mock-*'], rpm: 10, ...overrides });
}

const request = (overrides: Partial<RequestEvent> = {}): RequestEvent => ({
  request_id: 'r1',
  kind: 'chat',
  stream: false,
  reply_to: 'batch.replies',
  received_at: NOW,
  deadline_at: NOW + 60_000,
  api_key_id: 'whoever',
  chat: { model: 'mock-echo', messages: [{ role: 'user', content: 'hi' }] },
  ...overrides,
});

describe('event authentication', () => {
  const signer = new EventSigner('a'.repeat(64));
  const directory = new KeyDirectory();
  directory.apply({ type: 'key', key: keyRecord() });
  const authenticator = new EventAuthenticator(signer, directory);
  const refusal = (event: unknown) => {
    try {
      authenticator.authenticate(event as RequestEvent, NOW);
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidEventError);
      return (error as Error).message;
    }
    throw new Error('accepted');
  };

  it('takes a request the gateway signed, and none whose payer or reply topic changed after', () => {
    const signed = request({ api_key_id: KEY_ID, key_name: 'batch', limits: { owner: KEY_ID, key: { id: KEY_ID, rpm: 10, tpm: null, max_concurrent: null, budget_usd: null, budget_period: null } } });
    signer.signRequest(signed);
    expect(authenticator.authenticate(signed, NOW)).toBe(signed);
    const mismatch = "the request's signature does not match its api_key_id, key_name, team, limits and reply_to";
    expect(refusal({ ...signed, api_key_id: 'someone-else' })).toBe(mismatch);
    expect(refusal({ ...signed, reply_to: 'attacker.replies' })).toBe(mismatch);
    expect(refusal({ ...signed, limits: undefined })).toBe(mismatch);
    expect(refusal({ ...signed, signature: signed.signature!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) })).toBe(mismatch);
    expect(refusal(request())).toBe('with virtual keys on, a request produced to switchyard.requests must carry a producer_token (POST /admin/v1/keys/{id}/producer-token); this one has none');
  });

  it("exchanges a producer token for its key's identity and limits, whatever the producer claimed", () => {
    const token = signer.producerToken(KEY_ID, NOW + 3_600_000);
    expect(token).toMatch(/^sypt_vk_0123456789abcdef\.\d{13}\.[A-Za-z0-9_-]{43}$/);
    const claimed = request({ producer_token: token, api_key_id: 'admin', team: 'finance', limits: { owner: 'x', key: { id: 'x', rpm: null, tpm: null, max_concurrent: null, budget_usd: null, budget_period: null } } });
    const trusted = authenticator.authenticate(claimed, NOW) as RequestEvent;
    expect(trusted).toEqual({
      ...request(),
      api_key_id: KEY_ID,
      key_name: 'batch',
      limits: { owner: KEY_ID, key: { id: KEY_ID, rpm: 10, tpm: null, max_concurrent: null, budget_usd: null, budget_period: null } },
    });
    expect(authenticator.modelRefusal(trusted)).toBeUndefined();
    expect(authenticator.modelRefusal({ ...trusted, chat: { model: 'gpt-4o', messages: [] } })).toBe(`the virtual key ${KEY_ID} (batch) may not use model "gpt-4o"`);
  });

  it('dead-letters a token it did not issue, an expired one, and one for a revoked or unknown key', () => {
    const token = signer.producerToken(KEY_ID, NOW + 1000);
    expect(refusal(request({ producer_token: new EventSigner('b'.repeat(64)).producerToken(KEY_ID, NOW + 1000) }))).toBe('producer_token is not a token this gateway issued');
    expect(refusal(request({ producer_token: token.replace('.', '.9') }))).toBe('producer_token is not a token this gateway issued');
    expect(refusal(request({ producer_token: signer.producerToken(KEY_ID, NOW) }))).toBe(`producer_token for the virtual key ${KEY_ID} expired at 2030-01-01T00:00:00.000Z`);
    expect(refusal(request({ producer_token: signer.producerToken('vk_ffffffffffffffff', NOW + 1000) }))).toBe('producer_token names the virtual key vk_ffffffffffffffff, which does not exist');
    const revoked = new KeyDirectory();
    revoked.apply({ type: 'key', key: keyRecord({ status: 'revoked', version: 2 }) });
    expect(() => new EventAuthenticator(signer, revoked).authenticate(request({ producer_token: token }), NOW)).toThrow(new InvalidEventError(`producer_token: the virtual key ${KEY_ID} (batch) is revoked`));
  });

  it('takes only settlements metering signed, unchanged', () => {
    const settlement: SettlementEvent = {
      type: 'settlement',
      request_id: 'r1',
      received_at: NOW,
      limits: { owner: KEY_ID, key: { id: KEY_ID, rpm: 10, tpm: null, max_concurrent: null, budget_usd: 5, budget_period: 'day' } },
      reservation: { tokens: 100, cost_usd: 0.5 },
      tokens: 10,
      cost_usd: 0.01,
    };
    expect(refusal(settlement)).toBe('a settlement must carry the signature of the metering service that sent it');
    signer.signSettlement(settlement);
    expect(authenticator.authenticate(settlement, NOW)).toBe(settlement);
    expect(refusal({ ...settlement, cost_usd: 0 })).toBe('a settlement must carry the signature of the metering service that sent it');
  });
});
