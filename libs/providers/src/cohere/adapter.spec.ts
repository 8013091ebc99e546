import type { ChatResult } from '@switchyard/contracts';
import { GatewayError } from '@switchyard/contracts';
import type { ChatStreamEvent } from '../provider';
import {
  CONFORMANCE_IMAGE_URL,
  CONFORMANCE_PNG_BASE64,
  CONFORMANCE_TOOL_CALL_ID,
  conformanceRequests,
  reply,
  ReplayServer,
  runConformanceSuite,
  type RecordedRequest,
} from '../testing';
import { cohereProviderFactory, createCohereProvider } from './adapter';
import {
  COHERE_CACHED_TEXT_RESPONSE,
  COHERE_CACHED_TEXT_STREAM,
  COHERE_EMBED_RESPONSE,
  COHERE_ERROR_MID_STREAM,
  COHERE_IMAGE_RESPONSE,
  COHERE_MALFORMED_STREAM,
  COHERE_MULTI_TURN_RESPONSE,
  COHERE_SYSTEM_RESPONSE,
  COHERE_TEXT_RESPONSE,
  COHERE_TEXT_STREAM,
  COHERE_TOOL_CALL_RESPONSE,
  COHERE_TOOL_CALL_STREAM,
  COHERE_TOOL_RESULT_RESPONSE,
  cohereErrors,
} from './cohere.fixtures';

const KEY = 'co-test-7Hq2Lr9Xv4Nc8Pz1Mw6Kb3Jd';
const MODEL = 'command-a-03-2025';
const VISION_MODEL = MODEL;
const EMBED_MODEL = 'embed-english-v3.0';
const CHAT_PATH = '/v2/chat';
const EMBED_PATH = '/v2/embed';

/** The provider requests of the conformance scenarios, written out rather than produced by the translator. */
const QUESTION = { model: MODEL, messages: [{ role: 'user', content: 'What is the capital of France?' }], max_tokens: 100, temperature: 0.2 };
const WEATHER_TOOLS = [
  {
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
  },
];
const WEATHER_QUESTION = { model: MODEL, messages: [{ role: 'user', content: 'What is the weather like in Paris and in Berlin today?' }], tools: WEATHER_TOOLS };

function expectRequest(path: string, body: unknown) {
  return (request: RecordedRequest) => {
    expect(request.path).toBe(path);
    expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(request.rawBody).not.toContain(KEY);
    expect(request.body).toEqual(body);
  };
}

function answer(id: string, content: string, usage: ChatResult['usage']): ChatResult {
  return { provider_response_id: id, choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage };
}


const TOOL_CALLS: ChatResult = {
  provider_response_id: '4c3d7c1e-5c37-4b55-8e4b-0f4b3a6f0d21',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: '',
        tool_calls: [
          { id: 'get_weather_1byjy32y4hvq', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'get_weather_pnvt7q8ppbjs', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Berlin"}' } },
        ],
      },
      finish_reason: 'tool_calls',
    },
  ],
  usage: { prompt_tokens: 37, completion_tokens: 28, total_tokens: 65 },
};
const TEXT_USAGE = { prompt_tokens: 7, completion_tokens: 8, total_tokens: 15 };
const CACHED_USAGE = { prompt_tokens: 1843, completion_tokens: 8, total_tokens: 1851, cached_prompt_tokens: 1792 };

/** tool_result_round_trip's answer, and its history as the provider takes it; tool_history_without_tools shares them. */
const TOOL_RESULT_ANSWER = { reply: reply.json(COHERE_TOOL_RESULT_RESPONSE), expected: answer('0e4d5b6a-7d9c-4a34-8f1e-2f0a1b9c3d47', 'It is sunny and 18°C in Paris today.', { prompt_tokens: 62, completion_tokens: 13, total_tokens: 75 }) };
const TOOL_HISTORY = {
  model: MODEL,
  messages: [
    { role: 'user', content: 'What is the weather like in Paris today?' },
    { role: 'assistant', tool_calls: [{ id: CONFORMANCE_TOOL_CALL_ID, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
    { role: 'tool', tool_call_id: CONFORMANCE_TOOL_CALL_ID, content: '{"temperature":18,"unit":"celsius","conditions":"sunny"}' },
  ],
};

runConformanceSuite({
  name: 'cohere',
  createAdapter: (baseUrl) => cohereProviderFactory({ base_url: `${baseUrl}/v2` }, { COHERE_API_KEY: KEY }),
  apiKey: KEY,
  chatModel: MODEL,
  embedModel: EMBED_MODEL,
  routes: { chat: { path: CHAT_PATH }, stream: { path: CHAT_PATH }, embed: { path: EMBED_PATH } },
  scenarios: {
    single_turn_chat: {
      reply: reply.json(COHERE_TEXT_RESPONSE),
      expected: answer('c14c80c3-18eb-4519-9460-6c92edd8cfb4', 'The capital of France is Paris.', TEXT_USAGE),
      expectRequest: expectRequest(CHAT_PATH, QUESTION),
    },
    system_prompt: {
      reply: reply.json(COHERE_SYSTEM_RESPONSE),
      expected: answer('8d4bbd4f-b3c8-4d4b-9a06-3c2b2c3c5a8e', 'Paris is the capital of France.', { prompt_tokens: 21, completion_tokens: 8, total_tokens: 29 }),
      expectRequest: expectRequest(CHAT_PATH, {
        model: MODEL,
        messages: [
          { role: 'system', content: 'You are a terse geography tutor. Answer in one sentence.' },
          { role: 'user', content: 'What is the capital of France?' },
        ],
      }),
    },
    multi_turn: {
      reply: reply.json(COHERE_MULTI_TURN_RESPONSE),
      expected: answer('5a50480a-cf52-46f0-af01-53d18539bd31', 'The capital of Germany is Berlin.', { prompt_tokens: 21, completion_tokens: 8, total_tokens: 29 }),
      expectRequest: expectRequest(CHAT_PATH, {
        model: MODEL,
        messages: [
          { role: 'user', content: 'What is the capital of France?' },
          { role: 'assistant', content: 'The capital of France is Paris.' },
          { role: 'user', content: 'And of Germany?' },
        ],
      }),
    },
    stream_reassembles: {
      reply: reply.sse(COHERE_TEXT_STREAM),
      expected: answer('c14c80c3-18eb-4519-9460-6c92edd8cfb4', 'The capital of France is Paris.', TEXT_USAGE),
      expectRequest: expectRequest(CHAT_PATH, { ...QUESTION, stream: true }),
    },
    tool_call: {
      reply: reply.json(COHERE_TOOL_CALL_RESPONSE),
      expected: TOOL_CALLS,
      expectRequest: expectRequest(CHAT_PATH, WEATHER_QUESTION),
    },
    tool_call_stream: {
      reply: reply.sse(COHERE_TOOL_CALL_STREAM),
      expected: {
        ...TOOL_CALLS,
        choices: [
          {
            ...TOOL_CALLS.choices[0],
            message: {
              ...TOOL_CALLS.choices[0].message,
              tool_calls: [
                { id: 'get_weather_1byjy32y4hvq', type: 'function', function: { name: 'get_weather', arguments: '{\n    "city": "Paris"\n}' } },
                { id: 'get_weather_pnvt7q8ppbjs', type: 'function', function: { name: 'get_weather', arguments: '{\n    "city": "Berlin"\n}' } },
              ],
            },
          },
        ],
      },
      expectRequest: expectRequest(CHAT_PATH, { ...WEATHER_QUESTION, stream: true }),
    },
    tool_result_round_trip: {
      ...TOOL_RESULT_ANSWER,
      expectRequest: expectRequest(CHAT_PATH, {
        ...TOOL_HISTORY,
        tools: WEATHER_TOOLS,
      }),
    },
    // Chat v2 takes assistant tool_calls and tool messages without `tools`.
    tool_history_without_tools: {
      ...TOOL_RESULT_ANSWER,
      expectRequest: expectRequest(CHAT_PATH, {
        ...TOOL_HISTORY,
      }),
    },
    image_input: {
      url: {
        reply: reply.json(COHERE_IMAGE_RESPONSE),
        expected: answer('f2b9c6c8-1f2b-4a53-9b3c-6d2f0e6a1b29', 'The image shows a small transparent square.', { prompt_tokens: 1213, completion_tokens: 10, total_tokens: 1223 }),
        expectRequest: expectRequest(CHAT_PATH, {
          model: VISION_MODEL,
          messages: [{ role: 'user', content: [{ type: 'text', text: 'What is in this image?' }, { type: 'image_url', image_url: { url: CONFORMANCE_IMAGE_URL } }] }],
        }),
      },
      inline: {
        reply: reply.json(COHERE_IMAGE_RESPONSE),
        expected: answer('f2b9c6c8-1f2b-4a53-9b3c-6d2f0e6a1b29', 'The image shows a small transparent square.', { prompt_tokens: 1213, completion_tokens: 10, total_tokens: 1223 }),
        expectRequest: expectRequest(CHAT_PATH, {
          model: VISION_MODEL,
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'What is in this image?' },
                { type: 'image_url', image_url: { url: `data:image/png;base64,${CONFORMANCE_PNG_BASE64}` } },
              ],
            },
          ],
        }),
      },
    },
    // Billed units, with the prompt tokens that hit Cohere's inference cache (usage.cached_tokens) as cached prompt tokens.
    usage: {
      chat: { reply: reply.json(COHERE_CACHED_TEXT_RESPONSE), expected: CACHED_USAGE, expectRequest: expectRequest(CHAT_PATH, QUESTION) },
      stream: { reply: reply.sse(COHERE_CACHED_TEXT_STREAM), expected: CACHED_USAGE, expectRequest: expectRequest(CHAT_PATH, { ...QUESTION, stream: true }) },
    },
    embeddings: {
      reply: reply.json(COHERE_EMBED_RESPONSE),
      expected: {
        data: [
          { index: 0, embedding: COHERE_EMBED_RESPONSE.embeddings.float[0] },
          { index: 1, embedding: COHERE_EMBED_RESPONSE.embeddings.float[1] },
        ],
        usage: { prompt_tokens: 15, completion_tokens: 0, total_tokens: 15 },
      },
      expectRequest: expectRequest(EMBED_PATH, {
        model: EMBED_MODEL,
        texts: ['The food was delicious and the waiter was friendly.', 'The service was slow.'],
        input_type: 'search_document',
        embedding_types: ['float'],
      }),
    },
    ...cohereErrors(),
    timeout: true,
    connection_refused: true,
    malformed_json: { stream: reply.sse(COHERE_MALFORMED_STREAM) },
    truncated_stream: { reply: reply.sse(COHERE_TEXT_STREAM) },
  },
});

describe('cohere adapter', () => {
  let server: ReplayServer;
  const requests = conformanceRequests(MODEL, EMBED_MODEL);
  const signal = () => AbortSignal.timeout(10_000);

  beforeAll(async () => {
    server = await ReplayServer.start();
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it('fails a stream whose message-end reports an error, keeping the message', async () => {
    server.on('POST', CHAT_PATH, reply.sse(COHERE_ERROR_MID_STREAM));
    const adapter = createCohereProvider({ name: 'cohere', baseUrl: `${server.baseUrl}/v2/`, apiKey: KEY });
    const events: ChatStreamEvent[] = [];
    const failure = await (async () => {
      try {
        for await (const event of adapter.chatStream!(requests.stream_reassembles, { signal: signal() })) events.push(event);
      } catch (caught) {
        return caught;
      }
      throw new Error('the stream did not fail');
    })();
    expect(events.map((event) => event.content ?? '').join('')).toBe('The capital');
    expect(failure).toBeInstanceOf(GatewayError);
    expect(failure).toMatchObject({
      code: 'provider_unavailable',
      message: 'cohere reported an error mid-stream: internal server error, this has been reported to our developers',
    });
  });

  it('tolerates a trailing [DONE] event', async () => {
    server.on('POST', CHAT_PATH, reply.sse(`${COHERE_TEXT_STREAM}data: [DONE]\n\n`));
    const adapter = createCohereProvider({ name: 'cohere', baseUrl: `${server.baseUrl}/v2`, apiKey: KEY });
    const events: ChatStreamEvent[] = [];
    for await (const event of adapter.chatStream!(requests.stream_reassembles, { signal: signal() })) events.push(event);
    expect(events.map((event) => event.content ?? '').join('')).toBe('The capital of France is Paris.');
  });

  it('sends the configured embedding input_type and key variable', async () => {
    server.on('POST', EMBED_PATH, reply.json(COHERE_EMBED_RESPONSE));
    const adapter = cohereProviderFactory({ base_url: `${server.baseUrl}/v2`, api_key_env: 'MY_COHERE_KEY', embed_input_type: 'search_query' }, { MY_COHERE_KEY: 'co-other-key-5678' });
    await adapter.embed!(requests.embeddings, { signal: signal() });
    const request = server.onlyRequest();
    expect(request.headers.authorization).toBe('Bearer co-other-key-5678');
    expect(request.body).toMatchObject({ input_type: 'search_query' });
  });
});
