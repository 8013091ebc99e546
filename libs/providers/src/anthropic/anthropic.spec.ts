import { GatewayError, type ChatResult } from '@switchyard/contracts';
import type { ProviderAdapter } from '../provider';
import { PROVIDER_FACTORIES } from '../registry';
import {
  CONFORMANCE_IMAGE_URL,
  CONFORMANCE_PNG_BASE64,
  CONFORMANCE_TOOL_CALL_ID,
  ReplayServer,
  reply,
  runConformanceSuite,
  unsupported,
  type RecordedRequest,
} from '../testing';
import {
  ANTHROPIC_HTTP_ERRORS,
  ANTHROPIC_OVERLOADED_MID_STREAM,
  ANTHROPIC_TEXT_STREAM,
  ANTHROPIC_TOOL_STREAM,
  ANTHROPIC_TOOL_STREAM_ARGUMENTS,
  anthropicErrorBody,
  sse,
} from './anthropic.fixtures';
import { anthropicProviderFactory } from './index';

const KEY = 'sk-ant-api03-test-7c1e9a4b2d6f8e0a';
const MODEL = 'claude-sonnet-4-5';
const PATH = '/v1/messages';
const ID = 'msg_01XFDUDYJgAACzvnptvVoYEL';
const PARIS = 'The capital of France is Paris.';

const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Get the current weather in a city',
  input_schema: {
    type: 'object',
    properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
    required: ['city'],
  },
};

function createAdapter(baseUrl: string): ProviderAdapter {
  return anthropicProviderFactory({ base_url: `${baseUrl}/v1` }, { ANTHROPIC_API_KEY: KEY });
}

/** Asserts the documented headers and the exact JSON body of the one request sent. */
function expectMessagesRequest(body: unknown) {
  return (request: RecordedRequest) => {
    expect(request.method).toBe('POST');
    expect(request.headers['x-api-key']).toBe(KEY);
    expect(request.headers['anthropic-version']).toBe('2023-06-01');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.body).toEqual(body);
  };
}

function message(content: unknown[], stopReason: string, usage: object = { input_tokens: 14, output_tokens: 10 }) {
  return { id: ID, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929', content, stop_reason: stopReason, stop_sequence: null, usage };
}

function textResult(text: string, usage = { prompt_tokens: 14, completion_tokens: 10, total_tokens: 24 }): ChatResult {
  return { provider_response_id: ID, choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage };
}

const question = { model: MODEL, max_tokens: 100, messages: [{ role: 'user', content: 'What is the capital of France?' }], temperature: 0.2 };
const weatherQuestion = {
  model: MODEL,
  max_tokens: 4096,
  messages: [{ role: 'user', content: 'What is the weather like in Paris and in Berlin today?' }],
  tools: [WEATHER_TOOL],
  tool_choice: { type: 'auto' },
};

const parisStream = sse([
  ['message_start', `{"type":"message_start","message":{"id":"${ID}","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":14,"output_tokens":1}}}`],
  ['content_block_start', '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}'],
  ['ping', '{"type": "ping"}'],
  ['content_block_delta', '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"The capital"}}'],
  ['content_block_delta', '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" of France is"}}'],
  ['content_block_delta', '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" Paris."}}'],
  ['content_block_stop', '{"type":"content_block_stop","index":0}'],
  ['message_delta', '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":10}}'],
  ['message_stop', '{"type":"message_stop"}'],
]);

const cachedUsage = { input_tokens: 14, cache_creation_input_tokens: 1552, cache_read_input_tokens: 2048, output_tokens: 10 };
const cachedUnified = { prompt_tokens: 14 + 1552 + 2048, completion_tokens: 10, total_tokens: 3624, cached_prompt_tokens: 2048, cache_creation_prompt_tokens: 1552 };

const toolArgs = { paris: '{"city": "Paris", "unit": "celsius"}', berlin: '{"city": "Berlin", "unit": "celsius"}' };
const toolStream = sse([
  ['message_start', `{"type":"message_start","message":{"id":"${ID}","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":2}}}`],
  ['content_block_start', '{"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}'],
  ['content_block_delta', '{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":""}}'],
  ['content_block_delta', '{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\\"city\\": \\"Par"}}'],
  ['content_block_delta', '{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"is\\", \\"unit\\": \\"cel"}}'],
  ['content_block_delta', '{"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"sius\\"}"}}'],
  ['content_block_stop', '{"type":"content_block_stop","index":0}'],
  ['content_block_start', '{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01Bv6y3cDk2Fz8pQrS4tUvWx","name":"get_weather","input":{}}}'],
  ['content_block_delta', '{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"city\\": \\"Berlin\\", "}}'],
  ['content_block_delta', '{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"\\"unit\\": \\"celsius\\"}"}}'],
  ['content_block_stop', '{"type":"content_block_stop","index":1}'],
  ['message_delta', '{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}'],
  ['message_stop', '{"type":"message_stop"}'],
]);

const errorFixture = (status: number) => {
  const documented = ANTHROPIC_HTTP_ERRORS.find((error) => error.status === status)!;
  const headers: Record<string, string> = status === 429 ? { 'retry-after': '30' } : {};
  return { reply: reply.error(status, anthropicErrorBody(documented.type, documented.message), headers), message: documented.message };
};

/** tool_result_round_trip's answer, and its history as the provider takes it; tool_history_without_tools shares them. */
const TOOL_RESULT_ANSWER = { reply: reply.json(message([{ type: 'text', text: 'It is 18 °C and sunny in Paris today.' }], 'end_turn')), expected: textResult('It is 18 °C and sunny in Paris today.') };
const TOOL_HISTORY = {
  model: MODEL,
  max_tokens: 4096,
  messages: [
    { role: 'user', content: 'What is the weather like in Paris today?' },
    { role: 'assistant', content: [{ type: 'tool_use', id: CONFORMANCE_TOOL_CALL_ID, name: 'get_weather', input: { city: 'Paris' } }] },
    {
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: CONFORMANCE_TOOL_CALL_ID, content: '{"temperature":18,"unit":"celsius","conditions":"sunny"}' }],
    },
  ],
};

runConformanceSuite({
  name: 'anthropic',
  createAdapter,
  apiKey: KEY,
  chatModel: MODEL,
  routes: { chat: { path: PATH }, stream: { path: PATH } },
  scenarios: {
    single_turn_chat: {
      reply: reply.json(message([{ type: 'text', text: PARIS }], 'end_turn')),
      expected: textResult(PARIS),
      expectRequest: expectMessagesRequest(question),
    },
    system_prompt: {
      reply: reply.json(message([{ type: 'text', text: 'Paris is the capital of France.' }], 'end_turn')),
      expected: textResult('Paris is the capital of France.'),
      expectRequest: expectMessagesRequest({
        model: MODEL,
        max_tokens: 4096,
        messages: [{ role: 'user', content: 'What is the capital of France?' }],
        system: 'You are a terse geography tutor. Answer in one sentence.',
      }),
    },
    multi_turn: {
      reply: reply.json(message([{ type: 'text', text: 'The capital of Germany is Berlin.' }], 'end_turn')),
      expected: textResult('The capital of Germany is Berlin.'),
      expectRequest: expectMessagesRequest({
        model: MODEL,
        max_tokens: 4096,
        messages: [
          { role: 'user', content: 'What is the capital of France?' },
          { role: 'assistant', content: PARIS },
          { role: 'user', content: 'And of Germany?' },
        ],
      }),
    },
    stream_reassembles: {
      reply: reply.sse(parisStream),
      expected: textResult(PARIS),
      expectRequest: expectMessagesRequest({ ...question, stream: true }),
    },
    tool_call: {
      reply: reply.json(
        message(
          [
            { type: 'tool_use', id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather', input: { city: 'Paris', unit: 'celsius' } },
            { type: 'tool_use', id: 'toolu_01Bv6y3cDk2Fz8pQrS4tUvWx', name: 'get_weather', input: { city: 'Berlin', unit: 'celsius' } },
          ],
          'tool_use',
          { input_tokens: 472, output_tokens: 89 },
        ),
      ),
      expected: {
        provider_response_id: ID,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: '',
              tool_calls: [
                { id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' } },
                { id: 'toolu_01Bv6y3cDk2Fz8pQrS4tUvWx', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Berlin","unit":"celsius"}' } },
              ],
            },
            finish_reason: 'tool_calls',
          },
        ],
        usage: { prompt_tokens: 472, completion_tokens: 89, total_tokens: 561 },
      },
      expectRequest: expectMessagesRequest(weatherQuestion),
    },
    tool_call_stream: {
      reply: reply.sse(toolStream),
      expected: {
        provider_response_id: ID,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: '',
              tool_calls: [
                { id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: toolArgs.paris } },
                { id: 'toolu_01Bv6y3cDk2Fz8pQrS4tUvWx', type: 'function', function: { name: 'get_weather', arguments: toolArgs.berlin } },
              ],
            },
            finish_reason: 'tool_calls',
          },
        ],
        usage: { prompt_tokens: 472, completion_tokens: 89, total_tokens: 561 },
      },
      expectRequest: expectMessagesRequest({ ...weatherQuestion, stream: true }),
    },
    tool_result_round_trip: {
      ...TOOL_RESULT_ANSWER,
      expectRequest: expectMessagesRequest({
        ...TOOL_HISTORY,
        tools: [WEATHER_TOOL],
      }),
    },
    // The Messages API refuses tool_use and tool_result blocks in a request that defines no tools: the
    // tools the history called are defined, and tool_choice none keeps the model from calling them.
    tool_history_without_tools: {
      ...TOOL_RESULT_ANSWER,
      expectRequest: expectMessagesRequest({
        ...TOOL_HISTORY,
        tools: [{ name: 'get_weather', description: 'Called earlier in this conversation; not available on this turn.', input_schema: { type: 'object' } }],
        tool_choice: { type: 'none' },
      }),
    },
    image_input: {
      url: {
        reply: reply.json(message([{ type: 'text', text: 'A pair of dice.' }], 'end_turn')),
        expected: textResult('A pair of dice.'),
        expectRequest: expectMessagesRequest({
          model: MODEL,
          max_tokens: 4096,
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'What is in this image?' },
                { type: 'image', source: { type: 'url', url: CONFORMANCE_IMAGE_URL } },
              ],
            },
          ],
        }),
      },
      inline: {
        reply: reply.json(message([{ type: 'text', text: 'A single transparent pixel.' }], 'end_turn')),
        expected: textResult('A single transparent pixel.'),
        expectRequest: expectMessagesRequest({
          model: MODEL,
          max_tokens: 4096,
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'What is in this image?' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: CONFORMANCE_PNG_BASE64 } },
              ],
            },
          ],
        }),
      },
    },
    usage: {
      chat: { reply: reply.json(message([{ type: 'text', text: PARIS }], 'end_turn', cachedUsage)), expected: cachedUnified, expectRequest: expectMessagesRequest(question) },
      stream: {
        reply: reply.sse(
          sse([
            ['message_start', `{"type":"message_start","message":{"id":"${ID}","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":14,"cache_creation_input_tokens":1552,"cache_read_input_tokens":2048,"output_tokens":1}}}`],
            ['content_block_start', '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}'],
            ['content_block_delta', `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"${PARIS}"}}`],
            ['content_block_stop', '{"type":"content_block_stop","index":0}'],
            ['message_delta', '{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":10}}'],
            ['message_stop', '{"type":"message_stop"}'],
          ]),
        ),
        expected: cachedUnified,
        expectRequest: expectMessagesRequest({ ...question, stream: true }),
      },
    },
    embeddings: unsupported('Anthropic has no embeddings API; the adapter has no embed method'),
    error_400: errorFixture(400),
    error_401: errorFixture(401),
    error_403: errorFixture(403),
    error_404: errorFixture(404),
    error_408: unsupported('Anthropic documents no 408; its own timeout is 504 timeout_error, covered in anthropic.spec.ts'),
    error_413: errorFixture(413),
    error_429: { ...errorFixture(429), retryAfterMs: 30_000 },
    error_500: errorFixture(500),
    error_503: unsupported('Anthropic documents no 503; it signals overload with 529 overloaded_error, covered in anthropic.spec.ts'),
    timeout: true,
    connection_refused: true,
    malformed_json: {
      stream: reply.sse(
        sse([
          ['message_start', `{"type":"message_start","message":{"id":"${ID}","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":14,"output_tokens":1}}}`],
          ['content_block_delta', '{"type":"content_block_delta","index":0,"delta":{"type":"text_de'],
          ['message_stop', '{"type":"message_stop"}'],
        ]),
      ),
    },
    truncated_stream: { reply: reply.sse(parisStream) },
  },
});

describe('anthropic adapter', () => {
  let server: ReplayServer;
  let adapter: ProviderAdapter;
  const signal = () => AbortSignal.timeout(10_000);
  const request = { model: MODEL, messages: [{ role: 'user', content: 'Hello' }] };

  beforeAll(async () => {
    server = await ReplayServer.start();
    adapter = createAdapter(server.baseUrl);
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  async function failure(promise: Promise<unknown>): Promise<GatewayError> {
    const error = await promise.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }

  async function drain(stream: AsyncIterable<unknown>): Promise<void> {
    for await (const _event of stream);
  }

  it.each([
    [529, 'overloaded_error', 'Overloaded', 'provider_unavailable'],
    [504, 'timeout_error', 'Request timed out', 'provider_timeout'],
  ])('maps a %s %s answer (%s) to %s, keeping the message', async (status, type, text, code) => {
    server.on('POST', PATH, reply.error(status, anthropicErrorBody(type, text)));
    const error = await failure(adapter.chat!(request, { signal: signal() }));
    expect(error).toMatchObject({ code, providerStatus: status, message: `anthropic returned ${status}: ${text}` });
  });

  it('fails a stream with provider_unavailable on a mid-stream overloaded_error event', async () => {
    server.on('POST', PATH, reply.sse(ANTHROPIC_OVERLOADED_MID_STREAM));
    const error = await failure(drain(adapter.chatStream!(request, { signal: signal() })));
    expect(error).toMatchObject({ code: 'provider_unavailable', message: 'anthropic reported an error mid-stream: overloaded_error: Overloaded' });
  });

  // Regression: streamed tool input must reach the caller byte for byte, even when fragments split a
  // \u escape and quoted text across events and the events are split across TCP reads.
  it('reassembles the documented tool-use stream into the exact tool arguments', async () => {
    server.on('POST', PATH, reply.sse(ANTHROPIC_TOOL_STREAM, { chunkSize: 5 }));
    const calls: string[] = [];
    for await (const event of adapter.chatStream!(request, { signal: signal() })) {
      for (const call of event.tool_calls ?? []) calls.push(call.function?.arguments ?? '');
    }
    expect(calls.join('')).toBe(ANTHROPIC_TOOL_STREAM_ARGUMENTS);
  });

  it('reads the documented text stream, pings included', async () => {
    server.on('POST', PATH, reply.sse(ANTHROPIC_TEXT_STREAM));
    let text = '';
    for await (const event of adapter.chatStream!(request, { signal: signal() })) text += event.content ?? '';
    expect(text).toBe('Hi! My name is Claude.');
  });

  it('sends no x-api-key when no key is configured, and never puts a key in the body', async () => {
    const keyless = anthropicProviderFactory({ base_url: `${server.baseUrl}/v1` }, {});
    server.on('POST', PATH, reply.json(message([{ type: 'text', text: 'ok' }], 'end_turn')));
    await keyless.chat!(request, { signal: signal() });
    expect(server.onlyRequest().headers['x-api-key']).toBeUndefined();
    expect(server.onlyRequest().rawBody).not.toContain(KEY);
  });

  it('sends a JSON Schema response format as output_config and returns the JSON text it answers', async () => {
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
    server.on('POST', PATH, reply.json(message([{ type: 'text', text: '{"city":"Paris"}' }], 'end_turn')));
    const result = await adapter.chat!(
      { ...request, response_format: { type: 'json_schema', json_schema_name: 'place', json_schema: JSON.stringify(schema) } },
      { signal: signal() },
    );
    expect((server.onlyRequest().body as { output_config: unknown }).output_config).toEqual({ format: { type: 'json_schema', schema } });
    expect(result.choices[0].message.content).toBe('{"city":"Paris"}');
  });

  it('refuses a JSON object response format without calling Anthropic', async () => {
    const error = await failure(adapter.chat!({ ...request, response_format: { type: 'json_object' } }, { signal: signal() }));
    expect(error.code).toBe('unsupported_capability');
    expect(server.requests).toHaveLength(0);
  });

  it('uses default_max_tokens from the provider block', async () => {
    const configured = anthropicProviderFactory({ base_url: `${server.baseUrl}/v1`, default_max_tokens: 8192 }, { ANTHROPIC_API_KEY: KEY });
    server.on('POST', PATH, reply.json(message([{ type: 'text', text: 'ok' }], 'end_turn')));
    await configured.chat!(request, { signal: signal() });
    expect((server.onlyRequest().body as { max_tokens: number }).max_tokens).toBe(8192);
  });

  it('has no embed method', () => {
    expect(adapter.embed).toBeUndefined();
  });

  it('is registered under "anthropic"', () => {
    expect(PROVIDER_FACTORIES.anthropic).toBe(anthropicProviderFactory);
  });
});
