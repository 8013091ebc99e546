import { join } from 'node:path';
import type { ChatResult } from '@switchyard/contracts';
import { errorFixtures, expectCall, fixtureJson, fixtureText, openAIWireRequests } from '../openai-compatible/testing';
import { ReplayServer, reply, runConformanceSuite, type RecordedRequest } from '../testing';
import { AZURE_OPENAI_DEFAULT_API_VERSION, azureOpenAIProviderFactory } from './index';

const KEY = '3f9a1c7e5b2d4f8a9c0e1b2d3f4a5c6e';
const DIR = join(__dirname, 'fixtures');
const json = (name: string) => reply.json(fixtureJson(DIR, name));
const sse = (name: string) => reply.sse(fixtureText(DIR, name));
// The gateway's model names map onto the resource's deployment names.
const CONFIG = { deployments: { 'gpt-4o-mini': 'gpt-4o-mini-prod', 'text-embedding-3-small': 'embeddings-small' } };
const expectAzureCall = (request: RecordedRequest) => {
  expect(request.headers['api-key']).toBe(KEY);
  expect(request.headers.authorization).toBeUndefined();
  expect(request.query).toEqual({ 'api-version': AZURE_OPENAI_DEFAULT_API_VERSION });
};
const wire = openAIWireRequests({
  model: 'gpt-4o-mini',
  embedModel: 'text-embedding-3-small',
  maxTokensField: 'max_tokens',
  streamFields: { stream: true, stream_options: { include_usage: true } },
});
const call = (body: unknown) => expectCall(body, expectAzureCall);
const answer = (id: string, content: string, usage: [number, number, number]): ChatResult => ({
  provider_response_id: id,
  choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
  usage: { prompt_tokens: usage[0], completion_tokens: usage[1], total_tokens: usage[2] },
});
const TOOL_CALLS = [
  { id: 'call_Ke2Lr8Tq4Wm6Ys1Xv9Bn3Cz5', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } },
  { id: 'call_Pq7Hj1Ud3Fg5Ka9Lz2Xc4Vb6', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Berlin"}' } },
];
const toolAnswer = (id: string): ChatResult => ({
  provider_response_id: id,
  choices: [{ index: 0, message: { role: 'assistant', content: '', tool_calls: TOOL_CALLS }, finish_reason: 'tool_calls' }],
  usage: { prompt_tokens: 82, completion_tokens: 46, total_tokens: 128 },
});
const image = answer('chatcmpl-BAz1zC6v9Bn2Mq5We8Rt1Yu4Io7Pa', 'The image shows a pair of dice on a transparent, checkered background.', [8514, 16, 8530]);
const CACHED_USAGE = { prompt_tokens: 2006, completion_tokens: 300, total_tokens: 2306, cached_prompt_tokens: 1920 };

runConformanceSuite({
  name: 'azure-openai',
  createAdapter: (baseUrl) => azureOpenAIProviderFactory({ base_url: baseUrl, ...CONFIG }, { AZURE_OPENAI_API_KEY: KEY }),
  apiKey: KEY,
  chatModel: 'gpt-4o-mini',
  embedModel: 'text-embedding-3-small',
  routes: {
    chat: { path: '/openai/deployments/gpt-4o-mini-prod/chat/completions' },
    stream: { path: '/openai/deployments/gpt-4o-mini-prod/chat/completions' },
    embed: { path: '/openai/deployments/embeddings-small/embeddings' },
  },
  scenarios: {
    single_turn_chat: {
      reply: json('chat-single-turn.json'),
      expected: answer('chatcmpl-BAz1Lq4m7x2vYt9Kp3Rw8Ns5Jd6Hf', 'The capital of France is Paris.', [14, 8, 22]),
      expectRequest: call(wire.single_turn_chat),
    },
    system_prompt: {
      reply: json('chat-system-prompt.json'),
      expected: answer('chatcmpl-BAz1Tg8r2Wq5Zn1Xc7Vb4Mk9Pl3Jh', 'Paris is the capital of France.', [31, 8, 39]),
      expectRequest: call(wire.system_prompt),
    },
    multi_turn: {
      reply: json('chat-multi-turn.json'),
      expected: answer('chatcmpl-BAz1bD3s6Fh9Jk2Lq5Wr8Ty1Ui4Op', 'The capital of Germany is Berlin.', [37, 8, 45]),
      expectRequest: call(wire.multi_turn),
    },
    stream_reassembles: {
      reply: sse('stream-text.sse'),
      expected: answer('chatcmpl-BAz2NTy8Ui1Op4As7Df0Gh3Jk6Lz9X', 'The capital of France is Paris.', [14, 8, 22]),
      expectRequest: call(wire.stream),
    },
    tool_call: { reply: json('chat-tool-calls.json'), expected: toolAnswer('chatcmpl-BAz1jN7c0Vb3Mx6Zq9Aw2Se5Dr8Tf'), expectRequest: call(wire.tool_call) },
    tool_call_stream: {
      reply: sse('stream-tool-calls.sse'),
      expected: toolAnswer('chatcmpl-BAz2dDf6Gh9Jk2Lz5Xc8Vb1Nm4Qw7E'),
      expectRequest: call(wire.tool_call_stream),
    },
    tool_result_round_trip: {
      reply: json('chat-tool-result.json'),
      expected: answer('chatcmpl-BAz1rY2u5Io8Pa1Sd4Fg7Hj0Kl3Zx', 'It is sunny in Paris today, at 18 °C.', [109, 14, 123]),
      expectRequest: call(wire.tool_result_round_trip),
    },
    tool_history_without_tools: {
      reply: json('chat-tool-result.json'),
      expected: answer('chatcmpl-BAz1rY2u5Io8Pa1Sd4Fg7Hj0Kl3Zx', 'It is sunny in Paris today, at 18 °C.', [109, 14, 123]),
      expectRequest: call(wire.tool_history_without_tools),
    },
    image_input: {
      url: { reply: json('chat-image.json'), expected: image, expectRequest: call(wire.image_url) },
      inline: { reply: json('chat-image.json'), expected: image, expectRequest: call(wire.image_inline) },
    },
    usage: {
      chat: { reply: json('chat-usage-cached.json'), expected: CACHED_USAGE },
      stream: { reply: sse('stream-usage-cached.sse'), expected: CACHED_USAGE },
    },
    embeddings: {
      reply: json('embeddings.json'),
      expected: {
        data: [
          { index: 0, embedding: [-0.006929283, -0.005336422, 0.0024406312, -0.0086460255] },
          { index: 1, embedding: [0.015366787, -0.02071573, 0.0017011743, 0.0045432597] },
        ],
        usage: { prompt_tokens: 16, completion_tokens: 0, total_tokens: 16 },
      },
      expectRequest: call(wire.embeddings),
    },
    ...errorFixtures(
      DIR,
      'errors.json',
      {
        '400': "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
        '401': 'Access denied due to invalid subscription key or wrong API endpoint.',
        '403': 'Access denied due to Virtual Network/Firewall rules.',
        '404': 'The API deployment for this resource does not exist.',
        '408': 'The operation was timeout.',
        '413': 'The request body is too large.',
        '429': 'have exceeded token rate limit of your current OpenAI S0 pricing tier',
        '500': 'The server had an error while processing your request.',
        '503': 'The service is temporarily unable to process your request.',
      },
      // retry-after-ms is the more precise of the two headers Azure sends.
      5_900,
    ),
    timeout: true,
    connection_refused: true,
    malformed_json: { stream: sse('stream-malformed.sse') },
    truncated_stream: { reply: sse('stream-text.sse') },
  },
});

describe('azure-openai specifics', () => {
  let server: ReplayServer;
  beforeAll(async () => {
    server = await ReplayServer.start();
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());
  const options = () => ({ signal: AbortSignal.timeout(5000) });
  const question = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 10 };

  it('maps a filtered completion to the content_filter finish reason', async () => {
    server.on('POST', '/openai/deployments/gpt-4o-mini/chat/completions', json('chat-content-filter.json'));
    const adapter = azureOpenAIProviderFactory({ base_url: server.baseUrl }, { AZURE_OPENAI_API_KEY: KEY });
    const result = await adapter.chat!(question, options());
    expect(result.choices).toEqual([{ index: 0, message: { role: 'assistant', content: '' }, finish_reason: 'content_filter' }]);
  });

  it('takes its api-version, key variable and max-tokens field from configuration', async () => {
    server.on('POST', '/openai/deployments/o3-mini/chat/completions', json('chat-single-turn.json'));
    const adapter = azureOpenAIProviderFactory(
      { base_url: `${server.baseUrl}/`, api_version: '2025-01-01-preview', api_key_env: 'MY_AZURE_KEY', max_tokens_field: 'max_completion_tokens' },
      { MY_AZURE_KEY: 'other-key-91b3c5d7' },
    );
    await adapter.chat!({ ...question, model: 'o3-mini' }, options());
    const request = server.onlyRequest();
    expect(request.query).toEqual({ 'api-version': '2025-01-01-preview' });
    expect(request.headers['api-key']).toBe('other-key-91b3c5d7');
    expect(request.body).toEqual({ model: 'o3-mini', messages: [{ role: 'user', content: 'Hi' }], max_completion_tokens: 10 });
  });

  it('refuses a configuration without base_url', () => {
    expect(() => azureOpenAIProviderFactory({}, { AZURE_OPENAI_API_KEY: KEY })).toThrow('provider azure-openai: set base_url');
  });
});
