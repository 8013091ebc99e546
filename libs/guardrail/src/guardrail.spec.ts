import { TOPICS, type RequestEvent } from '@switchyard/contracts';
import { compileRules, gatewayGuardrailsSchema, legacyRules, NO_POLICY, policiesOf, type Policy } from '@switchyard/guardrail-rules';
import { createGuardrailStage } from './guardrail';

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
      { role: 'user', content: 'I am bob@example.com', content_parts: [{ text: 'card 4242424242424242, bob@example.com' }, { image_url: { url: 'https://x/y.png' } }] },
    ],
  },
  route: { provider: 'mock', upstream_model: 'mock-echo' },
  ...overrides,
});

const policy = (input: Parameters<typeof compileRules>[0], reversible = false): Policy => ({ input: compileRules(input), output: [], reversible });
const legacy = policy(legacyRules(['mask_email', 'mask_payment_card']));

describe('guardrail stage', () => {
  const stage = createGuardrailStage(() => legacy, () => 5000);

  it('masks the prompt with typed placeholders, the same value the same one, records findings and passes the request on', async () => {
    const [output] = await stage.handle(request(), {} as never);
    expect(output.topic).toBe(TOPICS.guarded);
    const guarded = output.value as RequestEvent;
    expect(guarded.chat!.messages[1].content).toBe('I am <EMAIL_1>');
    expect(guarded.chat!.messages[1].content_parts).toEqual([{ text: 'card <CARD_1>, <EMAIL_1>' }, { image_url: { url: 'https://x/y.png' } }]);
    expect(guarded.guardrail).toEqual([
      { rule: 'mask_email', entity: 'email', action: 'mask', direction: 'input', count: 2 },
      { rule: 'mask_payment_card', entity: 'card', action: 'mask', direction: 'input', count: 1 },
    ]);
    expect(guarded.guardrail_placeholders).toBeUndefined();
    expect(guarded.route).toEqual({ provider: 'mock', upstream_model: 'mock-echo' });
  });

  it('masks tool-call arguments and tool results', async () => {
    const chat = {
      model: 'mock-echo',
      messages: [
        { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'mail', arguments: '{"to":"ann@corp.io"}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'sent to ann@corp.io' },
      ],
    };
    const [output] = await stage.handle(request({ chat }), {} as never);
    const messages = (output.value as RequestEvent).chat!.messages;
    expect(messages[0].tool_calls![0].function.arguments).toBe('{"to":"<EMAIL_1>"}');
    expect(messages[1].content).toBe('sent to <EMAIL_1>');
  });

  it('masks embedding inputs too', async () => {
    const [output] = await stage.handle(request({ kind: 'embed', chat: undefined, embed: { model: 'mock-embed', input: ['x@y.io'] } }), {} as never);
    expect((output.value as RequestEvent).embed!.input).toEqual(['<EMAIL_1>']);
  });

  it('carries what each placeholder stands for when masking is reversible', async () => {
    const reversible = createGuardrailStage(() => policy(legacyRules(['mask_email']), true), () => 5000);
    const [output] = await reversible.handle(request(), {} as never);
    expect((output.value as RequestEvent).guardrail_placeholders).toEqual({ '<EMAIL_1>': 'bob@example.com' });
  });

  it('uses the policy of the request\'s model', async () => {
    const byModel = createGuardrailStage((model) => (model === 'mock-echo' ? NO_POLICY : legacy), () => 5000);
    const [output] = await byModel.handle(request(), {} as never);
    expect((output.value as RequestEvent).chat!.messages[1].content).toBe('I am bob@example.com');
  });

  it('uses the policy of the request\'s key and team: one key\'s prompt is refused, another\'s masked, a team\'s key is flagged', async () => {
    const config = {
      guardrail: { rules: ['mask_email'] },
      guardrails: gatewayGuardrailsSchema.parse({
        keys: { strict: { input: [{ type: 'pii', name: 'mask_email', entities: ['email'], action: 'block' }] } },
        teams: { audit: { input: [{ type: 'pii', name: 'mask_email', entities: ['email'], action: 'flag' }] } },
      }),
      models: [],
    };
    const byCaller = createGuardrailStage(policiesOf(config), () => 5000);
    const only = { chat: { model: 'mock-echo', messages: [{ role: 'user' as const, content: 'I am bob@example.com' }] } };
    const [refused] = await byCaller.handle(request({ ...only, api_key_id: 'vk_00000000000000a1', key_name: 'strict' }), {} as never);
    expect(refused.value).toMatchObject({ status: 'error', error: { code: 'guardrail_blocked', message: 'guardrail rule mask_email refused the request: it found a value of kind email' } });
    const [masked] = await byCaller.handle(request({ ...only, api_key_id: 'vk_00000000000000a2', key_name: 'lenient' }), {} as never);
    expect((masked.value as RequestEvent).chat!.messages[0].content).toBe('I am <EMAIL_1>');
    const [flagged] = await byCaller.handle(request({ ...only, api_key_id: 'vk_00000000000000a3', key_name: 'auditor', team: 'audit' }), {} as never);
    expect((flagged.value as RequestEvent).chat!.messages[0].content).toBe('I am bob@example.com');
    expect((flagged.value as RequestEvent).guardrail).toEqual([{ rule: 'mask_email', entity: 'email', action: 'flag', direction: 'input', count: 1 }]);
  });

  it('ends a request whose deadline has passed', async () => {
    const [output] = await stage.handle(request({ deadline_at: 4000 }), {} as never);
    expect(output.topic).toBe(TOPICS.completions);
    expect(output.value).toMatchObject({ status: 'error', error: { code: 'deadline_exceeded' }, stage: 'guardrail' });
  });

  it('refuses a request a blocking rule matched, naming the rule and not the value, and does not pass the prompt on', async () => {
    const blocking = createGuardrailStage(() => policy([{ type: 'secrets', entities: ['openai_key'], action: 'block' }]), () => 5000);
    const key = 'sk-proj-abcdefghijklmnopqrstuvwxyz012345';
    const [output] = await blocking.handle(request({ chat: { model: 'm', messages: [{ role: 'user', content: `my key is ${key}` }] } }), {} as never);
    expect(output.topic).toBe(TOPICS.completions);
    expect(output.value).toMatchObject({
      status: 'error',
      error: { code: 'guardrail_blocked', message: 'guardrail rule secrets refused the request: it found a value of kind openai_key' },
      request: { model: 'm', guardrail: [{ rule: 'secrets', entity: 'openai_key', action: 'block', direction: 'input', count: 1 }] },
    });
    expect(JSON.stringify(output.value)).not.toContain(key);
  });
});
