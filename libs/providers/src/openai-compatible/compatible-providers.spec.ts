// The conformance suite for every provider that is a plain configuration of the OpenAI-compatible
// adapter, built through the registry so that its registration is checked too. They share OpenAI's
// fixtures; where a provider's documented answer differs (DeepSeek's cache fields, Groq's x_groq usage,
// vLLM's error body) it has its own.
import { join } from 'node:path';
import { PROVIDER_FACTORIES } from '../registry';
import { ReplayServer, reply, runConformanceSuite, unsupported, type ConformanceTarget, type RecordedRequest } from '../testing';
import { fixtureJson, fixtureText, openAIWireTarget, OPENAI_FIXTURE_RESULTS, OPENAI_FIXTURES_DIR } from './testing';

interface Case {
  name: string;
  /** Where the API sits under the host, as in the provider's default base URL. */
  basePath: string;
  chatModel: string;
  embedModel?: string;
  /** The variable the key is read from; undefined for a server run without one. */
  keyEnv?: string;
  config?: Record<string, unknown>;
  expectHeaders?: (request: RecordedRequest) => void;
  overrides?: Partial<ConformanceTarget['scenarios']>;
}

const NO_EMBEDDINGS = (provider: string) => unsupported(`${provider} offers no embeddings API`);
const NO_TOOLS = unsupported('Sonar models do not call tools');
const fixtures = (provider: string) => join(__dirname, '..', provider, 'fixtures');

const CASES: Case[] = [
  {
    name: 'groq',
    basePath: '/openai/v1',
    chatModel: 'llama-3.3-70b-versatile',
    keyEnv: 'GROQ_API_KEY',
    overrides: {
      embeddings: NO_EMBEDDINGS('Groq'),
      usage: {
        chat: { reply: reply.json(fixtureJson(OPENAI_FIXTURES_DIR, 'chat-usage-cached.json')), expected: OPENAI_FIXTURE_RESULTS.usage },
        stream: {
          reply: reply.sse(fixtureText(fixtures('groq'), 'stream-usage-x-groq.sse')),
          expected: { prompt_tokens: 2006, completion_tokens: 300, total_tokens: 2306 },
        },
      },
    },
  },
  { name: 'together', basePath: '/v1', chatModel: 'meta-llama/Llama-3.3-70B-Instruct-Turbo', embedModel: 'BAAI/bge-large-en-v1.5', keyEnv: 'TOGETHER_API_KEY' },
  {
    name: 'fireworks',
    basePath: '/inference/v1',
    chatModel: 'accounts/fireworks/models/llama-v3p3-70b-instruct',
    embedModel: 'nomic-ai/nomic-embed-text-v1.5',
    keyEnv: 'FIREWORKS_API_KEY',
  },
  {
    name: 'deepseek',
    basePath: '',
    chatModel: 'deepseek-chat',
    keyEnv: 'DEEPSEEK_API_KEY',
    overrides: {
      embeddings: NO_EMBEDDINGS('DeepSeek'),
      image_input: unsupported("DeepSeek's chat models take text only"),
      usage: {
        chat: {
          reply: reply.json(fixtureJson(fixtures('deepseek'), 'chat-usage-cache.json')),
          expected: { prompt_tokens: 2006, completion_tokens: 300, total_tokens: 2306, cached_prompt_tokens: 1920 },
        },
        stream: {
          reply: reply.sse(fixtureText(fixtures('deepseek'), 'stream-usage-cache.sse')),
          expected: { prompt_tokens: 2006, completion_tokens: 300, total_tokens: 2306, cached_prompt_tokens: 1920 },
        },
      },
    },
  },
  { name: 'xai', basePath: '/v1', chatModel: 'grok-3-mini', keyEnv: 'XAI_API_KEY', overrides: { embeddings: NO_EMBEDDINGS('xAI') } },
  {
    name: 'openrouter',
    basePath: '/api/v1',
    chatModel: 'openai/gpt-4o-mini',
    embedModel: 'openai/text-embedding-3-small',
    keyEnv: 'OPENROUTER_API_KEY',
    config: { app_url: 'https://switchyard.example', app_name: 'Switchyard' },
    expectHeaders: (request) => {
      expect(request.headers['http-referer']).toBe('https://switchyard.example');
      expect(request.headers['x-title']).toBe('Switchyard');
    },
  },
  {
    name: 'perplexity',
    basePath: '',
    chatModel: 'sonar',
    keyEnv: 'PERPLEXITY_API_KEY',
    overrides: { tool_call: NO_TOOLS, tool_call_stream: NO_TOOLS, tool_result_round_trip: NO_TOOLS, tool_history_without_tools: NO_TOOLS, embeddings: NO_EMBEDDINGS('Perplexity') },
  },
  {
    name: 'ollama',
    basePath: '/v1',
    chatModel: 'llama3.2',
    embedModel: 'nomic-embed-text',
    expectHeaders: (request) => expect(request.headers.authorization).toBeUndefined(),
    overrides: { error_401: unsupported('Ollama has no authentication') },
  },
  {
    name: 'vllm',
    basePath: '/v1',
    chatModel: 'meta-llama/Llama-3.1-8B-Instruct',
    embedModel: 'intfloat/e5-mistral-7b-instruct',
    // Started with --api-key, vLLM checks the bearer token and answers 401 {"error": "Unauthorized"}.
    keyEnv: 'VLLM_API_KEY',
    overrides: { error_401: { reply: reply.error(401, { error: 'Unauthorized' }), message: 'Unauthorized' } },
  },
];

for (const testCase of CASES) {
  const key = testCase.keyEnv ? `test-${testCase.name}-key-7d3f9a2c41b8` : undefined;
  const env: NodeJS.ProcessEnv = testCase.keyEnv && key ? { [testCase.keyEnv]: key } : {};
  runConformanceSuite(
    openAIWireTarget({
      name: testCase.name,
      createAdapter: (baseUrl) =>
        PROVIDER_FACTORIES[testCase.name](
          { base_url: `${baseUrl}${testCase.basePath}`, ...(testCase.keyEnv ? { api_key_env: testCase.keyEnv } : {}), ...testCase.config },
          env,
        ),
      apiKey: key,
      chatModel: testCase.chatModel,
      embedModel: testCase.embedModel,
      basePath: testCase.basePath,
      maxTokensField: 'max_tokens',
      expectHeaders: (request) => {
        if (key) expect(request.headers.authorization).toBe(`Bearer ${key}`);
        testCase.expectHeaders?.(request);
      },
      overrides: testCase.overrides,
    }),
  );
}

describe('OpenAI-compatible factories', () => {
  it('read the key from the default variable when none is configured', async () => {
    const server = await ReplayServer.start();
    try {
      server.on('POST', '/chat/completions', reply.json(fixtureJson(OPENAI_FIXTURES_DIR, 'chat-single-turn.json')));
      const adapter = PROVIDER_FACTORIES.deepseek({ base_url: server.baseUrl }, { DEEPSEEK_API_KEY: 'sk-default-variable-5e1a' });
      await adapter.chat!({ model: 'deepseek-chat', messages: [{ role: 'user', content: 'Hi' }] }, { signal: AbortSignal.timeout(5000) });
      expect(server.onlyRequest().headers.authorization).toBe('Bearer sk-default-variable-5e1a');
    } finally {
      await server.close();
    }
  });
});
