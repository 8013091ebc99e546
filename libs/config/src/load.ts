import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { gatewayConfigSchema, type GatewayConfig } from './schema';

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
  return result.data;
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
