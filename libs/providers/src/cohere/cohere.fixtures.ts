// Cohere wire bytes for tests, in the shapes Cohere's v2 API reference and streaming guides document:
// the Chat v2 response (id, finish_reason, message, usage with billed_units and tokens), the Chat v2
// stream (one SSE event per typed event, `event: <type>` then `data: <json>`), the Embed v2
// embeddings_by_type response, the Rerank v2 response (results, meta.billed_units.search_units), and
// the error body {"message": ...}. Texts and counts are chosen per
// test; ids are in the API's own style.
import type { RerankRequest } from '@switchyard/contracts';
import { reply, type ErrorExchange } from '../testing';

export function cohereSse(events: (Record<string, unknown> & { type: string })[]): string {
  return events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join('');
}

const usage = (billedIn: number, billedOut: number, tokensIn: number, tokensOut = billedOut) => ({
  billed_units: { input_tokens: billedIn, output_tokens: billedOut },
  tokens: { input_tokens: tokensIn, output_tokens: tokensOut },
});

function textResponse(id: string, text: string, billedIn: number, billedOut: number, tokensIn: number) {
  return { id, finish_reason: 'COMPLETE', message: { role: 'assistant', content: [{ type: 'text', text }] }, usage: usage(billedIn, billedOut, tokensIn) };
}

export const COHERE_TEXT_RESPONSE = textResponse('c14c80c3-18eb-4519-9460-6c92edd8cfb4', 'The capital of France is Paris.', 7, 8, 202);
export const COHERE_SYSTEM_RESPONSE = textResponse('8d4bbd4f-b3c8-4d4b-9a06-3c2b2c3c5a8e', 'Paris is the capital of France.', 21, 8, 216);
export const COHERE_MULTI_TURN_RESPONSE = textResponse('5a50480a-cf52-46f0-af01-53d18539bd31', 'The capital of Germany is Berlin.', 21, 8, 216);
export const COHERE_TOOL_RESULT_RESPONSE = textResponse('0e4d5b6a-7d9c-4a34-8f1e-2f0a1b9c3d47', 'It is sunny and 18°C in Paris today.', 62, 13, 1121);
export const COHERE_IMAGE_RESPONSE = textResponse('f2b9c6c8-1f2b-4a53-9b3c-6d2f0e6a1b29', 'The image shows a small transparent square.', 1213, 10, 1408);

export const COHERE_TOOL_CALL_RESPONSE = {
  id: '4c3d7c1e-5c37-4b55-8e4b-0f4b3a6f0d21',
  finish_reason: 'TOOL_CALL',
  message: {
    role: 'assistant',
    tool_plan: 'I will look up the weather in Paris and in Berlin.',
    tool_calls: [
      { id: 'get_weather_1byjy32y4hvq', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'get_weather_pnvt7q8ppbjs', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Berlin"}' } },
    ],
  },
  usage: usage(37, 28, 1099),
};

const MESSAGE_START = (id: string) => ({ id, type: 'message-start', delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } } });
const CONTENT_START = { type: 'content-start', index: 0, delta: { message: { content: { type: 'text', text: '' } } } };
const CONTENT_DELTA = (text: string) => ({ type: 'content-delta', index: 0, delta: { message: { content: { text } } } });
const CONTENT_END = { type: 'content-end', index: 0 };

const textStream = (messageUsage: Record<string, unknown>) =>
  cohereSse([
    MESSAGE_START('c14c80c3-18eb-4519-9460-6c92edd8cfb4'),
    CONTENT_START,
    CONTENT_DELTA('The'),
    CONTENT_DELTA(' capital'),
    CONTENT_DELTA(' of France is'),
    CONTENT_DELTA(' Paris.'),
    CONTENT_END,
    { type: 'message-end', delta: { finish_reason: 'COMPLETE', usage: messageUsage } },
  ]);

/** The streamed form of COHERE_TEXT_RESPONSE. */
export const COHERE_TEXT_STREAM = textStream(usage(7, 8, 202));

/** Usage whose prompt partly hit Cohere's inference cache: `cached_tokens` sits in `usage` beside billed_units and tokens. */
const CACHED_USAGE = { ...usage(1843, 8, 2038), cached_tokens: 1792 };

/** COHERE_TEXT_RESPONSE from a long prompt whose start was cached, and its streamed form (the usage in message-end's delta). */
export const COHERE_CACHED_TEXT_RESPONSE = { ...COHERE_TEXT_RESPONSE, usage: CACHED_USAGE };
export const COHERE_CACHED_TEXT_STREAM = textStream(CACHED_USAGE);

/** The tool-use guide's stream: a tool plan, then each call's arguments in fragments. */
export const COHERE_TOOL_CALL_STREAM = cohereSse([
  MESSAGE_START('4c3d7c1e-5c37-4b55-8e4b-0f4b3a6f0d21'),
  { type: 'tool-plan-delta', delta: { message: { tool_plan: 'I will look up' } } },
  { type: 'tool-plan-delta', delta: { message: { tool_plan: ' the weather.' } } },
  { type: 'tool-call-start', index: 0, delta: { message: { tool_calls: { id: 'get_weather_1byjy32y4hvq', type: 'function', function: { name: 'get_weather', arguments: '' } } } } },
  { type: 'tool-call-delta', index: 0, delta: { message: { tool_calls: { function: { arguments: '{\n    "' } } } } },
  { type: 'tool-call-delta', index: 0, delta: { message: { tool_calls: { function: { arguments: 'city' } } } } },
  { type: 'tool-call-delta', index: 0, delta: { message: { tool_calls: { function: { arguments: '": "Paris"\n}' } } } } },
  { type: 'tool-call-end', index: 0 },
  { type: 'tool-call-start', index: 1, delta: { message: { tool_calls: { id: 'get_weather_pnvt7q8ppbjs', type: 'function', function: { name: 'get_weather', arguments: '' } } } } },
  { type: 'tool-call-delta', index: 1, delta: { message: { tool_calls: { function: { arguments: '{\n    "city' } } } } },
  { type: 'tool-call-delta', index: 1, delta: { message: { tool_calls: { function: { arguments: '": "Berlin"\n}' } } } } },
  { type: 'tool-call-end', index: 1 },
  { type: 'message-end', delta: { finish_reason: 'TOOL_CALL', usage: usage(37, 28, 1099) } },
]);

export const COHERE_MALFORMED_STREAM =
  cohereSse([MESSAGE_START('9b0c6f4e-3a52-4e8e-a3d1-7c2e9d5b4f10'), CONTENT_START, CONTENT_DELTA('The capital')]) +
  'event: content-delta\ndata: {"type":"content-delta","index":0,"delta":{"message":{"content":{"te\n\n';

/** A stream that fails after it started: message-end carries the error. */
export const COHERE_ERROR_MID_STREAM = cohereSse([
  MESSAGE_START('2e8f1a7c-6b3d-4c9e-8f2a-1d7b5c3e9a04'),
  CONTENT_START,
  CONTENT_DELTA('The capital'),
  { type: 'message-end', delta: { error: 'internal server error, this has been reported to our developers', finish_reason: 'ERROR' } },
]);

export const COHERE_EMBED_RESPONSE = {
  id: 'bc57846a-3e56-4327-8acc-588ca1a37b8a',
  embeddings: { float: [[-0.039520264, -0.04574585, -0.08807373, -0.084106445], [0.016067505, -0.02822876, 0.036224365, 0.037994385]] },
  texts: ['the food was delicious and the waiter was friendly.', 'the service was slow.'],
  meta: { api_version: { version: '2' }, billed_units: { input_tokens: 15 } },
  response_type: 'embeddings_by_type',
};

/** The request of Cohere's rerank reference, five documents and top_n 2. */
export const RERANK_REQUEST: RerankRequest = {
  model: 'rerank-v3.5',
  query: 'What is the capital of the United States?',
  documents: [
    'Carson City is the capital city of the American state of Nevada.',
    'The Commonwealth of the Northern Mariana Islands is a group of islands in the Pacific Ocean. Its capital is Saipan.',
    'Capitalization or capitalisation in English grammar is the use of a capital letter at the start of a word.',
    'Washington, D.C. (also known as simply Washington or D.C.) is the capital of the United States.',
    'Capital punishment has existed in the United States since before the United States was a country.',
  ],
  top_n: 2,
};

/** Rerank v2's answer to a query over five documents with top_n 2: one search unit. */
export const COHERE_RERANK_RESPONSE = {
  results: [
    { index: 3, relevance_score: 0.999071 },
    { index: 4, relevance_score: 0.7867867 },
  ],
  id: '07734bd2-2473-4f07-94e1-0d9f0e6843cf',
  meta: { api_version: { version: '2' }, billed_units: { search_units: 1 } },
};

/** Cohere's error body for any non-2xx status is {"message": string}; messages from its errors reference where it has them. */
export const COHERE_ERRORS = {
  400: { message: 'invalid request: message must be at least 1 token long or tool results must be specified.' },
  401: { message: 'invalid api token' },
  403: { message: 'Forbidden: this API key is not allowed to use this model' },
  404: { message: "model 'command-x-00-0000' not found, make sure the correct model ID was used and that you have access to the model." },
  408: { message: 'request timed out' },
  413: { message: 'request entity too large' },
  429: {
    message:
      "You are using a Trial key, which is limited to 20 API calls / minute. You can continue to use the Trial key for free or upgrade to a Production key with higher rate limits at 'https://dashboard.cohere.com/api-keys'.",
  },
  500: { message: 'internal server error, this has been reported to our developers' },
  503: { message: 'service unavailable' },
} as const;

/** A documented error as a conformance exchange: its status, its body, and the message the gateway keeps. */
export function cohereError(status: keyof typeof COHERE_ERRORS, headers: Record<string, string> = {}): ErrorExchange {
  const body = COHERE_ERRORS[status];
  return { reply: reply.error(status, body, headers), message: body.message };
}

/** Every status of the conformance suites, as Cohere answers it (its 429 with the Retry-After it sends). */
export function cohereErrors() {
  return {
    error_400: cohereError(400),
    error_401: cohereError(401),
    error_403: cohereError(403),
    error_404: cohereError(404),
    error_408: cohereError(408),
    error_413: cohereError(413),
    error_429: { ...cohereError(429, { 'retry-after': '60' }), retryAfterMs: 60_000 },
    error_500: cohereError(500),
    error_503: cohereError(503),
  };
}
