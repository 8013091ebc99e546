import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_RETRY, parseRoute, RouteError, targetsOf } from '@switchyard/routing';
import { breakerSettingsOf } from './catalog';
import type { z } from 'zod';
import { gatewayConfigSchema, type GatewayConfig, type ModelConfig, type modelConfigSchema } from './schema';

/** infra/switchyard.yaml at the workspace root: the configuration used unless SWITCHYARD_CONFIG names another. */
export const DEFAULT_CONFIG_PATH = path.resolve(__dirname, '../../../infra/switchyard.yaml');

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function parseGatewayConfig(text: string, source = 'config'): GatewayConfig {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`${source}: not valid YAML: ${(error as Error).message}`);
  }
  const result = gatewayConfigSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigError(`${source}: ${problems.join('; ')}`);
  }
  const names = new Set<string>();
  for (const model of result.data.models) {
    if (names.has(model.name)) throw new ConfigError(`${source}: model ${model.name} is configured twice`);
    names.add(model.name);
  }
  const config: GatewayConfig = { ...result.data, models: withRoutes(result.data.models, result.data.providers, source) };
  const breakerProblems = checkBreakers(config);
  if (breakerProblems.length > 0) throw new ConfigError(`${source}: ${breakerProblems.join('; ')}`);
  return config;
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
