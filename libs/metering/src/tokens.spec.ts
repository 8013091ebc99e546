import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { countCompletionTokens, countPromptTokens, countTextTokens, MAX_PIECE, piecesOf } from './tokens';

const whole = (text: string) => countTokens(text, { disallowedSpecial: new Set() });

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

  it('counts long prose exactly as one pass over it would', () => {
    const prose = 'The quick brown fox jumps over the lazy dog,  and then\n\nit runs   into the forest. '.repeat(200) + '漢字かな交じり文。'.repeat(20);
    expect(prose.length).toBeGreaterThan(10 * MAX_PIECE);
    expect(countTextTokens(prose)).toBe(whole(prose));
  });

  it('cuts text into pieces of at most MAX_PIECE characters, before a word where it can', () => {
    const text = 'word '.repeat(300) + 'x'.repeat(1000) + ' tail';
    const pieces = piecesOf(text);
    expect(pieces.join('')).toBe(text);
    expect(Math.max(...pieces.map((piece) => piece.length))).toBeLessThanOrEqual(MAX_PIECE);
    // Cuts in the words' part fall before a word's space; the run of x has none and is cut where it must.
    const cutsInWords = pieces.slice(1).filter((piece) => !piece.startsWith('x')).filter((piece) => !piece.startsWith(' '));
    expect(cutsInWords).toEqual([]);
  });

  // Counting in one piece is quadratic in a run's length: a megabyte of letters took about 12 minutes
  // (100 KB, 7 s), during which the service answered nothing. A child process, so a hang fails the test
  // instead of holding it: counting the megabyte takes well under a second.
  it('counts a megabyte without a space in it without hanging', async () => {
    const script = `const { countTextTokens } = require(${JSON.stringify(path.join(__dirname, 'tokens.ts'))});
      process.stdout.write(String(countTextTokens('a'.repeat(1_000_000)) + countTextTokens(' '.repeat(1_000_000))));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script], { timeout: 30_000 });
    expect(Number(stdout)).toBeGreaterThan(100_000);
  }, 40_000);
});
