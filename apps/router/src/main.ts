// The router service: requests -> routed.
import { buildModelCatalog, loadGatewayConfig, readServiceEnv } from '@switchyard/config';
import { connectServiceBus, runService, runStage } from '@switchyard/pipeline';
import { createRouterStage } from '@switchyard/router';
import { createLogger, gatewayMetrics, startTracing, stopTracing } from '@switchyard/telemetry';

const logger = createLogger('router');
startTracing('switchyard-router');

void runService('router', logger, async () => {
  const config = loadGatewayConfig();
  gatewayMetrics().configure({ models: config.models.map((model) => model.name) });
  const env = readServiceEnv();
  const bus = await connectServiceBus('router', env, logger);
  await runStage(bus, createRouterStage(buildModelCatalog(config)), { logger });
  logger.info('router ready', { models: config.models.length });
  return { stop: async () => { await bus.close(); await stopTracing(); } };
});
