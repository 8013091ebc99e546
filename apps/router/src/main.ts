// The router service: requests -> routed.
import { connectKafkaBus } from '@switchyard/bus';
import { buildModelCatalog, loadGatewayConfig, readServiceEnv } from '@switchyard/config';
import { PIPELINE_TOPICS } from '@switchyard/contracts';
import { runService, runStage } from '@switchyard/pipeline';
import { createRouterStage } from '@switchyard/router';
import { createLogger, startTracing, stopTracing } from '@switchyard/telemetry';

const logger = createLogger('router');
startTracing('switchyard-router');

void runService('router', logger, async () => {
  const config = loadGatewayConfig();
  const env = readServiceEnv();
  const bus = await connectKafkaBus({ brokers: env.kafkaBrokers, maxMessageBytes: env.kafkaMaxMessageBytes, clientId: 'switchyard-router', logger, topics: PIPELINE_TOPICS });
  await runStage(bus, createRouterStage(buildModelCatalog(config)), { logger });
  logger.info('router ready', { models: config.models.length });
  return { stop: async () => { await bus.close(); await stopTracing(); } };
});
