// The provider-worker service: guarded -> completions, streaming chunks to the caller's ingress.
import { randomUUID } from 'node:crypto';
import { loadGatewayConfig, readServiceEnv, routesOf } from '@switchyard/config';
import { outputGuards, policiesOf } from '@switchyard/guardrail-rules';
import { connectServiceBus, runService, runStage } from '@switchyard/pipeline';
import { createProviderWorker, OUTCOMES_REPLAYED_MS } from '@switchyard/provider-worker';
import { buildPriceTable } from '@switchyard/pricing';
import { createProviderRegistry } from '@switchyard/providers';
import { createLogger, startTracing, stopTracing } from '@switchyard/telemetry';

const logger = createLogger('provider-worker');
startTracing('switchyard-provider-worker');

void runService('provider-worker', logger, async () => {
  const config = loadGatewayConfig();
  const env = readServiceEnv();
  const providers = createProviderRegistry(config);
  const bus = await connectServiceBus('provider-worker', env, logger);
  const worker = createProviderWorker(providers, { routes: routesOf(config), limits: config.provider_calls, prices: buildPriceTable(config.pricing), output: outputGuards(policiesOf(config)) });
  // Every instance must hear every cancellation, so each reads them in a group of its own.
  await runStage(bus, worker.cancellations, { logger, group: `switchyard-provider-worker-${randomUUID().slice(0, 8)}` });
  // Read up to now before taking requests, so that a request answered by an instance that died before
  // it committed is known as answered when it comes again.
  await runStage(bus, worker.outcomes, { logger, group: `switchyard-provider-worker-outcomes-${randomUUID().slice(0, 8)}`, since: Date.now() - OUTCOMES_REPLAYED_MS });
  await runStage(bus, worker.stage, { logger });
  logger.info('provider-worker ready', { providers: [...providers.keys()] });
  return { stop: async () => { await bus.close(); await stopTracing(); } };
});
