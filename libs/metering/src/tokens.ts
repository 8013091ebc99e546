// Token counting for providers that report no usage. js-tiktoken is OpenAI's tokenizer in pure
// JavaScript; o200k_base is the encoding of OpenAI's current models, and a fair estimate for others.
// Counts made here are marked `tokens_estimated` in analytics.
import type { Tiktoken, TiktokenBPE } from 'js-tiktoken/lite';
import type { ChatMessage, Choice } from '@switchyard/contracts';

let encoding: Tiktoken | undefined;

/**
 * Loaded on first use only: js-tiktoken's main entry point holds the ranks of every encoding
 * (about 20 MB of a service's memory once imported), and most providers report usage, so a
 * metering service may never count a token. This loads o200k_base's ranks alone, when needed.
 */
function encoder(): Tiktoken {
  if (!encoding) {
    const { Tiktoken } = require('js-tiktoken/lite') as typeof import('js-tiktoken/lite');
    encoding = new Tiktoken(require('js-tiktoken/ranks/o200k_base') as TiktokenBPE);
  }
  return encoding;
}

export function countTextTokens(text: string): number {
  return text.length === 0 ? 0 : encoder().encode(text).length;
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
