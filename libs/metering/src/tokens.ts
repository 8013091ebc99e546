// Token counting for providers that report no usage. gpt-tokenizer is OpenAI's BPE tokenizer in pure
// JavaScript; o200k_base is the encoding of OpenAI's current models, and a fair estimate for others.
// Counts made here are marked `tokens_estimated` in analytics. Beside js-tiktoken, which counted here
// before, it gives the same counts, adds 56-72 MB to a process once loaded instead of 157, loads in a
// quarter of the time and counts about ten times faster.
import type { ChatMessage, Choice } from '@switchyard/contracts';

type Counter = (text: string, options: { disallowedSpecial: Set<string> }) => number;
let counter: Counter | undefined;

// A caller's text may hold what looks like a special token (`<|endoftext|>`, pasted from a tokenizer's
// docs): it is text, counted as such. The tokenizer's default refuses it, which failed the request.
const NO_SPECIAL_TOKENS = { disallowedSpecial: new Set<string>() };

/**
 * Loaded on first use only: most providers report usage, so a metering service may never count a token,
 * and the ranks are most of what counting takes in memory.
 */
function countTokens(text: string): number {
  counter ??= (require('gpt-tokenizer/encoding/o200k_base') as { countTokens: Counter }).countTokens;
  return counter(text, NO_SPECIAL_TOKENS);
}

// Byte-pair merging takes time quadratic in the length of each piece the tokenizer's own split leaves
// whole: a word, a run of spaces, or a caller's 100 KB of letters (7 s of the event loop; 4 MB, the
// default request limit, for hours). Text is counted in pieces of at most MAX_PIECE characters, cut
// before a space that starts a word, where the tokenizer splits anyway, so prose counts the same; a
// longer run without one is cut where it must be, which may count a token more or fewer at each cut.
export const MAX_PIECE = 256;

/** The text in pieces of at most MAX_PIECE characters, cut before word-starting spaces where it can be. */
export function piecesOf(text: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (text.length - start > MAX_PIECE) {
    let cut = start + MAX_PIECE;
    while (cut > start && !(text.charCodeAt(cut) === 0x20 && text.charCodeAt(cut - 1) !== 0x20)) cut--;
    if (cut === start) cut = start + MAX_PIECE;
    pieces.push(text.slice(start, cut));
    start = cut;
  }
  pieces.push(text.slice(start));
  return pieces;
}

export function countTextTokens(text: string): number {
  if (text.length === 0) return 0;
  if (text.length <= MAX_PIECE) return countTokens(text);
  let total = 0;
  for (const piece of piecesOf(text)) total += countTokens(piece);
  return total;
}

function messageText(message: ChatMessage): string {
  const parts = message.content_parts?.length ? message.content_parts.map((part) => part.text ?? '').join('') : message.content ?? '';
  const calls = (message.tool_calls ?? []).map((call) => call.function.name + call.function.arguments).join('');
  return parts + calls;
}

/** Prompt tokens as OpenAI counts them for chat: 3 per message of framing, 3 to prime the reply. */
export function countPromptTokens(messages: ChatMessage[]): number {
  let total = 3;
  for (const message of messages) total += 3 + countTextTokens(messageText(message)) + (message.name ? 1 : 0);
  return total;
}

export function countCompletionTokens(choices: Choice[]): number {
  return choices.reduce((sum, choice) => sum + countTextTokens(messageText(choice.message)), 0);
}
