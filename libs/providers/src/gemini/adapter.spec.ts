import type { ChatResult } from '@switchyard/contracts';
import { GatewayError } from '@switchyard/contracts';
import type { ChatStreamEvent } from '../provider';
import { StreamAccumulator } from '../stream-accumulator';
import {
  CONFORMANCE_IMAGE_URL,
  CONFORMANCE_PNG_BASE64,
  conformanceRequests,
  reply,
  ReplayServer,
  runConformanceSuite,
  type RecordedRequest,
} from '../testing';
import { createGeminiProvider, geminiProviderFactory } from './adapter';
import {
  GEMINI_CACHED_RESPONSE,
  GEMINI_CACHED_STREAM,
  GEMINI_EMBED_RESPONSE,
  GEMINI_ERROR_MID_STREAM,
  geminiErrors,
  GEMINI_IMAGE_RESPONSE,
  GEMINI_MALFORMED_STREAM,
  GEMINI_MULTI_TURN_RESPONSE,
  GEMINI_SYSTEM_RESPONSE,
  GEMINI_TEXT_RESPONSE,
  GEMINI_TEXT_STREAM,
  GEMINI_TOOL_CALL_RESPONSE,
  GEMINI_TOOL_CALL_STREAM,
  GEMINI_TOOL_RESULT_RESPONSE,
} from './gemini.fixtures';

const KEY = 'AIzaSyD-test-9f8e7d6c5b4a3f2e1d0c';
const MODEL = 'gemini-2.5-flash';
const EMBED_MODEL = 'text-embedding-004';
const CHAT_PATH = `/v1beta/models/${MODEL}:generateContent`;
const STREAM_PATH = `/v1beta/models/${MODEL}:streamGenerateContent`;
const EMBED_PATH = `/v1beta/models/${EMBED_MODEL}:batchEmbedContents`;

/** The provider requests of the conformance scenarios, written out rather than produced by the translator. */
const QUESTION = { contents: [{ role: 'user', parts: [{ text: 'What is the capital of France?' }] }], generationConfig: { maxOutputTokens: 100, temperature: 0.2 } };
const WEATHER_TOOLS = [
  {
    functionDeclarations: [
      {
        name: 'get_weather',
        description: 'Get the current weather in a city',
        parametersJsonSchema: {
          type: 'object',
          properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
          required: ['city'],
        },
      },
    ],
  },
];
const PARIS_CALL_ID = 'call_b4ff2b7c8987e2412599d248';
const BERLIN_CALL_ID = 'call_ddbb2be4d9fbb5eee2700133';

function expectKeyInHeaderOnly(request: RecordedRequest): void {
  expect(request.headers['x-goog-api-key']).toBe(KEY);
  expect(request.headers.authorization).toBeUndefined();
  expect(request.rawBody).not.toContain(KEY);
  expect(JSON.stringify(request.query)).not.toContain(KEY);
}

function expectChat(body: unknown) {
  return (request: RecordedRequest) => {
    expect(request.path).toBe(CHAT_PATH);
    expect(request.query).toEqual({});
    expectKeyInHeaderOnly(request);
    expect(request.body).toEqual(body);
  };
}

function expectStream(body: unknown) {
  return (request: RecordedRequest) => {
    expect(request.path).toBe(STREAM_PATH);
    expect(request.query).toEqual({ alt: 'sse' });
    expectKeyInHeaderOnly(request);
    expect(request.body).toEqual(body);
  };
}

function answer(id: string, content: string, usage: ChatResult['usage']): ChatResult {
  return { provider_response_id: id, choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage };
}


const TEXT_USAGE = { prompt_tokens: 8, completion_tokens: 28, total_tokens: 36 };
const CACHED_USAGE = { prompt_tokens: 2152, completion_tokens: 37, total_tokens: 2189, cached_prompt_tokens: 2048 };

const TOOL_CALL_ANSWER: ChatResult = {
  provider_response_id: 'p5JmaPXlMsmMz7IPsLf9wQ4',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: '',
        tool_calls: [
          { id: PARIS_CALL_ID, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: BERLIN_CALL_ID, type: 'function', function: { name: 'get_weather', arguments: '{"city":"Berlin"}' } },
        ],
      },
      finish_reason: 'tool_calls',
    },
  ],
  usage: { prompt_tokens: 71, completion_tokens: 36, total_tokens: 107 },
};

const TOOL_CALL_REQUEST = {
  contents: [{ role: 'user', parts: [{ text: 'What is the weather like in Paris and in Berlin today?' }] }],
  tools: WEATHER_TOOLS,
  toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
};

/** tool_result_round_trip's answer, and its history as the provider takes it; tool_history_without_tools shares them. */
const TOOL_RESULT_ANSWER = { reply: reply.json(GEMINI_TOOL_RESULT_RESPONSE), expected: answer('q5JmaKvDOOKAz7IP-Ia0mA0', 'It is sunny and 18°C in Paris today.', { prompt_tokens: 95, completion_tokens: 12, total_tokens: 107 }) };
const TOOL_HISTORY = {
  contents: [
    { role: 'user', parts: [{ text: 'What is the weather like in Paris today?' }] },
    { role: 'model', parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }] },
    { role: 'user', parts: [{ functionResponse: { name: 'get_weather', response: { temperature: 18, unit: 'celsius', conditions: 'sunny' } } }] },
  ],
};

runConformanceSuite({
  name: 'gemini',
  createAdapter: (baseUrl) => geminiProviderFactory({ base_url: `${baseUrl}/v1beta` }, { GEMINI_API_KEY: KEY }),
  apiKey: KEY,
  chatModel: MODEL,
  embedModel: EMBED_MODEL,
  routes: { chat: { path: CHAT_PATH }, stream: { path: STREAM_PATH }, embed: { path: EMBED_PATH } },
  scenarios: {
    single_turn_chat: {
      reply: reply.json(GEMINI_TEXT_RESPONSE),
      expected: answer('mZJmaMnUGpWpz7IP-5-lqAo', 'The capital of France is Paris.', TEXT_USAGE),
      expectRequest: expectChat(QUESTION),
    },
    system_prompt: {
      reply: reply.json(GEMINI_SYSTEM_RESPONSE),
      expected: answer('nJJmaKXSBJ-Oz7IPpZGC8Qo', 'Paris is the capital of France.', { prompt_tokens: 22, completion_tokens: 7, total_tokens: 29 }),
      expectRequest: expectChat({
        systemInstruction: { parts: [{ text: 'You are a terse geography tutor. Answer in one sentence.' }] },
        contents: [{ role: 'user', parts: [{ text: 'What is the capital of France?' }] }],
      }),
    },
    multi_turn: {
      reply: reply.json(GEMINI_MULTI_TURN_RESPONSE),
      expected: answer('o5JmaJjcLeGiz7IPm4SxmQs', 'The capital of Germany is Berlin.', { prompt_tokens: 24, completion_tokens: 7, total_tokens: 31 }),
      expectRequest: expectChat({
        contents: [
          { role: 'user', parts: [{ text: 'What is the capital of France?' }] },
          { role: 'model', parts: [{ text: 'The capital of France is Paris.' }] },
          { role: 'user', parts: [{ text: 'And of Germany?' }] },
        ],
      }),
    },
    stream_reassembles: {
      reply: reply.sse(GEMINI_TEXT_STREAM),
      expected: answer('mZJmaMnUGpWpz7IP-5-lqAo', 'The capital of France is Paris.', TEXT_USAGE),
      expectRequest: expectStream(QUESTION),
    },
    tool_call: { reply: reply.json(GEMINI_TOOL_CALL_RESPONSE), expected: TOOL_CALL_ANSWER, expectRequest: expectChat(TOOL_CALL_REQUEST) },
    // Gemini streams each function call whole, in one chunk: the suite checks the calls arrive intact.
    tool_call_stream: {
      reply: reply.sse(GEMINI_TOOL_CALL_STREAM),
      expected: TOOL_CALL_ANSWER,
      expectRequest: expectStream(TOOL_CALL_REQUEST),
      argumentsArriveWhole: true,
    },
    tool_result_round_trip: {
      ...TOOL_RESULT_ANSWER,
      expectRequest: expectChat({
        ...TOOL_HISTORY,
        tools: WEATHER_TOOLS,
      }),
    },
    // Gemini takes functionCall and functionResponse parts in the history without function declarations.
    tool_history_without_tools: {
      ...TOOL_RESULT_ANSWER,
      expectRequest: expectChat({
        ...TOOL_HISTORY,
      }),
    },
    image_input: {
      url: {
        reply: reply.json(GEMINI_IMAGE_RESPONSE),
        expected: answer('r5JmaIHjFNeKz7IPwd2kkQw', 'The image shows a small transparent square.', { prompt_tokens: 265, completion_tokens: 9, total_tokens: 274 }),
        expectRequest: expectChat({
          contents: [{ role: 'user', parts: [{ text: 'What is in this image?' }, { fileData: { mimeType: 'image/png', fileUri: CONFORMANCE_IMAGE_URL } }] }],
        }),
      },
      inline: {
        reply: reply.json(GEMINI_IMAGE_RESPONSE),
        expected: answer('r5JmaIHjFNeKz7IPwd2kkQw', 'The image shows a small transparent square.', { prompt_tokens: 265, completion_tokens: 9, total_tokens: 274 }),
        expectRequest: expectChat({
          contents: [{ role: 'user', parts: [{ text: 'What is in this image?' }, { inlineData: { mimeType: 'image/png', data: CONFORMANCE_PNG_BASE64 } }] }],
        }),
      },
    },
    usage: {
      chat: { reply: reply.json(GEMINI_CACHED_RESPONSE), expected: CACHED_USAGE, expectRequest: expectChat(QUESTION) },
      stream: { reply: reply.sse(GEMINI_CACHED_STREAM), expected: CACHED_USAGE, expectRequest: expectStream(QUESTION) },
    },
    embeddings: {
      reply: reply.json(GEMINI_EMBED_RESPONSE),
      expected: {
        data: [
          { index: 0, embedding: GEMINI_EMBED_RESPONSE.embeddings[0].values },
          { index: 1, embedding: GEMINI_EMBED_RESPONSE.embeddings[1].values },
        ],
      },
      expectRequest: (request) => {
        expect(request.path).toBe(EMBED_PATH);
        expectKeyInHeaderOnly(request);
        expect(request.body).toEqual({
          requests: [
            { model: 'models/text-embedding-004', content: { parts: [{ text: 'The food was delicious and the waiter was friendly.' }] } },
            { model: 'models/text-embedding-004', content: { parts: [{ text: 'The service was slow.' }] } },
          ],
        });
      },
    },
    ...geminiErrors(),
    timeout: true,
    connection_refused: true,
    malformed_json: { stream: reply.sse(GEMINI_MALFORMED_STREAM) },
    truncated_stream: { reply: reply.sse(GEMINI_TEXT_STREAM) },
  },
});

describe('gemini adapter', () => {
  let server: ReplayServer;
  const adapter = () => createGeminiProvider({ name: 'gemini', baseUrl: `${server.baseUrl}/v1beta/`, apiKey: KEY });
  const requests = conformanceRequests(MODEL, EMBED_MODEL);
  const signal = () => AbortSignal.timeout(10_000);

  beforeAll(async () => {
    server = await ReplayServer.start();
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  async function collect(stream: AsyncIterable<ChatStreamEvent>): Promise<ChatStreamEvent[]> {
    const events: ChatStreamEvent[] = [];
    for await (const event of stream) events.push(event);
    return events;
  }

  it('streams whole function calls with the ids and finish reason of the unstreamed answer', async () => {
    server.on('POST', STREAM_PATH, reply.sse(GEMINI_TOOL_CALL_STREAM));
    const events = await collect(adapter().chatStream!(requests.tool_call_stream, { signal: signal() }));
    const accumulator = new StreamAccumulator();
    for (const event of events) accumulator.add(event);
    server.reset();
    server.on('POST', CHAT_PATH, reply.json(GEMINI_TOOL_CALL_RESPONSE));
    const whole = await adapter().chat!(requests.tool_call, { signal: signal() });
    expect(accumulator.result()).toEqual(whole);
    expect(whole.choices[0].message.tool_calls?.map((call) => call.id)).toEqual([PARIS_CALL_ID, BERLIN_CALL_ID]);
  });

  it('fails a stream that reports an error after it started, keeping the message and status', async () => {
    server.on('POST', STREAM_PATH, reply.sse(GEMINI_ERROR_MID_STREAM));
    const events: ChatStreamEvent[] = [];
    const failure = await (async () => {
      try {
        for await (const event of adapter().chatStream!(requests.stream_reassembles, { signal: signal() })) events.push(event);
      } catch (caught) {
        return caught;
      }
      throw new Error('the stream did not fail');
    })();
    expect(events.map((event) => event.content).join('')).toBe('The capital');
    expect(failure).toBeInstanceOf(GatewayError);
    expect(failure).toMatchObject({ code: 'provider_unavailable', providerStatus: 503, message: 'gemini reported an error mid-stream: The model is overloaded. Please try again later.' });
  });

  it('reads the key from the configured environment variable', async () => {
    server.on('POST', CHAT_PATH, reply.json(GEMINI_TEXT_RESPONSE));
    const configured = geminiProviderFactory({ base_url: `${server.baseUrl}/v1beta`, api_key_env: 'MY_GEMINI_KEY' }, { MY_GEMINI_KEY: 'AIza-other-key-1234' });
    await configured.chat!(requests.single_turn_chat, { signal: signal() });
    expect(server.onlyRequest().headers['x-goog-api-key']).toBe('AIza-other-key-1234');
  });
});
