// The built-in provider `mock`, so that the gateway works with no API keys. Model mock-echo answers
// with the text of the last user message, verbatim; mock-embed returns deterministic embeddings;
// mock-vision, mock-sentiment and mock-moderation answer as mock-models.ts says (mock-moderation also
// as a moderation model); mock-transcribe transcribes WAV files (their duration and a fixed text).
import { createHash } from 'node:crypto';
import { GatewayError, type ChatMessage, type ChatRequest, type ChatResult, type EmbedResult, type ModerationResult, type TranscriptionResult } from '@switchyard/contracts';
import { scrubbingCredentials } from '../credentials';
import { MODERATION_LEXICON, mockVisionDescription, mockModeration, mockSentiment, mockTranscription } from './mock-models';
import type { ChatStreamEvent, ProviderAdapter, ProviderFactory } from '../provider';

export const MOCK_EMBEDDING_DIMENSIONS = 16;
/**
 * The most numbers mock-embed returns for one request. The mock is served by default, and the largest
 * request the gateway accepts (2,048 inputs of 8,192 dimensions) would be 16 million numbers, hundreds
 * of megabytes as JSON: it refuses, as a provider refuses what is over its limits.
 */
export const MOCK_MAX_EMBEDDING_VALUES = 262_144;

export interface MockProviderOptions {
  /** Added before every answer, to imitate a provider's think time. */
  latencyMs: number;
}

export function createMockProvider(options: MockProviderOptions): ProviderAdapter {
  // It has no credentials, but its errors go the way of every adapter's.
  return scrubbingCredentials({
    name: 'mock',

    async chat(request, { signal }) {
      await sleep(options.latencyMs, signal);
      return mockAnswer(request);
    },

    async *chatStream(request, { signal }) {
      await sleep(options.latencyMs, signal);
      const answer = mockAnswer(request);
      const message = answer.choices[0].message;
      yield { index: 0, role: 'assistant' } satisfies ChatStreamEvent;
      if (message.tool_calls) {
        for (const [index, call] of message.tool_calls.entries()) {
          yield { index: 0, tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] };
          for (const piece of splitIntoChunks(call.function.arguments, 3)) {
            yield { index: 0, tool_calls: [{ index, function: { arguments: piece } }] };
          }
        }
      } else {
        for (const piece of splitIntoChunks(message.content ?? '', 4)) {
          signal.throwIfAborted();
          yield { index: 0, content: piece };
        }
      }
      yield { index: 0, finish_reason: answer.choices[0].finish_reason as ChatStreamEvent['finish_reason'] };
    },

    async embed(request, { signal }) {
      await sleep(options.latencyMs, signal);
      const dimensions = request.dimensions || MOCK_EMBEDDING_DIMENSIONS;
      if (request.input.length * dimensions > MOCK_MAX_EMBEDDING_VALUES) {
        throw new GatewayError(
          'provider_invalid_request',
          `the mock provider returns at most ${MOCK_MAX_EMBEDDING_VALUES} numbers a request; ${request.input.length} inputs of ${dimensions} dimensions are ${request.input.length * dimensions}`,
          { providerStatus: 400 },
        );
      }
      return { data: request.input.map((text, index) => ({ index, embedding: mockEmbedding(text, dimensions) })) } satisfies EmbedResult;
    },

    // mock-moderation behind /v1/moderations as well as behind the Analyze call's chat path.
    async moderate(request, { signal }) {
      await sleep(options.latencyMs, signal);
      const results = request.input.map((text) => {
        const found = new Set(mockModeration(text).categories);
        const categories = Object.fromEntries(Object.keys(MODERATION_LEXICON).map((category) => [category, found.has(category)]));
        const category_scores = Object.fromEntries(Object.keys(MODERATION_LEXICON).map((category) => [category, found.has(category) ? 1 : 0]));
        return { flagged: found.size > 0, categories, category_scores };
      });
      return { results } satisfies ModerationResult;
    },

    // mock-transcribe: any model name of the mock transcribes, as mock-embed embeds.
    async transcribe(request, { signal }) {
      await sleep(options.latencyMs, signal);
      const transcript = mockTranscription(Buffer.from(request.audio, 'base64'));
      if (!transcript) {
        throw new GatewayError('provider_invalid_request', `mock-transcribe reads WAV files only (RIFF WAVE with fmt and data chunks); ${request.filename} is not one`, { providerStatus: 400 });
      }
      const { text, duration_seconds } = transcript;
      return { text, language: 'en', duration_seconds, segments: [{ start: 0, end: duration_seconds, text }] } satisfies TranscriptionResult;
    },
  }, []);
}

export const mockProviderFactory: ProviderFactory = (config, env) =>
  createMockProvider({ latencyMs: Number(env.SWITCHYARD_MOCK_LATENCY_MS ?? config.latency_ms ?? 0) });

/**
 * The answer of mock-echo: the last user message verbatim. When the caller requires a tool call, it
 * calls the first (or the named) tool with {"text": <last user message>}; after a tool result it echoes
 * the result, so a tool round trip can be exercised without a real model.
 */
export function mockAnswer(request: ChatRequest): ChatResult {
  const last = request.messages[request.messages.length - 1];
  const wantsTool = request.tools && request.tools.length > 0 && ['required', 'function'].includes(request.tool_choice?.mode ?? '');
  if (wantsTool && last.role !== 'tool') {
    const tool = request.tool_choice?.mode === 'function'
      ? request.tools!.find((candidate) => candidate.function.name === request.tool_choice?.function_name) ?? request.tools![0]
      : request.tools![0];
    const id = 'call_' + createHash('sha256').update(messageText(lastUserMessage(request.messages))).digest('hex').slice(0, 24);
    return {
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: '',
            tool_calls: [{ id, type: 'function', function: { name: tool.function.name, arguments: JSON.stringify({ text: messageText(lastUserMessage(request.messages)) }) } }],
          },
          finish_reason: 'tool_calls',
        },
      ],
    };
  }
  const text = mockModelText(request) ?? (last.role === 'tool' ? messageText(last) : messageText(lastUserMessage(request.messages)));
  const limited = request.max_tokens !== undefined && text.length > request.max_tokens * 4;
  return {
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: limited ? text.slice(0, request.max_tokens! * 4) : text },
        finish_reason: limited ? 'length' : 'stop',
      },
    ],
  };
}

/** The answer of the mock models that read the last user message rather than echo it; undefined for mock-echo. */
function mockModelText(request: ChatRequest): string | undefined {
  const user = lastUserMessage(request.messages);
  switch (request.model) {
    case 'mock-vision':
      return mockVisionDescription(user?.content_parts ?? []);
    case 'mock-sentiment':
      return JSON.stringify(mockSentiment(messageText(user)));
    case 'mock-moderation':
      return JSON.stringify(mockModeration(messageText(user)));
    default:
      return undefined;
  }
}

function lastUserMessage(messages: ChatMessage[]): ChatMessage | undefined {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === 'user') return messages[i];
  return undefined;
}

function messageText(message: ChatMessage | undefined): string {
  if (!message) return '';
  if (message.content_parts && message.content_parts.length > 0) {
    return message.content_parts.map((part) => part.text ?? '').join('');
  }
  return message.content ?? '';
}

/** Splits text into about `count` pieces that concatenate back to it exactly. */
export function splitIntoChunks(text: string, count: number): string[] {
  if (text.length === 0) return [];
  const size = Math.max(1, Math.ceil(text.length / count));
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}

export function mockEmbedding(text: string, dimensions: number): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < dimensions; block++) {
    const digest = createHash('sha256').update(`${block}:${text}`).digest();
    for (let i = 0; i + 1 < digest.length && values.length < dimensions; i += 2) {
      values.push(digest.readUInt16BE(i) / 32767.5 - 1);
    }
  }
  const norm = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0)) || 1;
  return values.map((v) => v / norm);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason ?? new GatewayError('cancelled', 'the call was aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
