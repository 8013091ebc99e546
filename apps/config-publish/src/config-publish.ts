// `npm run config:publish -- <file>`: checks a configuration as every service will, then publishes it on
// the config topic, which every distributed service follows (docs/configuration.md).
import { parseArgs } from 'node:util';
import { publishConfigRecord, type ConfigRecord } from '@switchyard/bus';
import { ConfigError, configVersionOf, DEFAULT_CONFIG_TOPIC, infraEnvFile } from '@switchyard/config';
import { parseServedConfig, readConfigFile } from '@switchyard/pipeline';
import { createLogger } from '@switchyard/telemetry';

export const USAGE = `usage: npm run config:publish -- <file.yaml> [options]
  checks the file as every service does, then publishes it; each service applies it within a second
options:
  --check                    check the file only; publish nothing
  --brokers <host:port,...>  Kafka (default: KAFKA_BROKERS, or infra/.env)
  --topic <name>             the config topic (default: SWITCHYARD_CONFIG_TOPIC, or ${DEFAULT_CONFIG_TOPIC})`;

export class UsageError extends Error {}

/**
 * Checks, then publishes, the file: the record published, or undefined with --check. Throws a UsageError,
 * a ConfigError for a refused configuration, or the bus's error when Kafka is unreachable.
 */
export async function runConfigPublish(argv: string[], print: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<ConfigRecord | undefined> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { check: { type: 'boolean' }, brokers: { type: 'string' }, topic: { type: 'string' } } });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError(`give one configuration file\n${USAGE}`);
  const [file] = positionals;
  const text = readConfigFile(file);
  const config = parseServedConfig(text, file);
  const config_version = configVersionOf(text);
  if (values.check) {
    print(`${file}: configuration ${config_version} passes every check (${config.models.length} models)`);
    return undefined;
  }
  const brokers = (values.brokers ?? env.KAFKA_BROKERS ?? infraEnvFile().KAFKA_BROKERS ?? '').split(',').map((broker) => broker.trim()).filter(Boolean);
  if (brokers.length === 0) throw new UsageError('no Kafka brokers: set KAFKA_BROKERS, pass --brokers, or run `npm run infra:up`');
  const topic = values.topic ?? env.SWITCHYARD_CONFIG_TOPIC ?? DEFAULT_CONFIG_TOPIC;
  const record = await publishConfigRecord({ brokers, topic, clientId: 'switchyard-config-publish', logger: createLogger('config-publish', 'error') }, { config_version, text, source: file });
  print(`published configuration ${config_version} from ${file} to ${topic} (${config.models.length} models)`);
  return record;
}

/** The exit status of a failure: 2 for a usage error, 1 for a refused configuration or anything else. */
export function exitStatusOf(error: unknown): number {
  return error instanceof UsageError ? 2 : 1;
}

/** What to print for a failure: a refusal names the file and each path in it that is wrong. */
export function messageOf(error: unknown): string {
  if (error instanceof UsageError) return error.message;
  if (error instanceof ConfigError) return `config:publish: refused: ${error.message}`;
  return `config:publish: ${(error as Error).message}`;
}
