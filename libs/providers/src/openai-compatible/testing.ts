// Test-only (not exported from the library): the conformance target of an adapter that speaks OpenAI's
// chat completions wire format, with OpenAI's documented fixtures (../openai/fixtures). The provider
// requests it expects are written out literally, not produced by the translator under test.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatResult } from '@switchyard/contracts';
import type { ProviderAdapter } from '../provider';
import {
  CONFORMANCE_IMAGE_URL,
  CONFORMANCE_PNG_BASE64,
  CONFORMANCE_TOOL_CALL_ID,
  reply,
  type ConformanceTarget,
  type ErrorExchange,
  type RecordedRequest,
  type Reply,
} from '../testing';

export const OPENAI_FIXTURES_DIR = join(__dirname, '..', 'openai', 'fixtures');

export function fixtureText(dir: string, name: string): string {
  return readFileSync(join(dir, name), 'utf8');
}

export function fixtureJson<T = unknown>(dir: string, name: string): T {
  return JSON.parse(fixtureText(dir, name)) as T;
}

/** The error scenarios from a fixture file keyed by status: { "429": { "body": ..., "headers": {...} } }. */
export function errorFixtures(dir: string, name: string, messages: Record<string, string>, retryAfterMs: number) {
  const table = fixtureJson<Record<string, { body: unknown; headers?: Record<string, string> }>>(dir, name);
  const exchange = (status: number): ErrorExchange => {
    const entry = table[String(status)];
    if (!entry) throw new Error(`${name} has no ${status} entry`);
    return { reply: reply.error(status, entry.body, entry.headers), message: messages[String(status)] };
  };
  return {
    error_400: exchange(400),
    error_401: exchange(401),
    error_403: exchange(403),
    error_404: exchange(404),
    error_408: exchange(408),
    error_413: exchange(413),
    error_429: { ...exchange(429), retryAfterMs },
    error_500: exchange(500),
    error_503: exchange(503),
  };
}

export const WEATHER_TOOL_WIRE = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather in a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['city'],
    },
  },
};

export interface OpenAIWireRequestOptions {
  /** The model field of the body; omitted when undefined (Azure names the deployment in the path instead). */
  model?: string;
  embedModel?: string;
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** The fields a stream request adds. */
  streamFields: Record<string, unknown>;
}

/** The exact provider bodies the unified conformance requests must become in OpenAI's format. */
export function openAIWireRequests(options: OpenAIWireRequestOptions) {
  const model = options.model === undefined ? {} : { model: options.model };
  const question = { role: 'user', content: 'What is the capital of France?' };
  const single = { ...model, messages: [question], [options.maxTokensField]: 100, temperature: 0.2 };
  const weather = { ...model, messages: [{ role: 'user', content: 'What is the weather like in Paris and in Berlin today?' }], tools: [WEATHER_TOOL_WIRE], tool_choice: 'auto' };
  const toolHistory = {
    ...model,
    messages: [
      { role: 'user', content: 'What is the weather like in Paris today?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: CONFORMANCE_TOOL_CALL_ID, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      { role: 'tool', content: '{"temperature":18,"unit":"celsius","conditions":"sunny"}', tool_call_id: CONFORMANCE_TOOL_CALL_ID },
    ],
  };
  const image = (url: string) => ({
    ...model,
    messages: [{ role: 'user', content: [{ type: 'text', text: 'What is in this image?' }, { type: 'image_url', image_url: { url } }] }],
  });
  return {
    single_turn_chat: single,
    stream: { ...single, ...options.streamFields },
    system_prompt: {
      ...model,
      messages: [{ role: 'system', content: 'You are a terse geography tutor. Answer in one sentence.' }, question],
    },
    multi_turn: {
      ...model,
      messages: [question, { role: 'assistant', content: 'The capital of France is Paris.' }, { role: 'user', content: 'And of Germany?' }],
    },
    tool_call: weather,
    tool_call_stream: { ...weather, ...options.streamFields },
    tool_result_round_trip: { ...toolHistory, tools: [WEATHER_TOOL_WIRE] },
    // OpenAI's format takes assistant tool_calls and tool messages with no `tools`: sent as they are.
    tool_history_without_tools: toolHistory,
    image_url: image(CONFORMANCE_IMAGE_URL),
    image_inline: image(`data:image/png;base64,${CONFORMANCE_PNG_BASE64}`),
    embeddings: {
      ...(options.embedModel === undefined ? {} : { model: options.embedModel }),
      input: ['The food was delicious and the waiter was friendly.', 'The service was slow.'],
      encoding_format: 'float',
    },
  };
}

/** A request assertion: the exact JSON body and the headers every call must carry. */
export function expectCall(body: unknown, expectHeaders: (request: RecordedRequest) => void) {
  return (request: RecordedRequest) => {
    expect(request.body).toEqual(body);
    expect(request.headers['content-type']).toBe('application/json');
    expectHeaders(request);
  };
}

function answer(id: string, content: string, usage: [number, number, number], finish = 'stop'): ChatResult {
  return {
    provider_response_id: id,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: finish }],
    usage: { prompt_tokens: usage[0], completion_tokens: usage[1], total_tokens: usage[2] },
  };
}

const PARALLEL_TOOL_CALLS = [
  { id: 'call_Vq0eTGIm4kzY8hZ3cJ1fXwPa', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } },
  { id: 'call_Bn7uQ2sLxD9rKfE5mW3oHtYc', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Berlin"}' } },
];

/** What the adapter must make of each of OpenAI's fixtures. */
export const OPENAI_FIXTURE_RESULTS = {
  single_turn_chat: answer('chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT', 'The capital of France is Paris.', [14, 8, 22]),
  system_prompt: answer('chatcmpl-B9MC1xQ2YhT6TqGmn1rJZ7a9s0PiW', 'Paris is the capital of France.', [31, 8, 39]),
  multi_turn: answer('chatcmpl-B9MC9Lr3kV2zSxWq5fGdPnHbU7eYo', 'The capital of Germany is Berlin.', [37, 8, 45]),
  stream_reassembles: answer('chatcmpl-B9MD2kXq7WcJ4vLp1sRt8YuE0oNzA', 'The capital of France is Paris.', [14, 8, 22]),
  tool_call: {
    provider_response_id: 'chatcmpl-B9MCHwFqPpZb2gXvNn8KcR4tYs1Ld',
    choices: [{ index: 0, message: { role: 'assistant', content: '', tool_calls: PARALLEL_TOOL_CALLS }, finish_reason: 'tool_calls' }],
    usage: { prompt_tokens: 82, completion_tokens: 46, total_tokens: 128 },
  } satisfies ChatResult,
  tool_call_stream: {
    provider_response_id: 'chatcmpl-B9MDJr5Nw8UeQx3ZtKp2LmVa7YsHc',
    choices: [{ index: 0, message: { role: 'assistant', content: '', tool_calls: PARALLEL_TOOL_CALLS }, finish_reason: 'tool_calls' }],
    usage: { prompt_tokens: 82, completion_tokens: 46, total_tokens: 128 },
  } satisfies ChatResult,
  tool_result_round_trip: answer('chatcmpl-B9MCQ0aZr8YtVw2XcEo4NmJk6HbFs', 'It is sunny in Paris today, at 18 °C.', [109, 14, 123]),
  image: answer('chatcmpl-B9MCYj5PqLw7eRt3UyIo9AsDf2GhK', 'The image shows a pair of dice on a transparent, checkered background.', [8514, 16, 8530]),
  usage: { prompt_tokens: 2006, completion_tokens: 300, total_tokens: 2306, cached_prompt_tokens: 1920 },
  embeddings: {
    data: [
      { index: 0, embedding: [-0.006929283, -0.005336422, 0.0024406312, -0.0086460255] },
      { index: 1, embedding: [0.015366787, -0.02071573, 0.0017011743, 0.0045432597] },
    ],
    usage: { prompt_tokens: 16, completion_tokens: 0, total_tokens: 16 },
  },
};

/** The part of each OpenAI error body's message that must survive into the gateway error. */
export const OPENAI_ERROR_MESSAGES = {
  '400': "This model's maximum context length is 128000 tokens",
  '401': 'Incorrect API key provided: [REDACTED]',
  '403': 'Country, region, or territory not supported',
  '404': 'The model `gpt-4o-mini` does not exist or you do not have access to it.',
  '408': 'Request timed out.',
  '413': '413 Request Entity Too Large',
  '429': 'Rate limit reached for gpt-4o-mini',
  '500': 'The server had an error while processing your request.',
  '503': 'The engine is currently overloaded, please try again later.',
};

export interface OpenAIWireTargetOptions {
  name: string;
  createAdapter(baseUrl: string): ProviderAdapter;
  apiKey?: string;
  chatModel: string;
  embedModel?: string;
  /** Where the API sits on the server, e.g. "/v1" for https://api.openai.com/v1. */
  basePath: string;
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** Assertions on the headers every request must carry (authentication, attribution...). */
  expectHeaders(request: RecordedRequest): void;
  /** Scenarios whose fixture differs from OpenAI's, or that the provider does not support. */
  overrides?: Partial<ConformanceTarget['scenarios']>;
}

/** The whole conformance target of an OpenAI-format adapter, answered with OpenAI's own fixtures. */
export function openAIWireTarget(options: OpenAIWireTargetOptions): ConformanceTarget {
  const dir = OPENAI_FIXTURES_DIR;
  const json = (name: string): Reply => reply.json(fixtureJson(dir, name));
  const sse = (name: string): Reply => reply.sse(fixtureText(dir, name));
  const wire = openAIWireRequests({
    model: options.chatModel,
    embedModel: options.embedModel,
    maxTokensField: options.maxTokensField,
    streamFields: { stream: true, stream_options: { include_usage: true } },
  });
  const call = (body: unknown) => expectCall(body, options.expectHeaders);
  const results = OPENAI_FIXTURE_RESULTS;
  return {
    name: options.name,
    createAdapter: options.createAdapter,
    apiKey: options.apiKey,
    chatModel: options.chatModel,
    embedModel: options.embedModel,
    routes: {
      chat: { path: `${options.basePath}/chat/completions` },
      stream: { path: `${options.basePath}/chat/completions` },
      embed: { path: `${options.basePath}/embeddings` },
    },
    scenarios: {
      single_turn_chat: { reply: json('chat-single-turn.json'), expected: results.single_turn_chat, expectRequest: call(wire.single_turn_chat) },
      system_prompt: { reply: json('chat-system-prompt.json'), expected: results.system_prompt, expectRequest: call(wire.system_prompt) },
      multi_turn: { reply: json('chat-multi-turn.json'), expected: results.multi_turn, expectRequest: call(wire.multi_turn) },
      stream_reassembles: { reply: sse('stream-text.sse'), expected: results.stream_reassembles, expectRequest: call(wire.stream) },
      tool_call: { reply: json('chat-tool-calls.json'), expected: results.tool_call, expectRequest: call(wire.tool_call) },
      tool_call_stream: { reply: sse('stream-tool-calls.sse'), expected: results.tool_call_stream, expectRequest: call(wire.tool_call_stream) },
      tool_result_round_trip: {
        reply: json('chat-tool-result.json'),
        expected: results.tool_result_round_trip,
        expectRequest: call(wire.tool_result_round_trip),
      },
      tool_history_without_tools: {
        reply: json('chat-tool-result.json'),
        expected: results.tool_result_round_trip,
        expectRequest: call(wire.tool_history_without_tools),
      },
      image_input: {
        url: { reply: json('chat-image.json'), expected: results.image, expectRequest: call(wire.image_url) },
        inline: { reply: json('chat-image.json'), expected: results.image, expectRequest: call(wire.image_inline) },
      },
      usage: {
        chat: { reply: json('chat-usage-cached.json'), expected: results.usage },
        stream: { reply: sse('stream-usage-cached.sse'), expected: results.usage, expectRequest: call(wire.stream) },
      },
      embeddings: { reply: json('embeddings.json'), expected: results.embeddings, expectRequest: call(wire.embeddings) },
      ...errorFixtures(dir, 'errors.json', OPENAI_ERROR_MESSAGES, 20_000),
      timeout: true,
      connection_refused: true,
      malformed_json: { stream: sse('stream-malformed.sse') },
      truncated_stream: { reply: sse('stream-text.sse') },
      ...options.overrides,
    },
  };
}
