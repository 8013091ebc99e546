import { targetsOf } from '@switchyard/routing';
import { adapterKindOf, providerDisabledReason, type GatewayConfig, type ProviderKeys } from '@switchyard/config';
import { anthropicProviderFactory } from './anthropic';
import { bedrockProviderFactory } from './bedrock';
import { scrubsCredentials } from './credentials';
import { mockProviderFactory } from './mock/mock-provider';
import { openaiProviderFactory } from './openai';
import { cohereProviderFactory } from './cohere';
import { geminiProviderFactory } from './gemini';
import { azureOpenAIProviderFactory } from './azure-openai';
import { deepgramProviderFactory } from './deepgram';
import { deepseekProviderFactory } from './deepseek';
import { fireworksProviderFactory } from './fireworks';
import { groqProviderFactory } from './groq';
import { jinaProviderFactory } from './jina';
import { mistralProviderFactory } from './mistral';
import { ollamaProviderFactory } from './ollama';
import { openrouterProviderFactory } from './openrouter';
import { perplexityProviderFactory } from './perplexity';
import { togetherProviderFactory } from './together';
import { vllmProviderFactory } from './vllm';
import { xaiProviderFactory } from './xai';
import type { ProviderAdapter, ProviderFactory } from './provider';
import { forgettingThoughtSignatures } from './thought-signatures';

/**
 * Adapters by the name configurations use. A provider block may set `kind` to use one of these under
 * another name (two OpenAI-compatible servers, say).
 */
export const PROVIDER_FACTORIES: Record<string, ProviderFactory> = {
  mock: mockProviderFactory,
  openai: openaiProviderFactory,
  anthropic: anthropicProviderFactory,
  bedrock: bedrockProviderFactory,
  gemini: geminiProviderFactory,
  cohere: cohereProviderFactory,
  'azure-openai': azureOpenAIProviderFactory,
  mistral: mistralProviderFactory,
  groq: groqProviderFactory,
  together: togetherProviderFactory,
  fireworks: fireworksProviderFactory,
  deepseek: deepseekProviderFactory,
  xai: xaiProviderFactory,
  openrouter: openrouterProviderFactory,
  perplexity: perplexityProviderFactory,
  ollama: ollamaProviderFactory,
  vllm: vllmProviderFactory,
  jina: jinaProviderFactory,
  deepgram: deepgramProviderFactory,
};

/** Each adapter's own keys in a provider block, besides kind, base_url and api_key_env. */
const ADAPTER_KEYS: Record<string, readonly string[]> = {
  mock: ['latency_ms'],
  openai: ['organization', 'project'],
  anthropic: ['default_max_tokens'],
  bedrock: ['region', 'secret_key_env', 'session_token_env'],
  cohere: ['embed_input_type'],
  'azure-openai': ['api_version', 'deployments', 'max_tokens_field'],
  mistral: ['safe_prompt'],
  openrouter: ['app_url', 'app_name'],
};

/** For parseGatewayConfig: the keys a block of an adapter kind takes; undefined for a kind no adapter has. */
export const providerKeys: ProviderKeys = (kind) => (Object.hasOwn(PROVIDER_FACTORIES, kind) ? (ADAPTER_KEYS[kind] ?? []) : undefined);

/** The adapters of every configured provider that has its credentials. */
export function createProviderRegistry(config: GatewayConfig, env: NodeJS.ProcessEnv = process.env): Map<string, ProviderAdapter> {
  const registry = new Map<string, ProviderAdapter>();
  const names = new Set([...config.models.flatMap((model) => targetsOf(model.route).map(({ target }) => target.provider)), ...Object.keys(config.providers)]);
  for (const name of names) {
    const providerConfig = config.providers[name] ?? {};
    if (providerDisabledReason(name, providerConfig, env)) continue;
    const kind = adapterKindOf(name, providerConfig);
    const factory = PROVIDER_FACTORIES[kind];
    if (!factory) throw new Error(`provider ${name}: no adapter named ${kind} (known: ${Object.keys(PROVIDER_FACTORIES).join(', ')})`);
    const adapter = factory(providerConfig, env);
    if (!scrubsCredentials(adapter)) throw new Error(`provider ${name}: the ${kind} adapter must pass its errors through scrubbingCredentials, or they could show its credentials`);
    // Only Gemini reads the thought signatures that Gemini's tool call ids carry; see thought-signatures.ts.
    registry.set(name, kind === 'gemini' ? adapter : forgettingThoughtSignatures(adapter));
  }
  return registry;
}
