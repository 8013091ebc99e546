// One case per provider adapter for providers-through-gateway.spec.ts: where its API sits, the fake
// credentials it reads, the documented answers its replay server gives (the adapters' own wire
// fixtures, not copies), and what the gateway must make of them.
import { join } from 'node:path';
import type { Usage } from '@switchyard/contracts';
import type { CAPABILITIES } from '@switchyard/config';
/* eslint-disable @nx/enforce-module-boundaries -- test-only: the providers library keeps its replay server and wire fixtures out of its public index, so that production code never loads them */
import { ANTHROPIC_TEXT_RESPONSE, ANTHROPIC_TEXT_STREAM } from '../../../libs/providers/src/anthropic/anthropic.fixtures';
import { CONVERSE_TEXT_RESPONSE, CONVERSE_TEXT_STREAM_EVENTS, TITAN_EMBED_RESPONSES, converseStream } from '../../../libs/providers/src/bedrock/bedrock.fixtures';
import { COHERE_CACHED_TEXT_RESPONSE, COHERE_CACHED_TEXT_STREAM, COHERE_EMBED_RESPONSE } from '../../../libs/providers/src/cohere/cohere.fixtures';
import { GEMINI_EMBED_RESPONSE, GEMINI_TEXT_RESPONSE, GEMINI_TEXT_STREAM } from '../../../libs/providers/src/gemini/gemini.fixtures';
import { fixtureJson, fixtureText, OPENAI_FIXTURE_RESULTS, OPENAI_FIXTURES_DIR } from '../../../libs/providers/src/openai-compatible/testing';
import { reply, type RecordedRequest, type Reply } from '../../../libs/providers/src/testing/replay-server';

export { ReplayServer, type RecordedRequest } from '../../../libs/providers/src/testing/replay-server';
/* eslint-enable @nx/enforce-module-boundaries */

/** The texts every Embed call sends; each provider's embedding fixture answers with two vectors. */
export const EMBED_INPUT = ['The food was delicious and the waiter was friendly.', 'The service was slow.'];
export const QUESTION = 'What is the capital of France?';

export interface Exchange {
  /** Path on the provider's replay server, without query. */
  path: string;
  /** The answers, in order (Bedrock's Titan is called once per input). */
  replies: Reply[];
  /**
   * Fields the (first) provider request body must have: the model where the provider takes it in the
   * body, and the stream flag where it has one.
   */
  body: Record<string, unknown>;
  /** The query of the provider request; none unless given. */
  query?: Record<string, string>;
}

export interface ProviderCase {
  /** The adapter's name in PROVIDER_FACTORIES, which is also the provider block's name here. */
  provider: string;
  /** Where the API sits under the host, as in the provider's real base URL. */
  basePath: string;
  /** Further keys of the provider block. */
  block?: Record<string, unknown>;
  /** The fake credentials, by environment variable; the first is the block's api_key_env. */
  env: Record<string, string>;
  capabilities: (typeof CAPABILITIES)[number][];
  /** Asserts the credentials travelled where the provider documents them. */
  expectAuth(request: RecordedRequest): void;
  chat: Exchange & { model: string; text: string; usage: Usage };
  stream: Exchange & { text: string; usage: Usage };
  /** Absent for providers without an embeddings API. `usage` absent: the provider reports none and the gateway counts. */
  embed?: Exchange & { model: string; vectors: number[][]; usage?: Usage };
}

const PROVIDERS_SRC = join(OPENAI_FIXTURES_DIR, '..', '..');
const json = (provider: string, name: string): Reply => reply.json(fixtureJson(join(PROVIDERS_SRC, provider, 'fixtures'), name));
const sse = (provider: string, name: string): Reply => reply.sse(fixtureText(join(PROVIDERS_SRC, provider, 'fixtures'), name));
const fakeKey = (provider: string) => `fake-${provider}-key-5c1e9a7d3b`;
const usage = (prompt: number, completion: number, cached?: number): Usage => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
  ...(cached ? { cached_prompt_tokens: cached } : {}),
});

function bearer(key: string | undefined) {
  return (request: RecordedRequest) => expect(request.headers.authorization).toBe(key === undefined ? undefined : `Bearer ${key}`);
}

const PARIS = 'The capital of France is Paris.';
const OPENAI_EMBEDDINGS = OPENAI_FIXTURE_RESULTS.embeddings;

interface CompatibleOptions {
  provider: string;
  basePath: string;
  /** Undefined for a local server run without a key. */
  keyEnv?: string;
  model: string;
  embedModel?: string;
  capabilities: ProviderCase['capabilities'];
  /** A provider's own fixtures where its documented answer differs from OpenAI's. */
  chat?: { reply: Reply; usage: Usage };
  stream?: { reply: Reply; usage: Usage; body?: Record<string, unknown> };
  embed?: { reply: Reply; vectors: number[][]; usage: Usage };
}

/** A provider on the OpenAI-compatible adapter, answered with OpenAI's fixtures unless it has its own. */
function compatible(options: CompatibleOptions): ProviderCase {
  const key = options.keyEnv ? fakeKey(options.provider) : undefined;
  const chatPath = `${options.basePath}/chat/completions`;
  return {
    provider: options.provider,
    basePath: options.basePath,
    env: options.keyEnv && key ? { [options.keyEnv]: key } : {},
    capabilities: options.capabilities,
    expectAuth: bearer(key),
    chat: {
      model: options.model,
      path: chatPath,
      replies: [options.chat?.reply ?? json('openai', 'chat-single-turn.json')],
      body: { model: options.model },
      text: PARIS,
      usage: options.chat?.usage ?? usage(14, 8),
    },
    stream: {
      path: chatPath,
      replies: [options.stream?.reply ?? sse('openai', 'stream-text.sse')],
      body: options.stream?.body ?? { model: options.model, stream: true, stream_options: { include_usage: true } },
      text: PARIS,
      usage: options.stream?.usage ?? usage(14, 8),
    },
    ...(options.embedModel
      ? {
          embed: {
            model: options.embedModel,
            path: `${options.basePath}/embeddings`,
            replies: [options.embed?.reply ?? json('openai', 'embeddings.json')],
            body: { model: options.embedModel, input: EMBED_INPUT },
            vectors: options.embed?.vectors ?? OPENAI_EMBEDDINGS.data.map((item) => item.embedding),
            usage: options.embed?.usage ?? OPENAI_EMBEDDINGS.usage,
          },
        }
      : {}),
  };
}

const AWS_ACCESS_KEY_ID = 'AKIAFAKEGATEWAYTEST7';
const AWS_SECRET_ACCESS_KEY = 'fake/Secret+Key/for/the/gateway/test/0123';
const AWS_REGION = 'eu-west-3';
const BEDROCK_MODEL = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const BEDROCK_EMBED_MODEL = 'amazon.titan-embed-text-v2:0';

const GEMINI_KEY = fakeKey('gemini');
const ANTHROPIC_KEY = fakeKey('anthropic');
const AZURE_KEY = fakeKey('azure-openai');

export const PROVIDER_CASES: ProviderCase[] = [
  compatible({
    provider: 'openai',
    basePath: '/v1',
    keyEnv: 'OPENAI_API_KEY',
    model: 'gpt-4o-mini',
    embedModel: 'text-embedding-3-small',
    capabilities: ['chat', 'streaming', 'tools', 'vision'],
  }),
  {
    provider: 'anthropic',
    basePath: '/v1',
    env: { ANTHROPIC_API_KEY: ANTHROPIC_KEY },
    capabilities: ['chat', 'streaming', 'tools', 'vision'],
    expectAuth: (request) => {
      expect(request.headers['x-api-key']).toBe(ANTHROPIC_KEY);
      expect(request.headers['anthropic-version']).toBe('2023-06-01');
      expect(request.headers.authorization).toBeUndefined();
    },
    chat: {
      model: 'claude-sonnet-4-5',
      path: '/v1/messages',
      replies: [reply.json(ANTHROPIC_TEXT_RESPONSE)],
      body: { model: 'claude-sonnet-4-5' },
      text: 'Hi! My name is Claude.',
      usage: usage(2095, 503),
    },
    stream: {
      path: '/v1/messages',
      replies: [reply.sse(ANTHROPIC_TEXT_STREAM)],
      body: { model: 'claude-sonnet-4-5', stream: true },
      text: 'Hi! My name is Claude.',
      usage: usage(2095, 503),
    },
  },
  {
    provider: 'bedrock',
    basePath: '',
    env: { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION },
    capabilities: ['chat', 'streaming', 'tools', 'vision'],
    // SigV4: the access key id and the region from the environment in the credential scope; the secret never travels.
    expectAuth: (request) => {
      expect(request.headers.authorization).toMatch(
        new RegExp(`^AWS4-HMAC-SHA256 Credential=${AWS_ACCESS_KEY_ID}/\\d{8}/${AWS_REGION}/bedrock/aws4_request, SignedHeaders=accept;content-type;host;x-amz-date, Signature=[0-9a-f]{64}$`),
      );
      expect(JSON.stringify(request.headers)).not.toContain(AWS_SECRET_ACCESS_KEY);
    },
    chat: {
      model: BEDROCK_MODEL,
      // The model id's ':' travels percent-encoded in the path.
      path: '/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse',
      replies: [reply.json(CONVERSE_TEXT_RESPONSE)],
      body: {},
      text: PARIS,
      usage: usage(14, 9),
    },
    stream: {
      path: '/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream',
      replies: [reply.binary(converseStream(CONVERSE_TEXT_STREAM_EVENTS))],
      body: {},
      text: PARIS,
      usage: usage(14, 9),
    },
    embed: {
      model: BEDROCK_EMBED_MODEL,
      path: '/model/amazon.titan-embed-text-v2%3A0/invoke',
      replies: TITAN_EMBED_RESPONSES.map((answer) => reply.json(answer)),
      body: { inputText: EMBED_INPUT[0] },
      vectors: TITAN_EMBED_RESPONSES.map((answer) => answer.embedding),
      usage: usage(TITAN_EMBED_RESPONSES[0].inputTextTokenCount + TITAN_EMBED_RESPONSES[1].inputTextTokenCount, 0),
    },
  },
  {
    provider: 'gemini',
    basePath: '/v1beta',
    env: { GEMINI_API_KEY: GEMINI_KEY },
    capabilities: ['chat', 'streaming', 'tools', 'vision'],
    expectAuth: (request) => {
      expect(request.headers['x-goog-api-key']).toBe(GEMINI_KEY);
      expect(request.headers.authorization).toBeUndefined();
    },
    chat: {
      model: 'gemini-2.5-flash',
      path: '/v1beta/models/gemini-2.5-flash:generateContent',
      replies: [reply.json(GEMINI_TEXT_RESPONSE)],
      body: {},
      text: PARIS,
      // Thinking tokens are billed as output: 7 candidates + 21 thoughts.
      usage: usage(8, 28),
    },
    stream: {
      path: '/v1beta/models/gemini-2.5-flash:streamGenerateContent',
      query: { alt: 'sse' },
      replies: [reply.sse(GEMINI_TEXT_STREAM)],
      body: {},
      text: PARIS,
      usage: usage(8, 28),
    },
    embed: {
      model: 'text-embedding-004',
      path: '/v1beta/models/text-embedding-004:batchEmbedContents',
      replies: [reply.json(GEMINI_EMBED_RESPONSE)],
      body: {},
      vectors: GEMINI_EMBED_RESPONSE.embeddings.map((embedding) => embedding.values),
    },
  },
  {
    provider: 'cohere',
    basePath: '/v2',
    env: { COHERE_API_KEY: fakeKey('cohere') },
    capabilities: ['chat', 'streaming', 'tools', 'vision'],
    expectAuth: bearer(fakeKey('cohere')),
    chat: {
      model: 'command-a-03-2025',
      path: '/v2/chat',
      replies: [reply.json(COHERE_CACHED_TEXT_RESPONSE)],
      body: { model: 'command-a-03-2025' },
      text: PARIS,
      // Billed units, not the raw token counts; usage.cached_tokens becomes the cached prompt tokens.
      usage: usage(1843, 8, 1792),
    },
    stream: {
      path: '/v2/chat',
      replies: [reply.sse(COHERE_CACHED_TEXT_STREAM)],
      body: { model: 'command-a-03-2025', stream: true },
      text: PARIS,
      usage: usage(1843, 8, 1792),
    },
    embed: {
      model: 'embed-english-v3.0',
      path: '/v2/embed',
      replies: [reply.json(COHERE_EMBED_RESPONSE)],
      body: { model: 'embed-english-v3.0', texts: EMBED_INPUT },
      vectors: COHERE_EMBED_RESPONSE.embeddings.float,
      usage: usage(15, 0),
    },
  },
  {
    provider: 'azure-openai',
    basePath: '',
    // The gateway's model names map onto the resource's deployment names.
    block: { api_version: '2024-10-21', deployments: { 'gpt-4o-mini': 'gpt-4o-mini-prod', 'text-embedding-3-small': 'embeddings-small' } },
    env: { AZURE_OPENAI_API_KEY: AZURE_KEY },
    capabilities: ['chat', 'streaming', 'tools', 'vision'],
    expectAuth: (request) => {
      expect(request.headers['api-key']).toBe(AZURE_KEY);
      expect(request.headers.authorization).toBeUndefined();
    },
    chat: {
      model: 'gpt-4o-mini',
      path: '/openai/deployments/gpt-4o-mini-prod/chat/completions',
      query: { 'api-version': '2024-10-21' },
      replies: [json('azure-openai', 'chat-single-turn.json')],
      body: {},
      text: PARIS,
      usage: usage(14, 8),
    },
    stream: {
      path: '/openai/deployments/gpt-4o-mini-prod/chat/completions',
      query: { 'api-version': '2024-10-21' },
      replies: [sse('azure-openai', 'stream-text.sse')],
      body: { stream: true },
      text: PARIS,
      usage: usage(14, 8),
    },
    embed: {
      model: 'text-embedding-3-small',
      path: '/openai/deployments/embeddings-small/embeddings',
      query: { 'api-version': '2024-10-21' },
      replies: [json('azure-openai', 'embeddings.json')],
      body: { input: EMBED_INPUT },
      vectors: OPENAI_EMBEDDINGS.data.map((item) => item.embedding),
      usage: usage(16, 0),
    },
  },
  compatible({
    provider: 'mistral',
    basePath: '/v1',
    keyEnv: 'MISTRAL_API_KEY',
    model: 'mistral-small-latest',
    embedModel: 'mistral-embed',
    capabilities: ['chat', 'streaming', 'tools', 'vision'],
    chat: { reply: json('mistral', 'chat-single-turn.json'), usage: usage(10, 8) },
    // Mistral's streams always end with usage, so the adapter sends no stream_options.
    stream: { reply: sse('mistral', 'stream-text.sse'), usage: usage(10, 8), body: { model: 'mistral-small-latest', stream: true } },
    embed: {
      reply: json('mistral', 'embeddings.json'),
      vectors: fixtureJson<{ data: { embedding: number[] }[] }>(join(PROVIDERS_SRC, 'mistral', 'fixtures'), 'embeddings.json').data.map((item) => item.embedding),
      usage: usage(17, 0),
    },
  }),
  compatible({
    provider: 'groq',
    basePath: '/openai/v1',
    keyEnv: 'GROQ_API_KEY',
    model: 'llama-3.3-70b-versatile',
    capabilities: ['chat', 'streaming', 'tools'],
    // Groq reports streamed usage under x_groq.
    stream: { reply: sse('groq', 'stream-usage-x-groq.sse'), usage: usage(2006, 300) },
  }),
  compatible({
    provider: 'together',
    basePath: '/v1',
    keyEnv: 'TOGETHER_API_KEY',
    model: 'meta-llama/Llama-3.3-70B-Instruct-Turbo',
    embedModel: 'BAAI/bge-large-en-v1.5',
    capabilities: ['chat', 'streaming', 'tools'],
  }),
  compatible({
    provider: 'fireworks',
    basePath: '/inference/v1',
    keyEnv: 'FIREWORKS_API_KEY',
    model: 'accounts/fireworks/models/llama-v3p3-70b-instruct',
    embedModel: 'nomic-ai/nomic-embed-text-v1.5',
    capabilities: ['chat', 'streaming', 'tools'],
  }),
  compatible({
    provider: 'deepseek',
    basePath: '',
    keyEnv: 'DEEPSEEK_API_KEY',
    model: 'deepseek-chat',
    capabilities: ['chat', 'streaming', 'tools'],
    // DeepSeek's cache hits (prompt_cache_hit_tokens), priced at the cached rate.
    chat: { reply: json('deepseek', 'chat-usage-cache.json'), usage: usage(2006, 300, 1920) },
    stream: { reply: sse('deepseek', 'stream-usage-cache.sse'), usage: usage(2006, 300, 1920) },
  }),
  compatible({ provider: 'xai', basePath: '/v1', keyEnv: 'XAI_API_KEY', model: 'grok-3-mini', capabilities: ['chat', 'streaming', 'tools'] }),
  compatible({
    provider: 'openrouter',
    basePath: '/api/v1',
    keyEnv: 'OPENROUTER_API_KEY',
    model: 'openai/gpt-4o-mini',
    embedModel: 'openai/text-embedding-3-small',
    capabilities: ['chat', 'streaming', 'tools', 'vision'],
  }),
  compatible({ provider: 'perplexity', basePath: '', keyEnv: 'PERPLEXITY_API_KEY', model: 'sonar', capabilities: ['chat', 'streaming'] }),
  compatible({ provider: 'ollama', basePath: '/v1', model: 'llama3.2', embedModel: 'nomic-embed-text', capabilities: ['chat', 'streaming', 'tools'] }),
  compatible({
    provider: 'vllm',
    basePath: '/v1',
    model: 'meta-llama/Llama-3.1-8B-Instruct',
    embedModel: 'intfloat/e5-mistral-7b-instruct',
    capabilities: ['chat', 'streaming', 'tools'],
  }),
];

/** Every case's fake credentials: the whole environment the gateway under test sees. */
export const FAKE_ENV: Record<string, string> = Object.assign({}, ...PROVIDER_CASES.map((testCase) => testCase.env));

/** The credentials that must never reach a request body or query. */
export const FAKE_SECRETS = Object.values(FAKE_ENV).filter((value) => value !== AWS_REGION);
