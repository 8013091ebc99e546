// The models the gateway serves, resolved from configuration and the environment.
import type { ModelCapabilities, ModelInfo } from '@switchyard/contracts';
import type { GatewayConfig, ModelConfig, ProviderConfig } from './schema';

export interface CatalogEntry extends ModelInfo {
  /** False when the model's provider lacks credentials; then `disabled_reason` says what to set. */
  enabled: boolean;
  disabled_reason?: string;
}

export function providerDisabledReason(name: string, config: ProviderConfig | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (config?.api_key_env && !env[config.api_key_env]) {
    return `provider ${name} is not enabled: set ${config.api_key_env}`;
  }
  return undefined;
}

export function buildModelCatalog(config: GatewayConfig, env: NodeJS.ProcessEnv = process.env): Map<string, CatalogEntry> {
  const catalog = new Map<string, CatalogEntry>();
  for (const model of config.models) {
    const reason = providerDisabledReason(model.provider, config.providers[model.provider], env);
    catalog.set(model.name, {
      id: model.name,
      provider: model.provider,
      upstream_model: model.upstream_model ?? model.name,
      capabilities: capabilitiesOf(model),
      enabled: reason === undefined,
      ...(reason ? { disabled_reason: reason } : {}),
    });
  }
  return catalog;
}

function capabilitiesOf(model: ModelConfig): ModelCapabilities {
  const has = (capability: ModelConfig['capabilities'][number]) => model.capabilities.includes(capability);
  return { chat: has('chat'), streaming: has('streaming'), tools: has('tools'), vision: has('vision'), embeddings: has('embeddings') };
}
