import type { ChatResult, RequestEvent } from '@switchyard/contracts';
import { classifierRequest, classifierScore, modelCheckVerdict, modelChecksOf, type ModelCheck } from './model-check';
import { compileRules, policiesOf } from './policy';
import { DEFAULT_CLASSIFIER_INSTRUCTIONS, guardrailsSchema } from './schema';

const [check] = compileRules(guardrailsSchema.parse({ input: [{ type: 'model', name: 'harm', route: 'classifier', threshold: 0.7, action: 'block' }] }).input!) as ModelCheck[];
const answer = (content: string): ChatResult => ({ choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }] });
const request: RequestEvent = {
  request_id: 'r1',
  kind: 'chat',
  stream: false,
  reply_to: 'replies',
  received_at: 0,
  deadline_at: 1,
  api_key_id: 'anonymous',
  chat: { model: 'guarded', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content_parts: [{ text: 'part one' }] }, { role: 'user', content: 'hello <EMAIL_1>' }] },
};

describe('model checks', () => {
  it('asks the classifier target with its instructions, the prompt\'s text, at temperature 0 and for a few tokens', () => {
    expect(check).toEqual({ name: 'harm', action: 'block', kind: 'model', route: 'classifier', threshold: 0.7, instructions: DEFAULT_CLASSIFIER_INSTRUCTIONS });
    expect(classifierRequest(check, request, 'tiny-classifier')).toEqual({
      model: 'tiny-classifier',
      messages: [
        { role: 'system', content: DEFAULT_CLASSIFIER_INSTRUCTIONS },
        { role: 'user', content: 'be brief\n\npart one\n\nhello <EMAIL_1>' },
      ],
      temperature: 0,
      max_tokens: 8,
    });
  });

  it.each([
    ['0.93', 0.93],
    [' 1', 1],
    ['1.0 (certain)', 1],
    ['0', 0],
  ])('reads the score of the answer %j', (content, score) => {
    expect(classifierScore(check, answer(content))).toBe(score);
  });

  it.each(['1.5', 'maybe 0.4', '', '01', '-0.2'])('refuses the answer %j as not a score', (content) => {
    expect(() => classifierScore(check, answer(content))).toThrow('its classifier classifier did not answer with a score from 0 to 1');
  });

  it('blocks at the threshold and over it, flags where the rule flags, and lets a lower score through', () => {
    expect(modelCheckVerdict(check, 0.69)).toBeUndefined();
    expect(() => modelCheckVerdict(check, 0.7)).toThrow('guardrail rule harm refused the request: it found its classifier model scored it at or over the threshold');
    expect(modelCheckVerdict({ ...check, action: 'flag' }, 0.9)).toEqual({ rule: 'harm', entity: 'model', action: 'flag', direction: 'input', count: 1 });
  });

  it('are the input rules of kind model of the request\'s policy, a key\'s laid over the model\'s', () => {
    const guardrails = guardrailsSchema.parse({ input: [{ type: 'pii', action: 'mask' }, { type: 'model', route: 'classifier', action: 'flag' }] });
    const strict = guardrailsSchema.parse({ input: [{ type: 'model', route: 'classifier', threshold: 0.3, action: 'block' }] });
    const checksOf = modelChecksOf(policiesOf({ guardrail: { rules: [] }, guardrails: { ...guardrails, keys: { strict } }, models: [] }));
    expect(checksOf(request).map((rule) => [rule.name, rule.action, rule.threshold])).toEqual([['model', 'flag', 0.5]]);
    expect(checksOf({ ...request, key_name: 'strict' }).map((rule) => [rule.name, rule.action, rule.threshold])).toEqual([['model', 'block', 0.3]]);
    expect(checksOf({ ...request, kind: 'embed', chat: undefined, embed: { model: 'e', input: ['x'] } })).toEqual([]);
  });

  it('apply to input only', () => {
    expect(guardrailsSchema.safeParse({ output: [{ type: 'model', route: 'classifier', action: 'block' }] }).error!.issues[0].message).toBe('injection, prompt_size and model rules apply to input only');
  });
});
