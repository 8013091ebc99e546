// The models the gateway serves, resolved from configuration and the environment.
import type { ModelCapabilities, ModelInfo } from '@switchyard/contracts';
import { DEFAULT_BREAKER, targetsOf, type BreakerSettings, type RouteNode } from '@switchyard/routing';
import { providerDisabledReason } from './credentials';
import type { CacheConfig, GatewayConfig, ModelConfig } from './schema';

export interface CatalogEntry extends Omit<ModelInfo, 'targets'> {
  /** Every target the model's route may call, `<provider block>/<upstream model>`. */
  route_targets: string[];
  /** With a semantic cache, every target of its embed_model: a request may also pay for its prompt's embedding at one of them. */
  cache_embed_targets?: string[];
  /** False when the model's provider lacks credentials; then `disabled_reason` says what to set. */
  enabled: boolean;
  disabled_reason?: string;
}

export function buildModelCatalog(config: GatewayConfig, env: NodeJS.ProcessEnv = process.env): Map<string, CatalogEntry> {
  const catalog = new Map<string, CatalogEntry>();
  for (const model of config.models) {
    // A routed model is served while any of its targets is; it is listed by the first such target.
    const targets = targetsOf(model.route).map(({ target }) => ({ target, reason: providerDisabledReason(target.provider, config.providers[target.provider], env) }));
    const { target, reason } = targets.find((candidate) => candidate.reason === undefined) ?? targets[0];
    catalog.set(model.name, {
      id: model.name,
      provider: target.provider,
      upstream_model: target.upstream_model,
      capabilities: capabilitiesOf(model),
      route_targets: targetsOf(model.route).map((node) => node.key),
      ...(model.cache?.mode === 'semantic' ? { cache_embed_targets: embedTargetsOf(config, model.cache.embed_model!) } : {}),
      enabled: reason === undefined,
      ...(reason ? { disabled_reason: reason } : {}),
    });
  }
  return catalog;
}

function embedTargetsOf(config: GatewayConfig, embedModel: string): string[] {
  const embedder = config.models.find((model) => model.name === embedModel);
  return embedder ? targetsOf(embedder.route).map((node) => node.key) : [];
}

function capabilitiesOf(model: ModelConfig): ModelCapabilities {
  const has = (capability: ModelConfig['capabilities'][number]) => model.capabilities.includes(capability);
  return { chat: has('chat'), streaming: has('streaming'), tools: has('tools'), vision: has('vision'), embeddings: has('embeddings'), moderation: has('moderation'), rerank: has('rerank'), image_generation: has('image_generation'), transcription: has('transcription') };
}

/** The route tree of a model, by the name callers use; undefined for a model not configured. */
export function routesOf(config: GatewayConfig): (model: string) => RouteNode | undefined {
  const routes = new Map(config.models.map((model) => [model.name, model.route]));
  return (model) => routes.get(model);
}

/** The response cache of a model, by the name callers use; undefined for a model that has none. */
export function cachesOf(config: GatewayConfig): (model: string) => CacheConfig | undefined {
  const caches = new Map(config.models.flatMap((model) => (model.cache ? [[model.name, model.cache] as const] : [])));
  return (model) => caches.get(model);
}

/** The breaker settings of every target, and of each target the configuration sets apart, defaults filled in. */
export function breakerSettingsOf(config: GatewayConfig): BreakerSettings & { targets: Record<string, BreakerSettings> } {
  const { targets, ...given } = config.breaker;
  const settings: BreakerSettings = { ...DEFAULT_BREAKER, ...given };
  return { ...settings, targets: Object.fromEntries(Object.entries(targets).map(([target, own]) => [target, { ...settings, ...own }])) };
}
