// Token counting for providers that report no usage. js-tiktoken is OpenAI's tokenizer in pure
// JavaScript; o200k_base is the encoding of OpenAI's current models, and a fair estimate for others.
// Counts made here are marked `tokens_estimated` in analytics.
import { getEncoding, type Tiktoken } from 'js-tiktoken';
import type { ChatMessage, Choice } from '@switchyard/contracts';

let encoding: Tiktoken | undefined;

function encoder(): Tiktoken {
  encoding ??= getEncoding('o200k_base');
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
