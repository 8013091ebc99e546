import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_RETRY, parseRoute, RouteError, targetsOf } from '@switchyard/routing';
import type { GuardrailsConfig } from '@switchyard/guardrail-rules';
import { breakerSettingsOf } from './catalog';
import type { z } from 'zod';
import { gatewayConfigSchema, providerConfigSchema, type GatewayConfig, type ModelConfig, type modelConfigSchema } from './schema';

/** infra/switchyard.yaml at the workspace root: the configuration used unless SWITCHYARD_CONFIG names another. */
export const DEFAULT_CONFIG_PATH = path.resolve(__dirname, '../../../infra/switchyard.yaml');

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * The keys a provider block of an adapter kind takes besides the common ones (kind, base_url, api_key_env);
 * undefined for a kind no adapter has. The adapters own that list (libs/providers).
 */
export type ProviderKeys = (kind: string) => readonly string[] | undefined;

/**
 * The configuration in `text`, checked; a ConfigError names the path in the file of every problem, unknown
 * keys included. With `providerKeys`, each provider block's own keys are checked against its adapter's.
 */
export function parseGatewayConfig(text: string, source = 'config', providerKeys?: ProviderKeys): GatewayConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${source}: not valid YAML: ${(error as Error).message}`);
  }
  const result = gatewayConfigSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.flatMap((issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => `${[...issue.path, key].join('.')}: unknown key`)
        : [`${issue.path.join('.') || '(root)'}: ${issue.message}`],
    );
    throw new ConfigError(`${source}: ${problems.join('; ')}`);
  }
  const names = new Set<string>();
  for (const model of result.data.models) {
    if (names.has(model.name)) throw new ConfigError(`${source}: model ${model.name} is configured twice`);
    names.add(model.name);
  }
  result.data.models.forEach((model, index) => {
    const embedModel = model.cache?.embed_model;
    if (embedModel === undefined) return;
    const embedder = result.data.models.find((each) => each.name === embedModel);
    if (!embedder?.capabilities.includes('embeddings')) throw new ConfigError(`${source}: models.${index}.cache.embed_model: ${embedModel} is not a configured model with the embeddings capability`);
  });
  // A default named in the file must be served; the built-in defaults apply only where the mocks are configured.
  for (const [type, model] of Object.entries(result.data.analyze.default_models)) {
    if (!names.has(model)) throw new ConfigError(`${source}: analyze.default_models.${type}: ${model} is not a configured model`);
  }
  const classifierProblems = checkClassifierModels(result.data);
  if (classifierProblems.length > 0) throw new ConfigError(`${source}: ${classifierProblems.join('; ')}`);
  if (providerKeys) {
    const problems = providerBlockProblems(result.data, providerKeys);
    if (problems.length > 0) throw new ConfigError(`${source}: ${problems.join('; ')}`);
  }
  const config: GatewayConfig = { ...result.data, models: withRoutes(result.data.models, result.data.providers, source) };
  const breakerProblems = checkBreakers(config);
  if (breakerProblems.length > 0) throw new ConfigError(`${source}: ${breakerProblems.join('; ')}`);
  return config;
}

/** Every guardrail rule of type model names a configured model that offers chat, wherever the rule is. */
function checkClassifierModels(config: z.infer<typeof gatewayConfigSchema>): string[] {
  const chatModels = new Set(config.models.filter((model) => model.capabilities.includes('chat')).map((model) => model.name));
  const policies: [string, GuardrailsConfig | undefined][] = [
    ['guardrails', config.guardrails],
    ...config.models.map((model, index): [string, GuardrailsConfig | undefined] => [`models.${index}.guardrails`, model.guardrails]),
    ...Object.entries(config.guardrails?.keys ?? {}).map(([name, policy]): [string, GuardrailsConfig] => [`guardrails.keys.${name}`, policy]),
    ...Object.entries(config.guardrails?.teams ?? {}).map(([name, policy]): [string, GuardrailsConfig] => [`guardrails.teams.${name}`, policy]),
  ];
  return policies.flatMap(([path, policy]) =>
    (policy?.input ?? []).flatMap((rule, index) =>
      rule.type === 'model' && !chatModels.has(rule.route) ? [`${path}.input.${index}.route: ${rule.route} is not a configured model with the chat capability`] : [],
    ),
  );
}

/** What zod cannot see alone: cooldowns in order, and targets that the routes name. */
function checkBreakers(config: GatewayConfig): string[] {
  const problems: string[] = [];
  const settings = breakerSettingsOf(config);
  if (settings.max_cooldown_ms < settings.cooldown_ms) problems.push(`breaker.max_cooldown_ms: ${settings.max_cooldown_ms} is below cooldown_ms (${settings.cooldown_ms})`);
  const routed = new Set(config.models.flatMap((model) => targetsOf(model.route).map((node) => node.key)));
  for (const [target, own] of Object.entries(settings.targets)) {
    if (!routed.has(target)) problems.push(`breaker.targets.${target}: no model's route calls this target`);
    if (own.max_cooldown_ms < own.cooldown_ms) problems.push(`breaker.targets.${target}.max_cooldown_ms: ${own.max_cooldown_ms} is below cooldown_ms (${own.cooldown_ms})`);
  }
  return problems;
}

// `kind` names the adapter of a block whose name is not an adapter's (two OpenAI-compatible servers, say).
const COMMON_PROVIDER_KEYS: readonly string[] = ['kind', ...Object.keys(providerConfigSchema.shape)];

/** Provider blocks (and provider names of models) with no adapter, or with keys their adapter does not take. */
function providerBlockProblems(config: z.infer<typeof gatewayConfigSchema>, providerKeys: ProviderKeys): string[] {
  const problems: string[] = [];
  for (const [name, block] of Object.entries(config.providers)) {
    const kind = typeof block.kind === 'string' ? block.kind : name;
    const own = providerKeys(kind);
    if (!own) {
      problems.push(`providers.${name}${block.kind === undefined ? '' : '.kind'}: no adapter named ${JSON.stringify(kind)}`);
      continue;
    }
    for (const key of Object.keys(block)) {
      if (!COMMON_PROVIDER_KEYS.includes(key) && !own.includes(key)) {
        problems.push(`providers.${name}.${key}: unknown key; a ${kind} block takes ${[...COMMON_PROVIDER_KEYS, ...own].join(', ')}`);
      }
    }
  }
  config.models.forEach((model, index) => {
    if (model.provider && !(model.provider in config.providers) && !providerKeys(model.provider)) {
      problems.push(`models.${index}.provider: no adapter named ${JSON.stringify(model.provider)}; configure a block for it under providers`);
    }
  });
  return problems;
}

type ParsedModel = z.infer<typeof modelConfigSchema>;

/** Each model with its route tree; a tree with problems is refused with all of them. */
function withRoutes(models: ParsedModel[], providers: Record<string, unknown>, source: string): ModelConfig[] {
  const blocks = new Set([...Object.keys(providers), ...models.flatMap((model) => (model.provider ? [model.provider] : []))]);
  // What the file says a provider model offers: the capabilities of a model that is that target alone.
  const declared = new Map<string, readonly string[]>();
  for (const model of models) if (model.provider) declared.set(`${model.provider}/${model.upstream_model ?? model.name}`, model.capabilities);
  const problems: string[] = [];
  const served = models.map((model, index): ModelConfig | undefined => {
    const path = `models.${index}`;
    if (model.route === undefined) {
      if (!model.provider) {
        problems.push(`${path}.provider: missing; give provider (with upstream_model), or route`);
        return undefined;
      }
      const { provider, upstream_model = model.name } = model;
      return { ...model, route: { kind: 'target', path, target: { provider, upstream_model }, key: `${provider}/${upstream_model}`, retry: DEFAULT_RETRY } };
    }
    for (const key of ['provider', 'upstream_model'] as const) {
      if (model[key] !== undefined) problems.push(`${path}.${key}: give either route or provider and upstream_model, not both`);
    }
    try {
      return {
        ...model,
        route: parseRoute(model.route, `${path}.route`, {
          hasProvider: (name) => blocks.has(name),
          capabilities: model.capabilities,
          targetCapabilities: (target) => declared.get(`${target.provider}/${target.upstream_model}`),
        }),
      };
    } catch (error) {
      if (!(error instanceof RouteError)) throw error;
      problems.push(...error.problems.map((problem) => `${problem} (model ${model.name})`));
      return undefined;
    }
  });
  if (problems.length > 0) throw new ConfigError(`${source}: ${problems.join('; ')}`);
  return served as ModelConfig[];
}

export function loadGatewayConfig(file = process.env.SWITCHYARD_CONFIG || DEFAULT_CONFIG_PATH): GatewayConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read configuration ${file}: ${(error as Error).message}`);
  }
  return parseGatewayConfig(text, file);
}
