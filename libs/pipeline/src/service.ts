// Process lifecycle shared by every app: start, then on SIGTERM or SIGINT stop in order (stop consuming,
// drain in-flight work, flush producers, close servers and pools) and exit.
import { connectKafkaBus, type KafkaBus } from '@switchyard/bus';
import { PIPELINE_TOPICS } from '@switchyard/contracts';
import type { Logger } from '@switchyard/telemetry';
import { deadLetterCounts } from './dead-letters';

export interface RunningService {
  stop(): Promise<void>;
}

export async function runService(name: string, logger: Logger, start: () => Promise<RunningService>): Promise<void> {
  let service: RunningService;
  try {
    service = await start();
  } catch (error) {
    logger.error(`${name} failed to start`, { error: (error as Error).message });
    process.exit(1);
  }
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${name} stopping`, { signal, dead_letters: deadLetterCounts() });
    const force = setTimeout(() => {
      logger.error(`${name} did not stop within 15 s; exiting`);
      process.exit(1);
    }, 15_000);
    force.unref();
    try {
      await service.stop();
      logger.info(`${name} stopped`);
      process.exit(0);
    } catch (error) {
      logger.error(`${name} failed to stop cleanly`, { error });
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
}

/**
 * The Kafka bus of a distributed service, its pipeline topics ensured, with the brokers and message size
 * limit of the service's environment (readServiceEnv).
 */
export function connectServiceBus(service: string, env: { kafkaBrokers: string[]; kafkaMaxMessageBytes: number | undefined }, logger: Logger): Promise<KafkaBus> {
  return connectKafkaBus({ brokers: env.kafkaBrokers, maxMessageBytes: env.kafkaMaxMessageBytes, clientId: `switchyard-${service}`, logger, topics: PIPELINE_TOPICS });
}
