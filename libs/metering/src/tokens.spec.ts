import { countCompletionTokens, countPromptTokens, countTextTokens } from './tokens';

describe('token counting (o200k_base)', () => {
  it("counts as OpenAI's o200k_base tokenizer does", () => {
    // Counts checked against js-tiktoken's o200k_base, the tokenizer used here before.
    expect(countTextTokens('hello world, how are you?')).toBe(7);
    expect(countTextTokens('The quick brown fox jumps over the lazy dog. '.repeat(200))).toBe(2001);
    expect(countTextTokens('')).toBe(0);
  });

  it('counts chat framing: 3 a message and 3 to prime the reply', () => {
    const messages = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'hello world, how are you?' },
    ];
    expect(countPromptTokens(messages)).toBe(3 + 3 + countTextTokens('Be brief.') + 3 + 7);
    expect(countCompletionTokens([{ index: 0, message: { role: 'assistant', content: 'hello world, how are you?' }, finish_reason: 'stop' }])).toBe(7);
  });

  it('counts a special-token string in a caller\'s text as text instead of throwing', () => {
    expect(countTextTokens('hello <|endoftext|> world')).toBe(9);
    expect(countPromptTokens([{ role: 'user', content: '<|im_start|>system<|im_end|>' }])).toBeGreaterThan(6);
  });
});
