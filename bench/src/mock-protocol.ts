// What the mock upstream and the load generator agree on: how a request names its upstream delay, and
// what the answer says (the generator times the first streamed chunk by its first word).

export const MOCK_REPLY_WORDS = ['Bench', ' reply', ' from', ' the', ' mock', ' upstream.'];
export const FIRST_CHUNK_MARKER = MOCK_REPLY_WORDS[0];
export const DELAY_PATTERN = /delay_ms=(\d+)/;

/** The prompt of a request whose upstream answer should wait `delayMs`. */
export function promptWithDelay(delayMs: number): string {
  return `Benchmark request, delay_ms=${delayMs}. Reply with a short sentence about switchyards.`;
}
