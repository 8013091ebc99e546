// Calls to the real providers with real keys: `npm run test:live`, never part of `npm test`. Each
// provider whose credentials are in the environment gets one chat, one stream and, where it offers
// them, one embedding, with a cheap model; the others are reported as skipped, with what to set.
// Base URLs and key variables come from infra/switchyard.yaml, the configuration users start from.
// LIVE_<PROVIDER>_CHAT_MODEL and LIVE_<PROVIDER>_EMBED_MODEL (e.g. LIVE_AZURE_OPENAI_CHAT_MODEL)
// replace a default model, since model names and Azure deployment names change.
import { DEFAULT_CONFIG_PATH, loadGatewayConfig } from '@switchyard/config';
import type { CallOptions, ProviderAdapter } from './provider';
import { PROVIDER_FACTORIES } from './registry';
import { StreamAccumulator } from './stream-accumulator';

interface LiveTarget {
  /** Cheap models; no default where only the user knows what their server runs. */
  chat?: string;
  embed?: string;
  /** Variables needed besides the block's api_key_env. */
  alsoRequires?: string[];
  /** The base URL to use instead of the configuration's placeholder, from this variable. */
  baseUrlEnv?: string;
}

const LIVE_TARGETS: Record<string, LiveTarget> = {
  openai: { chat: 'gpt-4o-mini', embed: 'text-embedding-3-small' },
  anthropic: { chat: 'claude-haiku-4-5' },
  bedrock: { chat: 'amazon.nova-micro-v1:0', embed: 'amazon.titan-embed-text-v2:0', alsoRequires: ['AWS_SECRET_ACCESS_KEY'] },
  gemini: { chat: 'gemini-2.5-flash-lite', embed: 'gemini-embedding-001' },
  cohere: { chat: 'command-r7b-12-2024', embed: 'embed-english-light-v3.0' },
  // Models are deployment names on the user's own resource.
  'azure-openai': { chat: 'gpt-4o-mini', embed: 'text-embedding-3-small', baseUrlEnv: 'AZURE_OPENAI_ENDPOINT' },
  mistral: { chat: 'ministral-3b-latest', embed: 'mistral-embed' },
  groq: { chat: 'llama-3.1-8b-instant' },
  together: { chat: 'meta-llama/Llama-3.2-3B-Instruct-Turbo', embed: 'BAAI/bge-large-en-v1.5' },
  fireworks: { chat: 'accounts/fireworks/models/llama-v3p1-8b-instruct', embed: 'nomic-ai/nomic-embed-text-v1.5' },
  deepseek: { chat: 'deepseek-chat' },
  xai: { chat: 'grok-3-mini' },
  openrouter: { chat: 'openai/gpt-4o-mini', embed: 'openai/text-embedding-3-small' },
  perplexity: { chat: 'sonar' },
  // Local servers have no key to opt in with: setting the model they serve is the opt-in.
  ollama: { embed: 'nomic-embed-text' },
  vllm: {},
};

const CALL_TIMEOUT_MS = 60_000;
const options = (): CallOptions => ({ signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
const config = loadGatewayConfig(DEFAULT_CONFIG_PATH);
const envName = (provider: string, what: string) => `LIVE_${provider.toUpperCase().replace(/-/g, '_')}_${what}`;

/** The variables that are not set, of those the provider needs to be called. */
function missingVariables(provider: string, target: LiveTarget): string[] {
  const keyEnv = config.providers[provider]?.api_key_env;
  const required = [...(keyEnv ? [keyEnv] : []), ...(target.alsoRequires ?? []), ...(target.baseUrlEnv ? [target.baseUrlEnv] : [])];
  if (!target.chat) required.push(envName(provider, 'CHAT_MODEL'));
  return required.filter((name) => !process.env[name]);
}

describe('live providers', () => {
  it('has a live target for every adapter', () => {
    expect(Object.keys(LIVE_TARGETS).sort()).toEqual(Object.keys(PROVIDER_FACTORIES).filter((name) => name !== 'mock').sort());
  });

  for (const [provider, target] of Object.entries(LIVE_TARGETS)) {
    describe(provider, () => {
      const missing = missingVariables(provider, target);
      if (missing.length > 0) {
        it.skip(`needs ${missing.join(', ')}`, () => undefined);
        return;
      }
      const block = { ...config.providers[provider], ...(target.baseUrlEnv ? { base_url: process.env[target.baseUrlEnv] } : {}) };
      const adapter: ProviderAdapter = PROVIDER_FACTORIES[provider](block, process.env);
      const chatModel = process.env[envName(provider, 'CHAT_MODEL')] || target.chat!;
      const embedModel = process.env[envName(provider, 'EMBED_MODEL')] || target.embed;
      // Room for a reasoning model's thinking before its answer; the answer itself is one word.
      const question = { model: chatModel, messages: [{ role: 'user', content: 'What is the capital of France? Answer with one word.' }], max_tokens: 512 };

      it(`chats with ${chatModel}`, async () => {
        const result = await adapter.chat!(question, options());
        expect(result.choices[0].message.content).toMatch(/paris/i);
        expect(result.choices[0].finish_reason).toBe('stop');
        expect(result.usage?.prompt_tokens).toBeGreaterThan(0);
        expect(result.usage?.completion_tokens).toBeGreaterThan(0);
      });

      it(`streams from ${chatModel}`, async () => {
        const accumulator = new StreamAccumulator();
        let pieces = 0;
        for await (const event of adapter.chatStream!(question, options())) {
          if (event.content) pieces++;
          accumulator.add(event);
        }
        const result = accumulator.result();
        expect(pieces).toBeGreaterThan(0);
        expect(result.choices[0].message.content).toMatch(/paris/i);
        expect(result.choices[0].finish_reason).toBe('stop');
        expect(result.usage?.completion_tokens).toBeGreaterThan(0);
      });

      if (!adapter.embed) {
        it.skip('embeddings: the provider offers none', () => undefined);
      } else if (!embedModel) {
        it.skip(`embeddings: needs ${envName(provider, 'EMBED_MODEL')}`, () => undefined);
      } else {
        it(`embeds with ${embedModel}`, async () => {
          const input = ['Switchyard routes model calls.', 'Paris is the capital of France.'];
          const result = await adapter.embed!({ model: embedModel, input }, options());
          expect(result.data.map((item) => item.index)).toEqual([0, 1]);
          for (const item of result.data) {
            expect(item.embedding.length).toBeGreaterThan(0);
            expect(item.embedding.every(Number.isFinite)).toBe(true);
          }
        });
      }
    });
  }
});
