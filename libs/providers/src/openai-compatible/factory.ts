// The factory of a provider that is a configuration of the OpenAI-compatible adapter: defaults for its
// base URL and key variable (@switchyard/config's ADAPTER_CREDENTIALS, by the adapter's name),
// overridable by `base_url` and `api_key_env` in its configuration block.
import { credentialOf } from '@switchyard/config';
import type { ProviderFactory } from '../provider';
import { createOpenAICompatibleProvider, type OpenAICompatibleOptions } from './adapter';

export interface CompatibleProviderDefaults extends Omit<OpenAICompatibleOptions, 'baseUrl' | 'apiKey'> {
  baseUrl: string;
}

export function compatibleProviderFactory(
  defaults: CompatibleProviderDefaults,
  fromConfig: (config: Record<string, unknown>) => Partial<OpenAICompatibleOptions> = () => ({}),
): ProviderFactory {
  return (config, env) => {
    return createOpenAICompatibleProvider({
      ...defaults,
      baseUrl: stringSetting(config, 'base_url') ?? defaults.baseUrl,
      // Servers that need no key (Ollama, vLLM) have no default variable, and still take one when configured.
      apiKey: credentialOf(defaults.name, config, 'api_key_env', env),
      ...fromConfig(config),
    });
  };
}

/** A string setting of a provider block; anything else counts as unset. */
export function stringSetting(config: Record<string, unknown>, key: string): string | undefined {
  const value = config[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
