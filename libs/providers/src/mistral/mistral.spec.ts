import { join } from 'node:path';
import { GatewayError } from '@switchyard/contracts';
import { MISTRAL_ERROR_MESSAGES, MISTRAL_RETRY_AFTER_MS } from './mistral.fixtures';
import { errorFixtures, expectCall, fixtureJson, fixtureText, openAIWireRequests } from '../openai-compatible/testing';
import { ReplayServer, reply, runConformanceSuite, type RecordedRequest } from '../testing';
import { mistralProviderFactory } from './index';

const KEY = 'mistral-test-key-0c8e5b2a7f41';
const DIR = join(__dirname, 'fixtures');
const json = (name: string) => reply.json(fixtureJson(DIR, name));
const sse = (name: string) => reply.sse(fixtureText(DIR, name));
const expectHeaders = (request: RecordedRequest) => expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
// Mistral's dialect of the OpenAI body: max_tokens, and no stream_options (its streams always end with usage).
const wire = openAIWireRequests({ model: 'mistral-small-latest', embedModel: 'mistral-embed', maxTokensField: 'max_tokens', streamFields: { stream: true } });
const call = (body: unknown) => expectCall(body, expectHeaders);
const answer = (id: string, content: string, usage: [number, number, number]) => ({
  provider_response_id: id,
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  usage: { prompt_tokens: usage[0], completion_tokens: usage[1], total_tokens: usage[2] },
});
const TOOL_CALLS = [
  { id: 'D681PevKs', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } },
  { id: 'Xy7Qm2LpZ', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Berlin"}' } },
];
const toolAnswer = (id: string) => ({
  provider_response_id: id,
  choices: [{ index: 0, message: { role: 'assistant', content: '', tool_calls: TOOL_CALLS }, finish_reason: 'tool_calls' }],
  usage: { prompt_tokens: 118, completion_tokens: 40, total_tokens: 158 },
});
const image = answer('7e6d5c4b3a2f4e1d0c9b8a7f6e5d4c3b', 'The image shows a pair of dice on a transparent, checkered background.', [1190, 16, 1206]);

runConformanceSuite({
  name: 'mistral',
  createAdapter: (baseUrl) => mistralProviderFactory({ base_url: `${baseUrl}/v1` }, { MISTRAL_API_KEY: KEY }),
  apiKey: KEY,
  chatModel: 'mistral-small-latest',
  embedModel: 'mistral-embed',
  routes: { chat: { path: '/v1/chat/completions' }, stream: { path: '/v1/chat/completions' }, embed: { path: '/v1/embeddings' } },
  scenarios: {
    single_turn_chat: {
      reply: json('chat-single-turn.json'),
      expected: answer('cf79f7daaee244b1a0ae5c7b1444424a', 'The capital of France is Paris.', [10, 8, 18]),
      expectRequest: call(wire.single_turn_chat),
    },
    system_prompt: {
      reply: json('chat-system-prompt.json'),
      expected: answer('0a6f2f9c5d1e4b7c8a3e2d1f0b9c8d7e', 'Paris is the capital of France.', [24, 8, 32]),
      expectRequest: call(wire.system_prompt),
    },
    multi_turn: {
      reply: json('chat-multi-turn.json'),
      expected: answer('5b8e1d2c3a4f4e6d9c7b0a1f2e3d4c5b', 'The capital of Germany is Berlin.', [29, 8, 37]),
      expectRequest: call(wire.multi_turn),
    },
    stream_reassembles: {
      reply: sse('stream-text.sse'),
      expected: answer('f798ebd5c41a45d88bb079635121cade', 'The capital of France is Paris.', [10, 8, 18]),
      expectRequest: call(wire.stream),
    },
    tool_call: { reply: json('chat-tool-calls.json'), expected: toolAnswer('8d1f0e6a2b3c4d5e9f7a6b5c4d3e2f1a'), expectRequest: call(wire.tool_call) },
    tool_call_stream: {
      reply: sse('stream-tool-calls.sse'),
      expected: toolAnswer('9a8b7c6d5e4f4a3b2c1d0e9f8a7b6c5d'),
      expectRequest: call(wire.tool_call_stream),
      argumentsArriveWhole: true,
    },
    tool_result_round_trip: {
      reply: json('chat-tool-result.json'),
      expected: answer('3c2b1a0f9e8d4c7b6a5f4e3d2c1b0a9f', 'It is sunny in Paris today, at 18 °C.', [141, 15, 156]),
      expectRequest: call(wire.tool_result_round_trip),
    },
    tool_history_without_tools: {
      reply: json('chat-tool-result.json'),
      expected: answer('3c2b1a0f9e8d4c7b6a5f4e3d2c1b0a9f', 'It is sunny in Paris today, at 18 °C.', [141, 15, 156]),
      expectRequest: call(wire.tool_history_without_tools),
    },
    image_input: {
      url: { reply: json('chat-image.json'), expected: image, expectRequest: call(wire.image_url) },
      inline: { reply: json('chat-image.json'), expected: image, expectRequest: call(wire.image_inline) },
    },
    usage: {
      chat: { reply: json('chat-single-turn.json'), expected: { prompt_tokens: 10, completion_tokens: 8, total_tokens: 18 } },
      stream: { reply: sse('stream-text.sse'), expected: { prompt_tokens: 10, completion_tokens: 8, total_tokens: 18 } },
    },
    embeddings: {
      reply: json('embeddings.json'),
      expected: {
        data: [
          { index: 0, embedding: [-0.0165863037109375, 0.07012939453125, 0.031494140625, 0.013092041015625] },
          { index: 1, embedding: [0.020416259765625, 0.00977325439453125, 0.0256195068359375, 0.0021114349365234375] },
        ],
        usage: { prompt_tokens: 17, completion_tokens: 0, total_tokens: 17 },
      },
      expectRequest: call(wire.embeddings),
    },
    ...errorFixtures(DIR, 'errors.json', MISTRAL_ERROR_MESSAGES, MISTRAL_RETRY_AFTER_MS),
    timeout: true,
    connection_refused: true,
    malformed_json: { stream: sse('stream-malformed.sse') },
    truncated_stream: { reply: sse('stream-text.sse') },
  },
});

describe('mistral dialect', () => {
  let server: ReplayServer;
  beforeAll(async () => {
    server = await ReplayServer.start();
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());
  const options = () => ({ signal: AbortSignal.timeout(5000) });

  it('sends random_seed, tool_choice "any" and safe_prompt, and no user', async () => {
    server.on('POST', '/v1/chat/completions', json('chat-tool-calls.json'));
    const adapter = mistralProviderFactory({ base_url: `${server.baseUrl}/v1`, safe_prompt: true }, { MISTRAL_API_KEY: KEY });
    await adapter.chat!(
      {
        model: 'mistral-small-latest',
        messages: [{ role: 'user', content: 'Weather in Paris?' }],
        seed: 42,
        user: 'user-123',
        tools: [{ type: 'function', function: { name: 'get_weather', parameters_json: '{"type":"object"}' } }],
        tool_choice: { mode: 'required' },
      },
      options(),
    );
    expect(server.onlyRequest().body).toEqual({
      model: 'mistral-small-latest',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
      tool_choice: 'any',
      random_seed: 42,
      safe_prompt: true,
    });
  });

  it('asks for embedding dimensions as output_dimension', async () => {
    server.on('POST', '/v1/embeddings', json('embeddings.json'));
    const adapter = mistralProviderFactory({ base_url: `${server.baseUrl}/v1` }, { MISTRAL_API_KEY: KEY });
    await adapter.embed!({ model: 'codestral-embed', input: ['x'], dimensions: 256, user: 'user-123' }, options());
    expect(server.onlyRequest().body).toEqual({ model: 'codestral-embed', input: ['x'], encoding_format: 'float', output_dimension: 256 });
  });

  it('keeps the field errors of its 422 validation answer', async () => {
    server.on(
      'POST',
      '/v1/chat/completions',
      reply.error(422, {
        object: 'error',
        message: { detail: [{ type: 'missing', loc: ['body', 'messages'], msg: 'Field required', input: {} }] },
        type: 'invalid_request_message_error',
        param: null,
        code: null,
      }),
    );
    const adapter = mistralProviderFactory({ base_url: `${server.baseUrl}/v1` }, { MISTRAL_API_KEY: KEY });
    const error = await adapter.chat!({ model: 'mistral-small-latest', messages: [] }, options()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('provider_invalid_request');
    expect((error as GatewayError).message).toBe('mistral returned 422: body.messages: Field required');
  });
});
