import { buildModelCatalog, parseGatewayConfig } from '@switchyard/config';
import { TOPICS, type RequestEvent } from '@switchyard/contracts';
import { Limiter, unreachableSpendLedger } from '@switchyard/keys';
import { buildPriceTable } from '@switchyard/pricing';
import { gatewayMetrics } from '@switchyard/telemetry';
import { createRouterStage, DEFAULT_OUTPUT_RESERVATION, reservationOf } from './router';

const config = parseGatewayConfig(`
models:
  - { name: fast, provider: mock, upstream_model: mock-echo, capabilities: [chat] }
  - { name: vectors, provider: mock, upstream_model: mock-embed, capabilities: [embeddings] }
  - { name: gpt, provider: openai, upstream_model: gpt-4o-mini }
providers:
  openai: { api_key_env: ROUTER_TEST_OPENAI_KEY }
`);

const chatRequest = (model: string, overrides: Partial<RequestEvent> = {}): RequestEvent => ({
  request_id: 'r1',
  kind: 'chat',
  stream: false,
  reply_to: 'switchyard.replies.test',
  received_at: 0,
  deadline_at: 10_000,
  api_key_id: 'anonymous',
  chat: { model, messages: [{ role: 'user', content: 'hi' }] },
  ...overrides,
});

describe('router stage', () => {
  const stage = createRouterStage(buildModelCatalog(config, {}), undefined, () => 1000);

  it('passes a request its model can serve on to the guardrail, as it came', async () => {
    const request = chatRequest('fast');
    const [output] = await stage.handle(request, {} as never);
    expect(output).toEqual({ topic: TOPICS.routed, key: 'r1', value: request });
  });

  it('passes a signed request on without its signature, which no stage after it checks', async () => {
    const [output] = await stage.handle(chatRequest('fast', { signature: 'c2lnbmVk' }), {} as never);
    expect(output).toEqual({ topic: TOPICS.routed, key: 'r1', value: chatRequest('fast') });
  });

  it.each([
    ['an unknown model', chatRequest('nope'), 'model_not_found', /"nope" is not served/],
    ['a provider without credentials', chatRequest('gpt'), 'model_not_found', /set ROUTER_TEST_OPENAI_KEY/],
    ['chat on an embeddings model', chatRequest('vectors'), 'unsupported_capability', /does not offer chat/],
    ['streaming on a model without it', chatRequest('fast', { stream: true }), 'unsupported_capability', /does not offer streaming/],
    ['tools on a model without them', chatRequest('fast', { chat: { model: 'fast', messages: [{ role: 'user', content: 'hi' }], tools: [{ type: 'function', function: { name: 'f' } }] } }), 'unsupported_capability', /^model fast does not offer tools$/],
    [
      'an image part on a model without vision',
      chatRequest('fast', { chat: { model: 'fast', messages: [{ role: 'user', content_parts: [{ text: 'what is it?' }, { image_url: { url: 'https://example.com/a.png' } }] }] } }),
      'unsupported_capability',
      /^model fast does not offer vision: it takes no image parts$/,
    ],
    ['a passed deadline', chatRequest('fast', { deadline_at: 999 }), 'deadline_exceeded', /deadline passed/],
  ])('ends %s with an error completion for metering', async (_case, request, code, message) => {
    const [output] = await stage.handle(request, {} as never);
    expect(output.topic).toBe(TOPICS.completions);
    expect(output.value).toMatchObject({ status: 'error', stage: 'router', error: { code, message: expect.stringMatching(message) } });
  });
});

describe('router stage, holding virtual keys to their limits', () => {
  const priced = parseGatewayConfig(`
models:
  - name: chat
    route:
      fallback:
        - target: mock/cheap
        - target: mock/dear
  - { name: unpriced, provider: mock, upstream_model: nowhere }
pricing:
  mock/cheap: { input_per_mtok: 1, output_per_mtok: 2 }
  mock/dear: { input_per_mtok: 10, output_per_mtok: 20 }
`);
  const limits = { owner: 'vk_1', key: { id: 'vk_1', rpm: 1, tpm: null, max_concurrent: null, budget_usd: null, budget_period: null } };

  it('reserves the prompt estimated and max_tokens, and the most they may cost at the dearest target\'s prices', () => {
    const entry = buildModelCatalog(priced, {}).get('chat')!;
    const request = chatRequest('chat', { chat: { model: 'chat', max_tokens: 100, messages: [{ role: 'user', content: 'héllo, world' }] } });
    // 3 tokens of framing for the message and 3 for the reply; 12 characters are about 3 tokens, and 13 bytes at most 13.
    expect(reservationOf(request, entry, buildPriceTable(priced.pricing))).toEqual({ tokens: 9 + 100, max_cost_usd: (19 * 10 + 100 * 20) / 1e6 });
    const unpriced = buildModelCatalog(priced, {}).get('unpriced')!;
    expect(reservationOf(chatRequest('unpriced'), unpriced, buildPriceTable(priced.pricing))).toEqual({ tokens: 7 + DEFAULT_OUTPUT_RESERVATION, max_cost_usd: undefined });
  });

  it('reserves the semantic cache\'s embedding of the prompt too, at the embed model\'s price; an unpriced embed model leaves the cost unbounded', () => {
    const semantic = parseGatewayConfig(`
models:
  - { name: chat, provider: mock, upstream_model: cheap, cache: { mode: semantic, embed_model: vectors } }
  - { name: vectors, provider: mock, upstream_model: embed, capabilities: [embeddings] }
  - { name: unpriced-embed, provider: mock, upstream_model: cheap, cache: { mode: semantic, embed_model: free-vectors } }
  - { name: free-vectors, provider: mock, upstream_model: nowhere, capabilities: [embeddings] }
pricing:
  mock/cheap: { input_per_mtok: 1, output_per_mtok: 2 }
  mock/embed: { input_per_mtok: 100, output_per_mtok: 0 }
`);
    const catalog = buildModelCatalog(semantic, {});
    expect(catalog.get('chat')!.cache_embed_targets).toEqual(['mock/embed']);
    const request = chatRequest('chat', { chat: { model: 'chat', max_tokens: 100, messages: [{ role: 'user', content: 'héllo, world' }] } });
    // The chat: 19 prompt tokens at most and 100 out; the embedding: those 19 and 12 bytes of framing, at 100 a million.
    expect(reservationOf(request, catalog.get('chat')!, buildPriceTable(semantic.pricing))).toEqual({ tokens: 9 + 100, max_cost_usd: (19 * 1 + 100 * 2 + (19 + 12) * 100) / 1e6 });
    expect(reservationOf(chatRequest('unpriced-embed'), catalog.get('unpriced-embed')!, buildPriceTable(semantic.pricing)).max_cost_usd).toBeUndefined();
  });

  it('passes an admitted request on with its reservation and standing, refuses the next with rate_limited, and settles', async () => {
    const limiter = new Limiter(unreachableSpendLedger('no ledger in this test'), undefined, () => 5000);
    const stage = createRouterStage(buildModelCatalog(priced, {}), { limiter, prices: buildPriceTable(priced.pricing) }, () => 5000);
    const [admitted] = await stage.handle(chatRequest('chat', { request_id: 'a', deadline_at: 60_000, limits }), {} as never);
    expect(admitted).toMatchObject({ topic: TOPICS.routed, value: { reservation: { tokens: 7 + DEFAULT_OUTPUT_RESERVATION, cost_usd: 0 }, rate_limit: { limit_requests: 1, remaining_requests: 0 } } });
    const [refused] = await stage.handle(chatRequest('chat', { request_id: 'b', deadline_at: 60_000, limits }), {} as never);
    expect(refused).toMatchObject({ topic: TOPICS.completions, value: { status: 'error', error: { code: 'rate_limited', retry_after_ms: 60_000 }, request: { rate_limit: { remaining_requests: 0 } } } });
    expect(limiter.inFlight).toBe(1);
    expect((await gatewayMetrics().exposition()).body).toContain('switchyard_limit_refusals_total{limit="rpm",holder="key"} 1\n');
    const settled = await stage.handle({ type: 'settlement', request_id: 'a', received_at: 0, limits, reservation: { tokens: 4103, cost_usd: 0 }, tokens: 9, cost_usd: 0 }, {} as never);
    expect([settled, limiter.inFlight]).toEqual([[], 0]);
  });
});
