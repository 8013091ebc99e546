// The provider-worker service: guarded -> completions, streaming chunks to the caller's ingress.
import { randomUUID } from 'node:crypto';
import { readServiceEnv, routesOf } from '@switchyard/config';
import { connectServiceBus, runService, runStage, startServiceConfig } from '@switchyard/pipeline';
import { createLiveProviderWorker } from '@switchyard/provider-worker';
import { buildPriceTable } from '@switchyard/pricing';
import { createProviderRegistry } from '@switchyard/providers';
import { createLogger, startTracing, stopTracing } from '@switchyard/telemetry';

const logger = createLogger('provider-worker');
startTracing('switchyard-provider-worker');

void runService('provider-worker', logger, async () => {
  const env = readServiceEnv();
  const bus = await connectServiceBus('provider-worker', env, logger);
  const { live, stop } = await startServiceConfig('provider-worker', env, logger, (config) => ({
    providers: createProviderRegistry(config),
    routes: routesOf(config),
    limits: config.provider_calls,
    prices: buildPriceTable(config.pricing),
  }));
  const worker = createLiveProviderWorker((request) => live.at(request.config_version).view, {});
  // Every instance must hear every cancellation, so each reads them in a group of its own.
  await runStage(bus, worker.cancellations, { logger, group: `switchyard-provider-worker-${randomUUID().slice(0, 8)}` });
  await runStage(bus, worker.stage, { logger });
  logger.info('provider-worker ready', { providers: [...live.current.view.providers.keys()] });
  return { stop: async () => { await bus.close(); await stop(); await stopTracing(); } };
});
