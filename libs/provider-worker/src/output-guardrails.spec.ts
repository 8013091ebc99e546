import { GatewayError, TOPICS, type CompletionEvent, type RequestEvent } from '@switchyard/contracts';
import { compileRules, outputGuards, type ModelCheck, type Policy } from '@switchyard/guardrail-rules';
import type { StageContext, StageOutput } from '@switchyard/pipeline';
import { countUsage } from '@switchyard/pricing';
import { createMockProvider, type ProviderAdapter } from '@switchyard/providers';
import { DEFAULT_RETRY, parseTarget, type RouteNode } from '@switchyard/routing';
import { createProviderWorker } from './provider-worker';

const oneTarget = (model: string): RouteNode | undefined => {
  const target = parseTarget(model);
  return target && { kind: 'target', path: 'models.0', target, key: model, retry: DEFAULT_RETRY };
};

const request = (content: string, overrides: Partial<RequestEvent> = {}): RequestEvent => ({
  request_id: 'r1',
  kind: 'chat',
  stream: true,
  reply_to: 'switchyard.replies.i1',
  received_at: Date.now(),
  deadline_at: Date.now() + 5000,
  api_key_id: 'anonymous',
  chat: { model: 'mock/mock-echo', messages: [{ role: 'user', content }] },
  ...overrides,
});

function context(emitted: StageOutput[]): StageContext {
  const log = () => undefined;
  const logger: StageContext['logger'] = { debug: log, info: log, warn: log, error: log, child: () => logger };
  return { emit: async (output) => void emitted.push(output), span: { isRecording: () => false } as never, logger };
}

const policy = (output: Policy['output'], reversible = false): Policy => ({ input: [], output, reversible });
const maskEmail = compileRules([{ type: 'pii', entities: ['email'], action: 'mask', phone_region: 'US' }]);
const blockKeys = compileRules([{ type: 'secrets', entities: ['openai_key'], action: 'block' }]);
const worker = (answerPolicy: Policy) => createProviderWorker(new Map([['mock', createMockProvider({ latencyMs: 0 })]]), { routes: oneTarget, output: outputGuards(() => answerPolicy) });
const sentText = (emitted: StageOutput[]) => emitted.map((piece) => (piece.value as { chunk: { delta: { content?: string } } }).chunk.delta.content ?? '').join('');

describe('provider-worker output guardrails', () => {
  it('masks a streamed answer before any chunk leaves, and records the finding on the outcome', async () => {
    const emitted: StageOutput[] = [];
    const [output] = await worker(policy(maskEmail)).stage.handle(request('mail jane.doe@example.com now'), context(emitted));
    expect(sentText(emitted)).toBe('mail <EMAIL_1> now');
    const completion = output.value as CompletionEvent;
    expect(completion.chat!.choices[0].message.content).toBe('mail <EMAIL_1> now');
    expect(completion.request.guardrail).toEqual([{ rule: 'pii', entity: 'email', action: 'mask', direction: 'output', count: 1 }]);
  });

  it('refuses an answer a blocking rule matched, with the finding and without the answer', async () => {
    const key = 'sk-proj-' + 'AbCd1234'.repeat(5);
    const emitted: StageOutput[] = [];
    const [output] = await worker(policy(blockKeys)).stage.handle(request(`the key is ${key}`, { stream: false }), context(emitted));
    expect(output.topic).toBe(TOPICS.completions);
    expect(output.value).toMatchObject({
      status: 'error',
      error: { code: 'guardrail_blocked', message: 'guardrail rule secrets refused the answer: it found a value of kind openai_key' },
      request: { guardrail: [{ rule: 'secrets', entity: 'openai_key', action: 'block', direction: 'output', count: 1 }] },
    });
    expect((output.value as CompletionEvent).chat).toBeUndefined();
    expect(emitted).toEqual([]);
  });

  describe('the tokens of a refused answer (regression: the provider was paid, the row had 0 tokens)', () => {
    const key = 'sk-proj-' + 'AbCd1234'.repeat(5);

    it('carries the usage the provider reported for an answer it refused', async () => {
      const usage = { prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 };
      const reporting: ProviderAdapter = { name: 'mock', chat: async () => ({ choices: [{ index: 0, message: { role: 'assistant', content: `here: ${key}` }, finish_reason: 'stop' }], usage }) };
      const refusing = createProviderWorker(new Map([['mock', reporting]]), { routes: oneTarget, output: outputGuards(() => policy(blockKeys)) });
      const [output] = await refusing.stage.handle(request('the key?', { stream: false }), context([]));
      expect(output.value).toMatchObject({ status: 'error', error: { code: 'guardrail_blocked' }, refused_answer: { usage, tokens_estimated: false } });
      expect((output.value as CompletionEvent).chat).toBeUndefined();
    });

    it('counts the tokens of a refused stream, which ends before the provider reports any', async () => {
      const emitted: StageOutput[] = [];
      const asked = request(`the key is ${key}`);
      const [output] = await worker(policy(blockKeys)).stage.handle(asked, context(emitted));
      const echoed = [{ index: 0, message: { role: 'assistant' as const, content: `the key is ${key}` }, finish_reason: 'stop' }];
      expect(countUsage(asked.chat!, echoed).completion_tokens).toBeGreaterThan(10);
      expect(output.value).toMatchObject({ status: 'error', error: { code: 'guardrail_blocked' }, refused_answer: { usage: countUsage(asked.chat!, echoed), tokens_estimated: true } });
      expect(sentText(emitted)).toBe('');
    });
  });

  describe('input checks by a classifier model', () => {
    const [check] = compileRules([{ type: 'model', name: 'harm', route: 'up/classifier', threshold: 0.8, action: 'block', instructions: 'score it' }]) as ModelCheck[];
    const usage = { prompt_tokens: 9, completion_tokens: 1, total_tokens: 10 };
    const route = { provider: 'up', upstream_model: 'classifier', path: 'models.0' };
    const classifying = (classifier: ProviderAdapter) =>
      createProviderWorker(new Map<string, ProviderAdapter>([['mock', createMockProvider({ latencyMs: 0 })], ['up', classifier]]), { routes: oneTarget, modelChecks: () => [check] });
    const scoring = (score: string): ProviderAdapter => ({ name: 'up', chat: async () => ({ choices: [{ index: 0, message: { role: 'assistant', content: score }, finish_reason: 'stop' }], usage }) });

    it('calls the classifier before the provider, and refuses without calling it when the score reaches the threshold', async () => {
      const [output] = await classifying(scoring('0.8')).stage.handle(request('something bad', { stream: false }), context([]));
      const completion = output.value as CompletionEvent;
      expect(completion).toMatchObject({ status: 'error', error: { code: 'guardrail_blocked' }, guardrail_model_calls: [{ rule: 'harm', route, usage, tokens_estimated: false }] });
      expect(completion.request.guardrail).toEqual([{ rule: 'harm', entity: 'model', action: 'block', direction: 'input', count: 1 }]);
      expect(JSON.stringify(completion)).not.toContain('something bad');
      expect(completion.attempts).toBeUndefined();
    });

    it('answers a prompt scored under the threshold, with the classifier\'s call on the outcome', async () => {
      const [output] = await classifying(scoring('0.1')).stage.handle(request('something fine', { stream: false }), context([]));
      expect(output.value).toMatchObject({ status: 'ok', chat: { choices: [{ message: { content: 'something fine' } }] }, attempts: 1, guardrail_model_calls: [{ rule: 'harm', usage }] });
    });

    it('keeps the classifier\'s call on the outcome when the deadline passes during it', async () => {
      let clock = Date.now();
      const slow: ProviderAdapter = { name: 'up', chat: async () => ((clock += 10_000), { choices: [{ index: 0, message: { role: 'assistant', content: '0.1' }, finish_reason: 'stop' }], usage }) };
      const worker = createProviderWorker(new Map<string, ProviderAdapter>([['mock', createMockProvider({ latencyMs: 0 })], ['up', slow]]), { routes: oneTarget, modelChecks: () => [check], now: () => clock });
      const [output] = await worker.stage.handle(request('anything', { stream: false, deadline_at: clock + 5000 }), context([]));
      expect(output.value).toMatchObject({ status: 'error', error: { code: 'deadline_exceeded' }, guardrail_model_calls: [{ rule: 'harm', usage }] });
    });

    it('refuses the request with the classifier\'s own error when it cannot answer (fails closed), and with provider_bad_response when it answers no score', async () => {
      const down: ProviderAdapter = { name: 'up', chat: async () => Promise.reject(new GatewayError('provider_unavailable', 'up answered 503')) };
      const [failed] = await classifying(down).stage.handle(request('anything', { stream: false }), context([]));
      expect(failed.value).toMatchObject({ status: 'error', error: { code: 'provider_unavailable', message: 'guardrail rule harm could not check the request: up answered 503' }, guardrail_model_calls: [] });
      const [unscored] = await classifying(scoring('I think it is fine')).stage.handle(request('anything', { stream: false }), context([]));
      expect(unscored.value).toMatchObject({
        status: 'error',
        error: { code: 'provider_bad_response', message: 'guardrail rule harm could not check the request: its classifier up/classifier did not answer with a score from 0 to 1' },
        guardrail_model_calls: [{ rule: 'harm', usage }],
      });
    });
  });

  it('puts back the prompt\'s placeholders and keeps the map off the outcome', async () => {
    const emitted: StageOutput[] = [];
    const guarded = request('reply to <EMAIL_1>', { guardrail_placeholders: { '<EMAIL_1>': 'bob@example.com' } });
    const [output] = await worker(policy([], true)).stage.handle(guarded, context(emitted));
    expect(sentText(emitted)).toBe('reply to bob@example.com');
    expect((output.value as CompletionEvent).request).not.toHaveProperty('guardrail_placeholders');
  });
});
