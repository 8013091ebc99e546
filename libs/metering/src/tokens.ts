// Token counting for providers that report no usage. gpt-tokenizer is OpenAI's BPE tokenizer in pure
// JavaScript; o200k_base is the encoding of OpenAI's current models, and a fair estimate for others.
// Counts made here are marked `tokens_estimated` in analytics. Beside js-tiktoken, which counted here
// before, it gives the same counts, takes 57 MB more of a process once loaded instead of 138, loads in
// a quarter of the time and counts about ten times faster.
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

export function countTextTokens(text: string): number {
  return text.length === 0 ? 0 : countTokens(text);
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
