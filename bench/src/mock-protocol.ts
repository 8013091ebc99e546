// What the mock upstream and the load generator agree on: how a request names its upstream delay, and
// what the answer says (the generator times the first streamed chunk by its first word).

export const MOCK_REPLY_WORDS = ['Bench', ' reply', ' from', ' the', ' mock', ' upstream.'];
export const FIRST_CHUNK_MARKER = MOCK_REPLY_WORDS[0];
export const DELAY_PATTERN = /delay_ms=(\d+)/;

// Prose with the digits, dots and @ that make the guardrails' patterns look twice, and no value they mask.
const PADDING = 'Order 1182-55 shipped on 2024-05-17 at 10:31; version 3.2.1 follows. Contact us at support (at) example dot com. ';
let promptBytes = 0;

/** Every prompt from now on is padded with prose to about `bytes` (profile.ts --prompt-bytes). */
export function padPromptsTo(bytes: number): void {
  promptBytes = bytes;
}

/** The prompt of a request whose upstream answer should wait `delayMs`. */
export function promptWithDelay(delayMs: number): string {
  const prompt = `Benchmark request, delay_ms=${delayMs}. Reply with a short sentence about switchyards.`;
  return prompt.length >= promptBytes ? prompt : prompt + ' ' + PADDING.repeat(Math.ceil(promptBytes / PADDING.length)).slice(0, promptBytes - prompt.length - 1);
}
