// The metering service: completions -> usage, and the caller's answer to its ingress.
import { connectKafkaBus } from '@switchyard/bus';
import { loadGatewayConfig, readServiceEnv } from '@switchyard/config';
import { PIPELINE_TOPICS } from '@switchyard/contracts';
import { createMeteringStage } from '@switchyard/metering';
import { runService, runStage } from '@switchyard/pipeline';
import { buildPriceTable } from '@switchyard/pricing';
import { createLogger, startTracing, stopTracing } from '@switchyard/telemetry';

const logger = createLogger('metering');
startTracing('switchyard-metering');

void runService('metering', logger, async () => {
  const config = loadGatewayConfig();
  const env = readServiceEnv();
  const bus = await connectKafkaBus({ brokers: env.kafkaBrokers, maxMessageBytes: env.kafkaMaxMessageBytes, clientId: 'switchyard-metering', logger, topics: PIPELINE_TOPICS });
  await runStage(bus, createMeteringStage(buildPriceTable(config.pricing)), { logger });
  logger.info('metering ready');
  return { stop: async () => { await bus.close(); await stopTracing(); } };
});
