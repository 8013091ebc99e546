import { ANALYZE_TASK_TYPES, DEFAULT_ANALYZE_MODELS } from '@switchyard/analyze';
import { gatewayGuardrailsSchema, guardrailsSchema } from '@switchyard/guardrail-rules';
import type { RouteNode } from '@switchyard/routing';
import { z } from 'zod';

export const CAPABILITIES = ['chat', 'streaming', 'tools', 'vision', 'embeddings', 'moderation', 'rerank', 'image_generation', 'transcription'] as const;

/** A model's response cache (docs/caching.md); absent: answers are not cached. */
export const cacheConfigSchema = z
  .strictObject({
    /** exact: the same request; semantic: also a prompt whose embedding is close enough to a stored one's. */
    mode: z.enum(['exact', 'semantic']).default('exact'),
    /** How long an answer is served from the cache. */
    ttl_s: z.number().int().min(1).max(30 * 86_400).default(3600),
    /** An answer larger than this (as stored, JSON) is not cached. */
    max_entry_bytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(256 * 1024),
    /** Who shares answers: everyone, callers of the same key, or of the same team (a key without a team shares with itself only). */
    scope: z.enum(['global', 'key', 'team']).default('global'),
    /** Cache only requests whose answer does not vary: temperature 0 or a seed. */
    deterministic_only: z.boolean().default(true),
    /** semantic: the model (by the name callers use, with the embeddings capability) that embeds prompts. */
    embed_model: z.string().min(1).optional(),
    /** semantic: the least cosine similarity between a prompt and a stored one for a hit. */
    threshold: z.number().gt(0).max(1).default(0.95),
  })
  .refine((cache) => cache.mode !== 'semantic' || cache.embed_model !== undefined, { message: 'embed_model is required with mode semantic', path: ['embed_model'] });

/**
 * What a key's or a team's requests may do with a model's cache (docs/caching.md): each setting only
 * narrows the model's `cache`, never widens it, so the model's block stays the most any caller gets.
 */
export const cachePolicySchema = z.strictObject({
  /** false: the caller's requests are neither looked up nor stored (bypass). */
  enabled: z.literal(false).optional(),
  /** Share answers only with the same key, or the same team: the narrower of this and the model's scope applies. */
  scope: z.enum(['key', 'team']).optional(),
  /** exact: no semantic matching for the caller, on a model whose mode is semantic. */
  mode: z.literal('exact').optional(),
  /** The least cosine similarity of a semantic hit: the higher of this and the model's applies. */
  threshold: z.number().gt(0).max(1).optional(),
  /** true: only deterministic requests are cached for the caller, whatever the model says. */
  deterministic_only: z.literal(true).optional(),
});

/** Cache policies of virtual keys (by name or api_key_id) and of teams (by name), over every model with a cache. */
export const cachePoliciesSchema = z.strictObject({
  keys: z.record(z.string().min(1).max(256), cachePolicySchema).default({}),
  teams: z.record(z.string().min(1).max(256), cachePolicySchema).default({}),
});

export const modelConfigSchema = z.strictObject({
  /** The name callers use. */
  name: z.string().min(1),
  /** With upstream_model, the model's one target; `route` instead gives a tree of them. */
  provider: z.string().min(1).optional(),
  /** The provider's own name for the model; defaults to `name`. */
  upstream_model: z.string().min(1).optional(),
  capabilities: z.array(z.enum(CAPABILITIES)).default(['chat', 'streaming']),
  /** A route tree (see libs/routing), checked once the providers are known. */
  route: z.unknown().optional(),
  /** This model's guardrails, direction by direction, in place of the global ones (docs/guardrails.md). */
  guardrails: guardrailsSchema.optional(),
  cache: cacheConfigSchema.optional(),
});

export const providerConfigSchema = z
  .object({
    base_url: z.string().url().optional(),
    /** The name of the environment variable holding the key. The key itself never sits in the file. */
    api_key_env: z.string().optional(),
  })
  // An adapter's own keys, checked against its list (parseGatewayConfig's providerKeys).
  .catchall(z.unknown());

export const pricingOverrideSchema = z.strictObject({
  input_per_mtok: z.number().nonnegative(),
  output_per_mtok: z.number().nonnegative(),
  cached_input_per_mtok: z.number().nonnegative().optional(),
  cache_write_per_mtok: z.number().nonnegative().optional(),
  per_search_unit: z.number().nonnegative().optional(),
  per_image: z.number().nonnegative().optional(),
  /** USD per image by quality (standard, hd), then size (WIDTHxHEIGHT); per_image for any not listed. */
  per_image_by_quality: z
    .record(z.string().min(1), z.record(z.string().regex(/^\d+x\d+$/), z.number().nonnegative(), { error: (issue) => (issue.code === 'invalid_key' ? 'an image size is WIDTHxHEIGHT, e.g. 1024x1024' : undefined) }))
    .optional(),
  per_audio_minute: z.number().nonnegative().optional(),
});

/** The provider-worker's calls to one route (a provider and its own model name), and the requests waiting for them. */
export const providerCallsSchema = z.strictObject({
  /** By default as many as the worker allowed over all models before, so that no model is refused work it used to get. */
  max_in_flight_per_route: z.number().int().positive().default(256),
  /** Beyond this many waiting, a request is answered `overloaded` at once. */
  max_queued_per_route: z.number().int().nonnegative().default(256),
});

/** A circuit breaker's settings (see BreakerSettings in libs/routing); an absent one keeps its default. */
const breakerSettingsSchema = z
  .object({
    consecutive_failures: z.number().int().min(0).max(1000),
    error_rate: z.number().gt(0).max(1),
    min_calls: z.number().int().min(0).max(1_000_000),
    window_ms: z.number().int().min(1000).max(3_600_000),
    cooldown_ms: z.number().int().min(1).max(3_600_000),
    cooldown_growth: z.number().min(1).max(10),
    max_cooldown_ms: z.number().int().min(1).max(86_400_000),
    max_ejection_percent: z.number().min(0).max(100),
  })
  .partial()
  .strict();

export const breakerConfigSchema = breakerSettingsSchema
  .extend({
    /** Settings of single targets, keyed `<provider block>/<upstream model>`, over those above. */
    targets: z.record(z.string(), breakerSettingsSchema).default({}),
  })
  .strict();

/** The Analyze call (docs/analyze.md): the model of each task type when a task names none. */
export const analyzeConfigSchema = z.strictObject({
  default_models: z.partialRecord(z.enum(ANALYZE_TASK_TYPES), z.string().min(1)).default({}),
});

export const gatewayConfigSchema = z.strictObject({
  models: z.array(modelConfigSchema).min(1),
  providers: z.record(z.string(), providerConfigSchema).default({}),
  limits: z
    .strictObject({
      max_request_bytes: z.number().int().positive().default(4 * 1024 * 1024),
      default_timeout_ms: z.number().int().positive().default(60_000),
    })
    .default({ max_request_bytes: 4 * 1024 * 1024, default_timeout_ms: 60_000 }),
  provider_calls: providerCallsSchema.prefault({}),
  /** Circuit breakers of the route targets. */
  breaker: breakerConfigSchema.prefault({}),
  /** Per key and per team narrowing of the models' response caches (docs/caching.md). */
  cache_policies: cachePoliciesSchema.prefault({}),
  analyze: analyzeConfigSchema.prefault({}),
  /** Prices per million tokens keyed "<provider>/<upstream_model>", overriding the built-in table. */
  pricing: z.record(z.string(), pricingOverrideSchema).default({}),
  guardrail: z
    .strictObject({ rules: z.array(z.string()).default(['mask_email', 'mask_payment_card']) })
    .default({ rules: ['mask_email', 'mask_payment_card'] }),
  /** Rules on the prompt and on the answer, and those of keys and teams (docs/guardrails.md); input rules in place of `guardrail.rules`. */
  guardrails: gatewayGuardrailsSchema.optional(),
  /**
   * Gateway keys. When present, every front door requires one of the keys held (comma-separated) in
   * the named environment variable(s); the keys themselves never sit in the file.
   */
  auth: z
    .strictObject({ api_keys_env: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]) })
    .optional(),
});

/** A model as served: `route` is its tree, a one-target one for `provider` + `upstream_model`. */
export type ModelConfig = Omit<z.infer<typeof modelConfigSchema>, 'route'> & { route: RouteNode };
export type ProviderConfig = z.infer<typeof providerConfigSchema>;
export type ProviderCallLimits = z.infer<typeof providerCallsSchema>;
export type PricingOverride = z.infer<typeof pricingOverrideSchema>;
export type GatewayConfig = Omit<z.infer<typeof gatewayConfigSchema>, 'models'> & { models: ModelConfig[] };
export type BreakerConfig = z.infer<typeof breakerConfigSchema>;
export type AuthConfig = NonNullable<GatewayConfig['auth']>;
export type CacheConfig = z.infer<typeof cacheConfigSchema>;
export type CachePolicy = z.infer<typeof cachePolicySchema>;
export type CachePolicies = z.infer<typeof cachePoliciesSchema>;
export type AnalyzeConfig = z.infer<typeof analyzeConfigSchema>;

/** Every task type's default model: the configuration's, else the built-in mock's. */
export function analyzeModelsOf(config: Pick<GatewayConfig, 'analyze'>): Record<(typeof ANALYZE_TASK_TYPES)[number], string> {
  return { ...DEFAULT_ANALYZE_MODELS, ...config.analyze.default_models };
}
