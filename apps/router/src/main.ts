// The router service: requests -> routed.
import { buildModelCatalog, readServiceEnv } from '@switchyard/config';
import { connectServiceBus, liveStage, runService, runStage, startServiceConfig } from '@switchyard/pipeline';
import { createRouterStage } from '@switchyard/router';
import { createLogger, startTracing, stopTracing } from '@switchyard/telemetry';

const logger = createLogger('router');
startTracing('switchyard-router');

void runService('router', logger, async () => {
  const env = readServiceEnv();
  const bus = await connectServiceBus('router', env, logger);
  const { live, stop } = await startServiceConfig('router', env, logger, (config) => createRouterStage(buildModelCatalog(config)));
  await runStage(bus, liveStage((version) => live.at(version).view, (request) => request.config_version), { logger });
  logger.info('router ready', { models: live.current.config.models.length });
  return { stop: async () => { await bus.close(); await stop(); await stopTracing(); } };
});
