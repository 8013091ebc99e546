// Process lifecycle shared by every app: start, then on SIGTERM or SIGINT stop in order (stop taking work,
// drain in-flight work within the grace period, commit, leave the consumer groups, flush producers, close
// servers and pools) and exit 0; exit 1 when it cannot start or cannot stop, so a supervisor acts.
// With GATEWAY_HEALTH_ADDR set it answers liveness and readiness probes from before the start until exit.
import { connectKafkaBus, type KafkaBus } from '@switchyard/bus';
import { healthAddressOf, readServiceEnv, shutdownGraceMsOf, type KafkaSettings } from '@switchyard/config';
import { PIPELINE_TOPICS, REPLY_TOPIC_PREFIXES } from '@switchyard/contracts';
import { serveMetrics, type Logger, type RunningMetricsServer } from '@switchyard/telemetry';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { deadLetterCounts } from './dead-letters';
import { startHealthServer, type ServiceHealth } from './health';
import { PIPELINE_CONSUMERS } from './metrics';

export interface RunningService {
  stop(): Promise<void>;
  /** Whether the service can take work now (its readiness); unset, whenever it runs. */
  ready?(): boolean;
}

export async function runService(name: string, logger: Logger, start: () => Promise<RunningService>): Promise<void> {
  let service: RunningService | undefined;
  const health: ServiceHealth = { phase: 'starting', ready: () => service?.ready?.() ?? true };
  let graceMs: number;
  let metrics: RunningMetricsServer | undefined;
  try {
    graceMs = shutdownGraceMsOf();
    const healthAddress = healthAddressOf();
    // Before the start, which can wait long for Kafka: liveness holds meanwhile, readiness does not.
    if (healthAddress) await startHealthServer(healthAddress, health);
    // Before the service starts, so that it is scraped from the moment it reports ready.
    const { metricsAddress } = readServiceEnv();
    if (metricsAddress) metrics = await serveMetrics(metricsAddress, logger);
    service = await start();
  } catch (error) {
    logger.error(`${name} failed to start`, { error: (error as Error).message });
    process.exit(1);
  }
  health.phase = 'running';
  const running = service;
  const shutdown = async (signal: string) => {
    if (health.phase === 'stopping') return;
    health.phase = 'stopping';
    logger.info(`${name} stopping`, { signal, dead_letters: deadLetterCounts() });
    // The drain has the grace period; closing connections after it, a few seconds more.
    const force = setTimeout(() => {
      logger.error(`${name} did not stop within ${graceMs + STOP_MARGIN_MS} ms; exiting`);
      process.exit(1);
    }, graceMs + STOP_MARGIN_MS);
    force.unref();
    try {
      await running.stop();
      await metrics?.stop();
      logger.info(`${name} stopped`);
      process.exit(0);
    } catch (error) {
      logger.error(`${name} failed to stop cleanly`, { error });
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGUSR2', () => logger.info(`${name} memory`, memoryReport()));
}

/**
 * What the process holds once garbage is collected: `kill -USR2 <pid>` logs it, so an operator (or a
 * test) can tell memory that is kept from memory not yet collected, which the RSS alone cannot.
 */
export function memoryReport(): { rss: number; heap_used: number; external: number } {
  collectGarbage();
  const { rss, heapUsed, external } = process.memoryUsage();
  return { rss, heap_used: heapUsed, external };
}

let gc: (() => void) | undefined;

function collectGarbage(): void {
  if (!gc) {
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  }
  gc();
}

/** How long a service may take to close its connections after the drain's grace period, before it exits anyway. */
export const STOP_MARGIN_MS = 5000;

/**
 * The Kafka bus of a distributed service, its pipeline topics ensured, with the brokers and message size
 * limit of the service's environment (readServiceEnv).
 */
export function connectServiceBus(
  service: string,
  env: { kafkaBrokers: string[]; kafkaMaxMessageBytes: number | undefined; kafka: KafkaSettings; shutdownGraceMs: number; consumerLagIntervalMs: number },
  logger: Logger,
): Promise<KafkaBus> {
  return connectKafkaBus({
    brokers: env.kafkaBrokers,
    maxMessageBytes: env.kafkaMaxMessageBytes,
    ...env.kafka,
    drainTimeoutMs: env.shutdownGraceMs,
    clientId: `switchyard-${service}`,
    logger,
    topics: PIPELINE_TOPICS,
    consumerLag: { watched: PIPELINE_CONSUMERS, intervalMs: env.consumerLagIntervalMs },
    replyTopicPrefixes: REPLY_TOPIC_PREFIXES,
  });
}
