// Token counting for providers that report no usage. gpt-tokenizer is OpenAI's BPE tokenizer in pure
// JavaScript; o200k_base is the encoding of OpenAI's current models, and a fair estimate for others.
// Counts made here are marked `tokens_estimated` in analytics. Beside js-tiktoken, which counted here
// before, it gives the same counts, adds 56-72 MB to a process once loaded instead of 157, loads in a
// quarter of the time and counts about ten times faster.
import { performance } from 'node:perf_hooks';
import { requestTexts, type ChatMessage, type Choice, type RequestBody, type Usage } from '@switchyard/contracts';

type Counter = (text: string, options: { disallowedSpecial: Set<string> }) => number;
interface Encoding {
  countTokens: Counter;
  setMergeCacheSize(size: number): void;
}
let counter: Counter | undefined;

// A caller's text may hold what looks like a special token (`<|endoftext|>`, pasted from a tokenizer's
// docs): it is text, counted as such. The tokenizer's default refuses it, which failed the request.
const NO_SPECIAL_TOKENS = { disallowedSpecial: new Set<string>() };

// The tokenizer keeps the merges of pieces it has seen in a Map used as an LRU cache (deleted and set
// again on every hit). V8 keeps a Map's deleted entries until it rehashes, so once the default cache
// was full every hit or eviction walked past thousands of them: a prompt of `a@a@...` after a few
// random prompts held the event loop for minutes, and the cache held tens of megabytes. A cache small
// enough to keep that walk short barely helps prose: it is off.
const MERGE_CACHE_ENTRIES = 0;

/**
 * Loaded on first use only: most providers report usage, so a metering service may never count a token,
 * and the ranks are most of what counting takes in memory.
 */
function loadCounter(): Counter {
  if (!counter) {
    const encoding = require('gpt-tokenizer/encoding/o200k_base') as Encoding;
    encoding.setMergeCacheSize(MERGE_CACHE_ENTRIES);
    counter = encoding.countTokens;
  }
  return counter;
}

function countTokens(text: string): number {
  return loadCounter()(text, NO_SPECIAL_TOKENS);
}

// Byte-pair merging takes time quadratic in the length of each piece the tokenizer's own split leaves
// whole: a word, a run of spaces, or a caller's 100 KB of letters (7 s of the event loop; 4 MB, the
// default request limit, for hours). Text is counted in pieces of at most MAX_PIECE characters, cut
// before a space that starts a word, where the tokenizer splits anyway, so prose counts the same; a
// longer run without one is cut where it must be, which may count a token more or fewer at each cut.
export const MAX_PIECE = 256;

// Even in pieces, some text costs far more a character than prose does (CJK without
// punctuation, emoji, random bytes): a megabyte of it held the event loop for seconds. A request's
// text is counted exactly for EXACT_COUNT_MS of the event loop; whatever is left then is estimated
// from SAMPLES windows of SAMPLE_CHARS, one at a random place in each equal part of it, so that a
// caller cannot know which of its text is counted.
export const EXACT_COUNT_MS = 50;
export const SAMPLES = 64;
export const SAMPLE_CHARS = 64;

/** The time until which a request's text is counted exactly; counting starts after the tokenizer is loaded. */
export function countingDeadline(budgetMs = EXACT_COUNT_MS): number {
  loadCounter();
  return performance.now() + budgetMs;
}

const isWordStart = (text: string, at: number) => text.charCodeAt(at) === 0x20 && text.charCodeAt(at - 1) !== 0x20;
const isLowSurrogate = (text: string, at: number) => (text.charCodeAt(at) & 0xfc00) === 0xdc00;

/** The text in pieces of at most MAX_PIECE characters, cut before word-starting spaces where it can be. */
export function piecesOf(text: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (text.length - start > MAX_PIECE) {
    let cut = start + MAX_PIECE;
    while (cut > start && !isWordStart(text, cut)) cut--;
    if (cut === start) cut = start + MAX_PIECE;
    pieces.push(text.slice(start, cut));
    start = cut;
  }
  pieces.push(text.slice(start));
  return pieces;
}

/** Where a sample taken near `at` begins or ends: at a word's start if one is near, never inside a surrogate pair. */
function sampleEdge(text: string, at: number): number {
  for (let i = at; i < Math.min(text.length, at + SAMPLE_CHARS / 4); i++) if (isWordStart(text, i)) return i;
  return isLowSurrogate(text, at) ? at + 1 : at;
}

/** Tokens in `text` estimated from samples: the tokens of the samples per character, times its length. */
export function estimateTokens(text: string, random: () => number = Math.random): number {
  if (text.length <= SAMPLE_CHARS * SAMPLES) return countTexts([text], Infinity);
  const part = text.length / SAMPLES;
  let tokens = 0;
  let chars = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const at = Math.floor(i * part + random() * (part - SAMPLE_CHARS));
    const start = sampleEdge(text, at);
    const sample = text.slice(start, Math.max(start, sampleEdge(text, start + SAMPLE_CHARS)));
    tokens += countTokens(sample);
    chars += sample.length;
  }
  return chars === 0 ? 0 : Math.round((tokens * text.length) / chars);
}

/** Tokens in `texts` together: exact until `deadline`, the rest estimated. */
export function countTexts(texts: readonly string[], deadline = countingDeadline()): number {
  let total = 0;
  for (let i = 0; i < texts.length; i++) {
    const pieces = piecesOf(texts[i]);
    for (let j = 0; j < pieces.length; j++) {
      if (performance.now() > deadline) return total + estimateTokens([...pieces.slice(j), ...texts.slice(i + 1)].join(''));
      total += countTokens(pieces[j]);
    }
  }
  return total;
}

export function countTextTokens(text: string, deadline = countingDeadline()): number {
  return countTexts([text], deadline);
}

function messageText(message: ChatMessage): string {
  const parts = message.content_parts?.length ? message.content_parts.map((part) => part.text ?? '').join('') : message.content ?? '';
  const calls = (message.tool_calls ?? []).map((call) => call.function.name + call.function.arguments).join('');
  return parts + calls;
}

/** Prompt tokens as OpenAI counts them for chat: 3 per message of framing, 3 to prime the reply. */
export function countPromptTokens(messages: ChatMessage[], deadline = countingDeadline()): number {
  const framing = messages.reduce((sum, message) => sum + 3 + (message.name ? 1 : 0), 3);
  return framing + countTexts(messages.map(messageText), deadline);
}

export function countCompletionTokens(choices: Choice[], deadline = countingDeadline()): number {
  return countTexts(choices.map((choice) => messageText(choice.message)), deadline);
}

/**
 * A call's usage counted here, for answers whose provider reported none: a chat request's messages or an
 * embedding request's inputs, and the answer's choices; one budget of exact counting for both.
 */
export function countUsage(prompt: { messages: ChatMessage[] } | { input: string[] }, choices: Choice[] | undefined): Usage {
  const deadline = countingDeadline();
  const prompt_tokens = 'messages' in prompt ? countPromptTokens(prompt.messages, deadline) : countTexts(prompt.input, deadline);
  const completion_tokens = choices ? countCompletionTokens(choices, deadline) : 0;
  return { prompt_tokens, completion_tokens, total_tokens: prompt_tokens + completion_tokens };
}

/** The usage of an answer to `request` whose provider reported none: a chat's messages or the request's texts, and the answer's choices. */
export function countRequestUsage(request: RequestBody, choices: Choice[] | undefined): Usage {
  return countUsage(request.chat ?? { input: requestTexts(request)! }, choices);
}

/**
 * A prompt's tokens without the tokenizer, for the limits check, which must decide in microseconds:
 * `estimated` from its characters as OpenAI estimates a request's tokens for its own rate limits (a
 * token is about 4 characters of English), and `most`, a bound no count exceeds: every token of a
 * byte-level BPE covers at least one byte of UTF-8.
 */
export interface TokenBounds {
  estimated: number;
  most: number;
}

export function promptTokenBounds(messages: ChatMessage[]): TokenBounds {
  let framing = 3;
  let characters = 0;
  let bytes = 0;
  const add = (text: string | undefined) => {
    if (!text) return;
    characters += text.length;
    bytes += Buffer.byteLength(text);
  };
  for (const message of messages) {
    framing += 3 + (message.name ? 1 : 0);
    if (message.content_parts?.length) for (const part of message.content_parts) add(part.text);
    else add(message.content ?? undefined);
    for (const call of message.tool_calls ?? []) {
      add(call.function.name);
      add(call.function.arguments);
    }
  }
  return { estimated: framing + Math.ceil(characters / 4), most: framing + bytes };
}

export function textTokenBounds(texts: readonly string[]): TokenBounds {
  let characters = 0;
  let bytes = 0;
  for (const text of texts) {
    characters += text.length;
    bytes += Buffer.byteLength(text);
  }
  return { estimated: Math.ceil(characters / 4), most: bytes };
}
