// A service's one live configuration: distributed, the latest version on the config topic (else its
// file), and every version published after; each stage handles an event on the version it started with.
import * as fs from 'node:fs';
import { readConfigTopic, type ConfigRecord } from '@switchyard/bus';
import { ConfigError, LiveConfig, parseGatewayConfig, reportApplied, type GatewayConfig, type ServiceEnv } from '@switchyard/config';
import { providerKeys } from '@switchyard/providers';
import { gatewayMetrics, type Logger } from '@switchyard/telemetry';
import type { Stage } from './stage';

/** Every check a configuration meets before a process runs on it, the adapters' own keys included. */
export function parseServedConfig(text: string, source: string): GatewayConfig {
  return parseGatewayConfig(text, source, providerKeys);
}

/** The text of a configuration file; a ConfigError when it cannot be read. */
export function readConfigFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read configuration ${file}: ${(error as Error).message}`);
  }
}

export interface ServiceConfig<V> {
  live: LiveConfig<V>;
  stop(): Promise<void>;
}

/**
 * A distributed service's configuration: the latest version published on the config topic when there is
 * one that passes the checks, else its file; then each version published, applied as it comes (or
 * refused, with the running one kept). `derive` makes what the service runs from a configuration.
 */
export async function startServiceConfig<V>(
  service: string,
  env: Pick<ServiceEnv, 'kafkaBrokers' | 'configFile' | 'configTopic' | 'kafka'>,
  logger: Logger,
  derive: (config: GatewayConfig, configVersion: string) => V,
): Promise<ServiceConfig<V>> {
  const options = { parse: parseServedConfig, derive };
  const reader = await readConfigTopic({ brokers: env.kafkaBrokers, topic: env.configTopic, clientId: `switchyard-${service}`, logger, replicationFactor: env.kafka.replicationFactor });
  let live: LiveConfig<V> | undefined;
  if (reader.latest) {
    try {
      live = new LiveConfig(options, { text: reader.latest.text, source: publishedSource(env.configTopic, reader.latest) });
    } catch (error) {
      logger.error('the published configuration is refused; starting on the file', { config_version: reader.latest.config_version, reason: (error as Error).message });
    }
  }
  try {
    live ??= new LiveConfig(options, { text: readConfigFile(env.configFile), source: env.configFile });
  } catch (error) {
    await reader.stop();
    throw error;
  }
  logger.info('configuration', { config_version: live.current.config_version, source: live.current.source });
  const running = live;
  reader.follow((record) => reportApplied(logger, running.apply(record.text, publishedSource(env.configTopic, record))));
  labelMetricsWithModels(live);
  return { live, stop: reader.stop };
}

/** The metrics' model label takes the model names of the configuration version now current. */
export function labelMetricsWithModels<V>(live: LiveConfig<V>): void {
  const configure = (config: GatewayConfig) => gatewayMetrics().configure({ models: config.models.map((model) => model.name) });
  configure(live.current.config);
  live.onChange((snapshot) => configure(snapshot.config));
}

function publishedSource(topic: string, record: ConfigRecord): string {
  return `${topic} (${record.source}, published ${record.published_at})`;
}

/**
 * A stage on a live configuration: each event is handled by the stage made from the configuration version
 * it started on (`versionOf`; `stageAt` gives the current version's for one not kept), whose name, topic
 * and group do not change with versions.
 */
export function liveStage<E>(stageAt: (configVersion: string | undefined) => Stage<E>, versionOf: (event: E) => string | undefined): Stage<E> {
  const { name, input, copartitionedInputs, group, parse, maxInFlightBatches } = stageAt(undefined);
  return {
    name,
    input,
    copartitionedInputs,
    group,
    parse,
    maxInFlightBatches,
    handle: (event, context) => stageAt(versionOf(event)).handle(event, context),
    onFailure: (event, error) => stageAt(versionOf(event)).onFailure(event, error),
  };
}
