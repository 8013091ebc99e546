import { buildModelCatalog, parseGatewayConfig } from '@switchyard/config';
import { TOPICS, type RequestEvent } from '@switchyard/contracts';
import { createRouterStage } from './router';

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
