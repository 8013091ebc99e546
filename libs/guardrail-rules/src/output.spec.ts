import { GatewayError } from '@switchyard/contracts';
import { createOutputGuard, HOLD_CHARS, type OutputGuard } from './output';
import { compileRules, type Policy } from './policy';
import type { GuardrailRuleConfig } from './schema';

const policy = (output: GuardrailRuleConfig[], reversible = false): Policy => ({ input: [], output: compileRules(output), reversible });
const maskPii: GuardrailRuleConfig[] = [{ type: 'pii', entities: ['email', 'phone', 'card', 'iban'], action: 'mask', phone_region: 'US' }];
const blockSecrets: GuardrailRuleConfig[] = [{ type: 'secrets', entities: ['openai_key', 'private_key'], action: 'block' }];

/** What the caller receives of a streamed text cut into the given pieces. */
function streamed(guard: OutputGuard, pieces: string[]): { text: string; sent: string[] } {
  const sent: string[] = [];
  for (const piece of pieces) {
    const out = guard.push({ index: 0, content: piece });
    if (out.content) sent.push(out.content);
  }
  for (const rest of guard.end()) sent.push(rest.content ?? '');
  return { text: sent.join(''), sent };
}

const ANSWER = 'Sure: write to jane.doe@example.com or call +44 20 7946 0958, card 4242 4242 4242 4242, IBAN DE89 3704 0044 0532 0130 00. Bye!';
const MASKED = 'Sure: write to <EMAIL_1> or call <PHONE_1>, card <CARD_1>, IBAN <IBAN_1>. Bye!';

describe('output guard on a stream', () => {
  it('masks the whole answer as it would the unstreamed one', () => {
    expect(streamed(createOutputGuard(policy(maskPii))!, [ANSWER]).text).toBe(MASKED);
    expect(createOutputGuard(policy(maskPii))!.result({ choices: [{ index: 0, message: { role: 'assistant', content: ANSWER }, finish_reason: 'stop' }] }).choices[0].message.content).toBe(MASKED);
  });

  // litellm#41611: `user@exa` + `mple.com` passed per-chunk checks. Every split point, in two pieces
  // and in three, gives the masked answer and never sends a piece of a value.
  it('masks a value split across pieces at every split point', () => {
    const values = ['jane.doe@example.com', '+44 20 7946 0958', '4242 4242 4242 4242', 'DE89 3704 0044 0532 0130 00'];
    for (let cut = 1; cut < ANSWER.length; cut++) {
      const { text, sent } = streamed(createOutputGuard(policy(maskPii))!, [ANSWER.slice(0, cut), ANSWER.slice(cut)]);
      expect(text).toBe(MASKED);
      for (const piece of sent) for (const value of values) expect(value.includes(piece.trim()) && piece.trim().length > 3).toBe(false);
    }
    for (let first = 1; first < ANSWER.length - 1; first += 3) {
      for (let second = first + 1; second < ANSWER.length; second += 5) {
        expect(streamed(createOutputGuard(policy(maskPii))!, [ANSWER.slice(0, first), ANSWER.slice(first, second), ANSWER.slice(second)]).text).toBe(MASKED);
      }
    }
  });

  it('masks a value streamed one character at a time, and counts it once', () => {
    const guard = createOutputGuard(policy(maskPii))!;
    expect(streamed(guard, [...ANSWER]).text).toBe(MASKED);
    expect(guard.findings()).toEqual([
      { rule: 'pii', entity: 'email', action: 'mask', direction: 'output', count: 1 },
      { rule: 'pii', entity: 'phone', action: 'mask', direction: 'output', count: 1 },
      { rule: 'pii', entity: 'card', action: 'mask', direction: 'output', count: 1 },
      { rule: 'pii', entity: 'iban', action: 'mask', direction: 'output', count: 1 },
    ]);
  });

  // mastra-ai/mastra#23783: a fixed carry-over sent the first half of a long value. A key longer than
  // the window is one word, held whole.
  it('holds a key longer than the window back until it is whole, and then blocks', () => {
    const key = 'sk-proj-' + 'A1b2C3d4'.repeat(20);
    expect(key.length).toBeGreaterThan(HOLD_CHARS);
    const guard = createOutputGuard(policy(blockSecrets))!;
    const sent: string[] = [];
    const text = `${'some words '.repeat(10)}here it is: ${key} done`;
    let error: unknown;
    try {
      for (let at = 0; at < text.length; at += 7) sent.push(guard.push({ index: 0, content: text.slice(at, at + 7) }).content ?? '');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).message).toBe('guardrail rule secrets refused the answer: it found a value of kind openai_key');
    expect(sent.join('')).toBe('some words '.repeat(10).slice(0, sent.join('').length));
    expect(sent.join('').length).toBeGreaterThan(0);
  });

  it('masks a private key block longer than the window whole, sending none of it', () => {
    const block = '-----BEGIN RSA PRIVATE KEY-----\n' + 'MIIEowIBAAKCAQEA\n'.repeat(20) + '-----END RSA PRIVATE KEY-----';
    const guard = createOutputGuard(policy([{ type: 'secrets', entities: ['private_key'], action: 'mask' }]))!;
    const { text, sent } = streamed(guard, `key:\n${block}\nthat was it`.match(/[\s\S]{1,10}/g)!);
    expect(text).toBe('key:\n<PRIVATE_KEY_1>\nthat was it');
    expect(sent.some((piece) => piece.includes('MIIE'))).toBe(false);
  });

  it('blocks an answer that ends inside a private key block, having sent none of it', () => {
    const guard = createOutputGuard(policy(blockSecrets))!;
    const sent = [guard.push({ index: 0, content: 'ok '.repeat(50) }).content ?? '', guard.push({ index: 0, content: '-----BEGIN PRIVATE KEY-----\nMIIE' }).content ?? ''];
    expect(sent.join('')).not.toContain('BEGIN');
    expect(() => guard.end()).toThrow('guardrail rule secrets refused the answer: it found a value of kind private_key');
  });

  it('masks tool-call arguments streamed in fragments', () => {
    const guard = createOutputGuard(policy(maskPii))!;
    const args = '{"to":"ann@corp.io","body":"hi"}';
    const sent: string[] = [];
    for (let at = 0; at < args.length; at += 4) {
      const out = guard.push({ index: 0, tool_calls: [{ index: 0, function: { arguments: args.slice(at, at + 4) } }] });
      sent.push(out.tool_calls![0].function!.arguments!);
    }
    for (const rest of guard.end()) sent.push(rest.tool_calls![0].function!.arguments!);
    expect(sent.join('')).toBe('{"to":"<EMAIL_1>","body":"hi"}');
  });

  it('puts back the prompt\'s placeholders the model repeats, at every split point', () => {
    const answer = 'Dear <EMAIL_1>, your card <CARD_1> is fine.';
    const originals = { '<EMAIL_1>': 'bob@example.com', '<CARD_1>': '4242424242424242' };
    for (let cut = 1; cut < answer.length; cut++) {
      const guard = createOutputGuard(policy([], true), originals)!;
      expect(streamed(guard, [answer.slice(0, cut), answer.slice(cut)]).text).toBe('Dear bob@example.com, your card 4242424242424242 is fine.');
    }
  });

  it('masks again what the output rules say, after putting placeholders back', () => {
    const guard = createOutputGuard(policy([{ type: 'pii', entities: ['card'], action: 'mask', phone_region: 'US' }], true), { '<EMAIL_1>': 'bob@example.com', '<CARD_1>': '4242424242424242' })!;
    expect(streamed(guard, ['Dear <EMAIL_1>, card <CA', 'RD_1>.']).text).toBe('Dear bob@example.com, card <CARD_1>.');
  });

  it('is not made for a policy with nothing to do on the answer', () => {
    expect(createOutputGuard(policy([]))).toBeUndefined();
    expect(createOutputGuard(policy([], true), {})).toBeUndefined();
  });
});
