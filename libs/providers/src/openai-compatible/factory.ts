// The factory of a provider that is a configuration of the OpenAI-compatible adapter: defaults for its
// base URL and key variable, overridable by `base_url` and `api_key_env` in its configuration block.
import type { ProviderFactory } from '../provider';
import { createOpenAICompatibleProvider, type OpenAICompatibleOptions } from './adapter';

export interface CompatibleProviderDefaults extends Omit<OpenAICompatibleOptions, 'baseUrl' | 'apiKey'> {
  baseUrl: string;
  /** The variable holding the key; absent for servers that need none (Ollama, vLLM), which still take one when configured. */
  apiKeyEnv?: string;
}

export function compatibleProviderFactory(
  defaults: CompatibleProviderDefaults,
  fromConfig: (config: Record<string, unknown>) => Partial<OpenAICompatibleOptions> = () => ({}),
): ProviderFactory {
  const { apiKeyEnv, ...options } = defaults;
  return (config, env) => {
    const keyEnv = stringSetting(config, 'api_key_env') ?? apiKeyEnv;
    return createOpenAICompatibleProvider({
      ...options,
      baseUrl: stringSetting(config, 'base_url') ?? options.baseUrl,
      apiKey: keyEnv ? env[keyEnv] : undefined,
      ...fromConfig(config),
    });
  };
}

/** A string setting of a provider block; anything else counts as unset. */
export function stringSetting(config: Record<string, unknown>, key: string): string | undefined {
  const value = config[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
