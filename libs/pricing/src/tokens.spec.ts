import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { cjk, emojiOrCjk, printable, randomText, seeded } from './testing';
import { countCompletionTokens, countPromptTokens, countTexts, countTextTokens, estimateTokens, MAX_PIECE, piecesOf } from './tokens';

const whole = (text: string) => countTokens(text, { disallowedSpecial: new Set() });

const PROSE = 'The quick brown fox jumps over the lazy dog,  and then\n\nit runs   into the forest. ';

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
    const prose = PROSE.repeat(200) + '漢字かな交じり文。'.repeat(20);
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

  it.each([
    ['prose', PROSE.repeat(800)],
    ['random printable characters', randomText(64_000, 1, printable)],
    ['CJK ideographs', randomText(64_000, 2, cjk)],
    ['emoji and CJK', randomText(64_000, 3, emojiOrCjk)],
    ['prose, CJK and random characters in turn', [PROSE.repeat(100), randomText(8_000, 4, cjk), randomText(8_000, 5, printable)].join('').repeat(2)],
  ])('estimates %s from samples within 3% of the exact count', (_, text) => {
    const exact = countTextTokens(text, Infinity);
    const estimate = estimateTokens(text, seeded(7));
    expect(Math.abs(estimate - exact) / exact).toBeLessThan(0.03);
  });

  it('counts exactly until the deadline and estimates the rest of all texts', () => {
    const texts = [PROSE.repeat(100), 'a@'.repeat(5_000), PROSE.repeat(100)];
    const exact = texts.reduce((sum, text) => sum + countTextTokens(text, Infinity), 0);
    expect(countTexts(texts, Infinity)).toBe(exact);
    const estimate = countTexts(texts, -Infinity);
    expect(Math.abs(estimate - exact) / exact).toBeLessThan(0.03);
  });

  // Each of these held the event loop for seconds to minutes: random text runs through the tokenizer's
  // slowest paths (byte-pair merges of long runs of CJK, emoji and U+FFFD), and once its merge cache was
  // full, `a@a@...` made every lookup walk the deleted entries V8 keeps in a Map (69 s for 256 KB).
  // Counting is now exact for a bounded time and estimated beyond, so all of these together finish far
  // inside the child's timeout; each count is checked against the exact count of a part of the same
  // text scaled to its length (the inputs are uniform, so that is close), `a@` against its exact count.
  it('counts megabytes of random, malformed, emoji and CJK text, and `a@` after filling the cache, without holding the event loop', async () => {
    const script = `
      const { countTextTokens } = require(${JSON.stringify(path.join(__dirname, 'tokens.ts'))});
      const { ADVERSARIAL_TEXTS, printable, randomText } = require(${JSON.stringify(path.join(__dirname, 'testing.ts'))});
      const results = [];
      for (const [kind, make] of ADVERSARIAL_TEXTS) {
        const part = make(32_000);
        const perChar = countTextTokens(part, Infinity) / part.length;
        for (const size of [1_000_000, 4_000_000]) {
          const text = make(size);
          results.push({ case: kind + ' ' + size, count: countTextTokens(text), expected: Math.round(perChar * text.length) });
        }
      }
      for (let i = 0; i < 200; i++) countTextTokens(randomText(20_000, 100 + i, printable));
      results.push({ case: 'a@ after filling the cache', count: countTextTokens('a@'.repeat(128_000)), expected: 256_000 });
      process.stdout.write(JSON.stringify(results));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '-e', script], { timeout: 120_000, maxBuffer: 1 << 20 });
    const results = JSON.parse(stdout) as { case: string; count: number; expected: number }[];
    expect(results.map((result) => result.case)).toEqual([
      ...['random printable characters', 'random bytes decoded as UTF-8', 'emoji and CJK', '`a@` repeated'].flatMap((kind) => [`${kind} 1000000`, `${kind} 4000000`]),
      'a@ after filling the cache',
    ]);
    expect(results.filter((result) => !(Math.abs(result.count - result.expected) / result.expected < 0.03))).toEqual([]);
  }, 150_000);
});
