// Rate limits and budgets end to end, the same scenarios in both modes: exact counts however many
// ingress instances take the calls, OpenAI's x-ratelimit-* headers on every answer, 429s in each API's
// shape and RESOURCE_EXHAUSTED over gRPC, and budgets that concurrent requests cannot overshoot.
import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { createGatewayClient, type AiGatewayClient } from '@switchyard/client';
import type { CreatedKey } from '@switchyard/contracts';
import { httpCall, type HttpAnswer, type VirtualKeysTarget } from './virtual-keys-scenarios';
import { eventually } from './waiting';

export interface LimitsTarget extends Pick<VirtualKeysTarget, 'httpUrl' | 'grpcAddress' | 'adminKey' | 'query'> {
  /** Every ingress instance's HTTP front door; calls are spread over them. */
  httpUrls: string[];
  /** Restarts what holds the limits' counters (the process, or the router), and resolves when it serves again. */
  restartLimits(): Promise<void>;
  /** Puts an event on switchyard.requests as a batch producer does, keyed by its request id. */
  produce(event: { request_id: string }): Promise<void>;
  /** The reasons of the dead letters of switchyard.requests so far. */
  deadLetterReasons(): Promise<string[]>;
}

/** A model the mock serves at 1 USD a token (VIRTUAL_KEYS_CONFIG), so that budgets run out in a few requests. */
const PRICED_MODEL = 'mock-priced';

export function describeLimitScenarios(mode: string, target: () => LimitsTarget): void {
  describe(`rate limits and budgets, ${mode}`, () => {
    // Team names are unique in the store, which a distributed run shares with earlier runs.
    const run = randomBytes(4).toString('hex');
    const t = () => target();
    let gateway: AiGatewayClient;
    const created = async (body: object): Promise<CreatedKey> => {
      const answer = await httpCall(`${t().httpUrl}/admin/v1/keys`, 'POST', t().adminKey, body);
      expect(answer.status).toBe(201);
      return answer.body;
    };
    const chat = (credential: string, instance: number, model = 'mock-echo', extra: object = {}): Promise<HttpAnswer & { headers: Headers }> =>
      fetch(`${t().httpUrls[instance % t().httpUrls.length]}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hello limits' }], ...extra }),
      }).then(async (response) => {
        const text = await response.text();
        return { status: response.status, body: text.startsWith('{') ? JSON.parse(text) : undefined, text, headers: response.headers };
      });
    // Keys the ingress instances know: a key is created on one and reaches the others through the keys topic.
    const known = async (key: CreatedKey) => {
      for (const url of t().httpUrls) {
        await eventually(async () => ((await httpCall(`${url}/v1/models`, 'GET', key.key)).status === 200 ? true : undefined), `key ${key.id} at ${url}`, 10_000, 20);
      }
    };

    /** Spends a key's budget down with one request at a time until one is refused; the refusal's message. */
    const exhausted = async (credential: string): Promise<string> => {
      for (let i = 0; i < 20; i++) {
        const answer = await chat(credential, i, PRICED_MODEL, { max_tokens: 4 });
        if (answer.status === 429) return answer.body.error.message as string;
      }
      throw new Error('the budget was not spent in 20 requests');
    };

    beforeAll(() => {
      gateway = createGatewayClient(t().grpcAddress);
    });
    afterAll(() => gateway?.close());

    it('lets exactly rpm requests through in a minute across every ingress instance, with x-ratelimit-* on each answer and a 429 after', async () => {
      const key = await created({ name: 'rpm-60', rpm: 60 });
      await known(key);
      const answers = await Promise.all(Array.from({ length: 90 }, (_, i) => chat(key.key, i)));
      const ok = answers.filter((answer) => answer.status === 200);
      const refused = answers.filter((answer) => answer.status === 429);
      expect([ok.length, refused.length]).toEqual([60, 30]);
      // One counter decided them all: each answer saw a different number left.
      expect(ok.map((answer) => Number(answer.headers.get('x-ratelimit-remaining-requests'))).sort((a, b) => a - b)).toEqual(Array.from({ length: 60 }, (_, i) => i));
      for (const answer of [...ok, ...refused]) expect(answer.headers.get('x-ratelimit-limit-requests')).toBe('60');
      expect(ok[0].headers.get('x-ratelimit-reset-requests')).toMatch(/^(\d+ms|[1-5]?\d(\.\d+)?s|1m0s)$/);
      const [first] = refused;
      expect([first.body.error.type, first.body.error.code]).toEqual(['rate_limit_error', 'rate_limited']);
      expect(first.body.error.message).toBe(`the virtual key ${key.id} is over its limit of 60 requests a minute`);
      expect(Number(first.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(first.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      expect(first.headers.get('x-ratelimit-remaining-requests')).toBe('0');

      const metadata = new grpc.Metadata();
      metadata.set('authorization', `Bearer ${key.key}`);
      const error = await new Promise<grpc.ServiceError>((resolve) => gateway.Chat({ model: 'mock-echo', messages: [{ role: 'user', content: 'x' }] }, metadata, (failure) => resolve(failure!)));
      expect([error.code, error.metadata.get('switchyard-error-code')[0], error.metadata.get('x-ratelimit-limit-requests')[0], error.metadata.get('x-ratelimit-remaining-requests')[0]]).toEqual([
        grpc.status.RESOURCE_EXHAUSTED,
        'rate_limited',
        '60',
        '0',
      ]);
      const rows = await eventually(async () => {
        const found = await t().query(`SELECT status, error_code, count(*)::int AS n FROM usage_events WHERE api_key_id = $1 GROUP BY 1, 2 ORDER BY 1`, [key.id]);
        return found.reduce((sum, row) => sum + Number(row.n), 0) === 91 ? found : undefined;
      }, 'the 91 usage rows', 20_000, 50);
      expect(rows).toEqual([
        { status: 'error', error_code: 'rate_limited', n: 31 },
        { status: 'ok', error_code: null, n: 60 },
      ]);
    });

    it('bounds a key by its team: the team\'s tokens a minute hold its keys together, streams included', async () => {
      const team = `tpm-${run}`;
      expect((await httpCall(`${t().httpUrl}/admin/v1/teams`, 'POST', t().adminKey, { name: team, tpm: 200 })).status).toBe(201);
      const [one, two] = [await created({ name: 'member-1', team }), await created({ name: 'member-2', team })];
      await known(one);
      await known(two);
      // Each request reserves its prompt (9 tokens, estimated from its characters) and its max_tokens, 50, and
      // settles at the 10 metered (the mock echoes the prompt): three fit in 200; then 179 more do not fit the
      // team's minute, though they would fit one key's.
      const streamed = await chat(one.key, 0, 'mock-echo', { max_tokens: 50, stream: true });
      expect(streamed.status).toBe(200);
      expect(streamed.headers.get('x-ratelimit-limit-tokens')).toBe('200');
      const answers = [streamed, await chat(two.key, 1, 'mock-echo', { max_tokens: 50 }), await chat(one.key, 0, 'mock-echo', { max_tokens: 50 })];
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
      const refused = await chat(two.key, 1, 'mock-echo', { max_tokens: 170 });
      expect([refused.status, refused.body.error.code]).toEqual([429, 'rate_limited']);
      expect(refused.body.error.message).toMatch(new RegExp(`^the team team_[0-9a-f]+ is over its limit of 200 tokens a minute \\(this request counts 179: its prompt, and its max_tokens or the default reserved without one\\)$`));
    });

    it('lets 200 concurrent requests spend no more than a budget that covers 10 of them, refuses with budget_exceeded, and keeps the spend across a restart', async () => {
      // Each request reserves the most its prompt may be (18 tokens, one a byte) and 4 answer tokens at 1 USD
      // a token, 22 USD, and spends about 12: 220 USD covers 10 reservations.
      const key = await created({ name: 'budget-220', budget_usd: 220, budget_period: 'month' });
      await known(key);
      const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => chat(key.key, i, PRICED_MODEL, { max_tokens: 4 })));
      const ok = answers.filter((answer) => answer.status === 200);
      const refused = answers.filter((answer) => answer.status === 429);
      expect(ok.length + refused.length).toBe(200);
      expect(ok.length).toBeGreaterThanOrEqual(10);
      expect(refused[0].body.error.code).toBe('budget_exceeded');
      expect(refused[0].body.error.message).toMatch(new RegExp(`^the virtual key ${key.id}'s budget of 220 USD a month has \\d+\\.\\d{6} USD left, less than this request's highest possible cost of \\d+\\.\\d{6} USD; it resets at \\d{4}-\\d\\d-01T00:00:00\\.000Z$`));
      const spent = await eventually(async () => {
        const [row] = await t().query(`SELECT count(*)::int AS n, COALESCE(sum(cost_usd), 0)::float8 AS spent FROM usage_events WHERE api_key_id = $1 AND status = 'ok'`, [key.id]);
        return Number(row.n) === ok.length ? Number(row.spent) : undefined;
      }, 'the answered requests\' rows', 20_000, 50);
      expect(spent).toBeGreaterThan(0);
      expect(spent).toBeLessThanOrEqual(220);

      // What is left after a restart is what was left before it: the spend is in the ledger.
      const before = await exhausted(key.key);
      await t().restartLimits();
      const after = await eventually(async () => {
        const answer = await chat(key.key, 0, PRICED_MODEL, { max_tokens: 4 });
        return answer.status === 200 || answer.status === 429 ? answer : undefined;
      }, 'an answer after the restart', 60_000, 200);
      expect([after.status, after.body.error.message]).toEqual([429, before]);
      const [ledger] = await t().query(`SELECT COALESCE(sum(cost_usd), 0)::float8 AS spent FROM spend_ledger WHERE key_id = $1`, [key.id]);
      const [rows] = await t().query(`SELECT COALESCE(sum(cost_usd), 0)::float8 AS spent FROM usage_events WHERE api_key_id = $1`, [key.id]);
      expect(Number(ledger.spent)).toBeCloseTo(Number(rows.spent), 6);
      expect(Number(ledger.spent)).toBeLessThanOrEqual(220);
    });

    it("takes a Kafka producer's requests as its producer token's key, limits and allowed models included, and dead-letters those without a valid token", async () => {
      const key = await created({ name: 'batch-producer', rpm: 2, models: ['mock-echo'] });
      await known(key);
      const issued = await httpCall(`${t().httpUrl}/admin/v1/keys/${key.id}/producer-token`, 'POST', t().adminKey, { ttl_s: 600 });
      expect([issued.status, issued.body.key_id]).toEqual([201, key.id]);
      const token = issued.body.token as string;
      const now = Date.now();
      const event = (suffix: string, extra: object) => ({
        request_id: `batch-${run}-${suffix}`,
        kind: 'chat',
        stream: false,
        reply_to: `batch-replies-${run}`,
        received_at: now,
        deadline_at: now + 60_000,
        api_key_id: 'claimed-by-the-producer',
        chat: { model: 'mock-echo', messages: [{ role: 'user', content: 'from a producer' }] },
        ...extra,
      });
      for (const suffix of ['1', '2', '3']) await t().produce(event(suffix, { producer_token: token }));
      await t().produce(event('4', { producer_token: token, chat: { model: 'mock-priced', messages: [{ role: 'user', content: 'x' }] } }));
      await t().produce(event('unsigned', {}));
      await t().produce(event('forged', { producer_token: `${token.slice(0, -4)}AAAA` }));
      const rows = await eventually(async () => {
        const found = await t().query(`SELECT request_id, api_key_id, key_name, status, error_code FROM usage_events WHERE request_id LIKE $1 ORDER BY request_id`, [`batch-${run}-%`]);
        return found.length === 4 ? found : undefined;
      }, "the producer's four usage rows", 20_000, 50);
      const named = { api_key_id: key.id, key_name: 'batch-producer' };
      expect(rows).toEqual([
        { request_id: `batch-${run}-1`, ...named, status: 'ok', error_code: null },
        { request_id: `batch-${run}-2`, ...named, status: 'ok', error_code: null },
        { request_id: `batch-${run}-3`, ...named, status: 'error', error_code: 'rate_limited' },
        { request_id: `batch-${run}-4`, ...named, status: 'error', error_code: 'model_not_allowed' },
      ]);
      const reasons = await eventually(async () => {
        const found = (await t().deadLetterReasons()).filter((reason) => reason.includes('producer_token'));
        return found.length >= 2 ? found : undefined;
      }, 'the two dead letters', 20_000, 50);
      expect(reasons).toEqual(
        expect.arrayContaining([
          expect.stringContaining('with virtual keys on, a request produced to switchyard.requests must carry a producer_token'),
          expect.stringContaining('producer_token is not a token this gateway issued'),
        ]),
      );
    });

    it('refuses a model without a price to a key with a budget, and serves it to one without', async () => {
      const budgeted = await created({ name: 'budget-unpriced', budget_usd: 5, budget_period: 'day' });
      const unbudgeted = await created({ name: 'rpm-unpriced', rpm: 100 });
      await known(budgeted);
      await known(unbudgeted);
      const unpricedChat = await chat(budgeted.key, 0, 'mock-unpriced');
      expect([unpricedChat.status, unpricedChat.body.error.code]).toEqual([403, 'model_not_allowed']);
      expect(unpricedChat.body.error.message).toBe(`the virtual key ${budgeted.id} has a budget, and a model this request may be served by has no price, so its cost could not be counted; price it in the configuration's pricing`);
      expect((await chat(unbudgeted.key, 0, 'mock-unpriced')).status).toBe(200);
    });
  });
}
