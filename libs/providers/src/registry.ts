import { providerDisabledReason, type GatewayConfig } from '@switchyard/config';
import { mockProviderFactory } from './mock/mock-provider';
import { openaiProviderFactory } from './openai';
import type { ProviderAdapter, ProviderFactory } from './provider';

/**
 * Adapters by the name configurations use. A provider block may set `kind` to use one of these under
 * another name (two OpenAI-compatible servers, say).
 */
export const PROVIDER_FACTORIES: Record<string, ProviderFactory> = {
  mock: mockProviderFactory,
  openai: openaiProviderFactory,
};

/** The adapters of every configured provider that has its credentials. */
export function createProviderRegistry(config: GatewayConfig, env: NodeJS.ProcessEnv = process.env): Map<string, ProviderAdapter> {
  const registry = new Map<string, ProviderAdapter>();
  const names = new Set([...config.models.map((model) => model.provider), ...Object.keys(config.providers)]);
  for (const name of names) {
    const providerConfig = config.providers[name] ?? {};
    if (providerDisabledReason(name, providerConfig, env)) continue;
    const kind = typeof providerConfig.kind === 'string' ? providerConfig.kind : name;
    const factory = PROVIDER_FACTORIES[kind];
    if (!factory) throw new Error(`provider ${name}: no adapter named ${kind} (known: ${Object.keys(PROVIDER_FACTORIES).join(', ')})`);
    registry.set(name, factory(providerConfig, env));
  }
  return registry;
}
