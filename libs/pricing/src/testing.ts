// Repeatable adversarial text for the token counting tests, shared by the tests and the child
// processes they run.

/** A repeatable stream of numbers in [0, 1) (xorshift32). */
export function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

/** About `length` characters made of what `pick` returns for a seeded stream of numbers. */
export function randomText(length: number, seed: number, pick: (random: number) => string): string {
  const random = seeded(seed);
  const parts: string[] = [];
  for (let size = 0; size < length; ) {
    const part = pick(random());
    parts.push(part);
    size += part.length;
  }
  return parts.join('');
}

const EMOJI = ['😀', '🎉', '👍🏽', '🚀', '❤️', '👨‍👩‍👧', '🇯🇵'];

export const printable = (random: number) => String.fromCharCode(0x20 + Math.floor(random * 95));
export const cjk = (random: number) => String.fromCharCode(0x4e00 + Math.floor(random * 20_000));
export const emojiOrCjk = (random: number) => (random < 0.5 ? EMOJI[Math.floor(random * 2 * EMOJI.length)] : cjk(random * 2 - 1));

/** Random bytes decoded as UTF-8: mostly U+FFFD, with rare code points and control characters. */
export function randomBytesText(length: number, seed: number): string {
  const random = seeded(seed);
  return Buffer.from(Array.from({ length }, () => Math.floor(random() * 256))).toString('utf8');
}

/** Each kind of text that held the event loop, by name: `length` characters (bytes, for random bytes) of it. */
export const ADVERSARIAL_TEXTS: [string, (length: number) => string][] = [
  ['random printable characters', (length) => randomText(length, 1, printable)],
  ['random bytes decoded as UTF-8', (length) => randomBytesText(length, 2)],
  ['emoji and CJK', (length) => randomText(length, 3, emojiOrCjk)],
  ['`a@` repeated', (length) => 'a@'.repeat(length / 2)],
];
