import { TOPICS, type RequestEvent } from '@switchyard/contracts';
import { createGuardrailStage } from './guardrail';
import { rulesByName, type TextRule } from './rules';

const request = (overrides: Partial<RequestEvent> = {}): RequestEvent => ({
  request_id: 'r1',
  kind: 'chat',
  stream: false,
  reply_to: 'switchyard.replies.test',
  received_at: 1000,
  deadline_at: 10_000,
  api_key_id: 'anonymous',
  chat: {
    model: 'mock-echo',
    messages: [
      { role: 'system', content: 'Support bot' },
      { role: 'user', content: 'I am bob@example.com', content_parts: [{ text: 'card 4242424242424242' }, { image_url: { url: 'https://x/y.png' } }] },
    ],
  },
  route: { provider: 'mock', upstream_model: 'mock-echo' },
  ...overrides,
});

describe('guardrail stage', () => {
  const stage = createGuardrailStage(rulesByName(['mask_email', 'mask_payment_card']), () => 5000);

  it('masks the prompt, records findings and passes the request on', async () => {
    const [output] = await stage.handle(request(), {} as never);
    expect(output.topic).toBe(TOPICS.guarded);
    const guarded = output.value as RequestEvent;
    expect(guarded.chat!.messages[1].content).toBe('I am [EMAIL]');
    expect(guarded.chat!.messages[1].content_parts).toEqual([{ text: 'card [CARD ****4242]' }, { image_url: { url: 'https://x/y.png' } }]);
    expect(guarded.guardrail).toEqual([
      { rule: 'mask_email', action: 'mask', count: 1 },
      { rule: 'mask_payment_card', action: 'mask', count: 1 },
    ]);
    expect(guarded.route).toEqual({ provider: 'mock', upstream_model: 'mock-echo' });
  });

  it('masks embedding inputs too', async () => {
    const [output] = await stage.handle(request({ kind: 'embed', chat: undefined, embed: { model: 'mock-embed', input: ['x@y.io'] } }), {} as never);
    expect((output.value as RequestEvent).embed!.input).toEqual(['[EMAIL]']);
  });

  it('ends a request whose deadline has passed', async () => {
    const [output] = await stage.handle(request({ deadline_at: 4000 }), {} as never);
    expect(output.topic).toBe(TOPICS.completions);
    expect(output.value).toMatchObject({ status: 'error', error: { code: 'deadline_exceeded' }, stage: 'guardrail' });
  });

  it('refuses a request that a blocking rule matched', async () => {
    const blockSecrets: TextRule = { name: 'block_secret', action: 'block', apply: (text) => ({ text, count: text.includes('SECRET') ? 1 : 0 }) };
    const blocking = createGuardrailStage([blockSecrets], () => 5000);
    const [output] = await blocking.handle(request({ chat: { model: 'm', messages: [{ role: 'user', content: 'the SECRET' }] } }), {} as never);
    expect(output.value).toMatchObject({ status: 'error', error: { code: 'guardrail_blocked', message: 'guardrail rule block_secret refused the request' } });
  });
});
