// The provider-worker service: guarded -> completions, streaming chunks to the caller's ingress.
import { randomUUID } from 'node:crypto';
import { ResponseCache, SqlCacheStore } from '@switchyard/cache';
import { breakerSettingsOf, cachesOf, readServiceEnv, routesOf, type GatewayConfig } from '@switchyard/config';
import { BREAKERS_TOPIC, BREAKERS_TOPIC_PARTITIONS } from '@switchyard/contracts';
import { modelChecksOf, outputGuards, outputLayersOf, policiesOf } from '@switchyard/guardrail-rules';
import { connectServiceBus, runService, runStage, startServiceConfig } from '@switchyard/pipeline';
import { createLiveProviderWorker, OUTCOMES_REPLAYED_MS } from '@switchyard/provider-worker';
import { buildPriceTable } from '@switchyard/pricing';
import { createProviderRegistry } from '@switchyard/providers';
import { createPostgresClient } from '@switchyard/storage';
import { createLogger, gatewayMetrics, startTracing, stopTracing } from '@switchyard/telemetry';

const logger = createLogger('provider-worker');
startTracing('switchyard-provider-worker');

void runService('provider-worker', logger, async () => {
  const env = readServiceEnv();
  const bus = await connectServiceBus('provider-worker', env, logger);
  const { live, stop } = await startServiceConfig('provider-worker', env, logger, (config) => {
    const policies = policiesOf(config);
    return {
      providers: createProviderRegistry(config),
      routes: routesOf(config),
      limits: config.provider_calls,
      prices: buildPriceTable(config.pricing),
      breaker: breakerSettingsOf(config),
      output: outputGuards(policies),
      outputLayers: outputLayersOf(policies),
      modelChecks: modelChecksOf(policies),
      cache: cachesOf(config),
      cachePolicies: config.cache_policies,
    };
  });
  // The response cache is a table every instance shares, in the analytics database. The pool connects on
  // the first lookup, so a worker whose models have no cache opens no connection.
  const db = env.databaseUrl ? createPostgresClient(env.databaseUrl, 2) : undefined;
  const responseCache = db && new ResponseCache({ store: new SqlCacheStore(db), logger });
  const warnIfUncached = (config: GatewayConfig) => {
    const cached = config.models.filter((model) => model.cache).map((model) => model.name);
    if (!db && cached.length > 0) logger.warn('models have a response cache, but DATABASE_URL is not set: their answers are not cached', { models: cached });
  };
  warnIfUncached(live.current.config);
  live.onChange((snapshot) => warnIfUncached(snapshot.config));
  // The breakers' state outlives configuration versions; their settings are the current version's.
  const worker = createLiveProviderWorker((request) => live.at(request.config_version).view, { breaker: () => live.current.view.breaker, responseCache });
  // Before the first call: a transition published to a topic not yet made would make it uncompacted.
  await bus.ensureTopics([BREAKERS_TOPIC], BREAKERS_TOPIC_PARTITIONS, { compacted: true });
  // Every instance must hear every breaker transition, from the topic's beginning: a group of its own at each start.
  await runStage(bus, worker.breakerTransitions, { logger, group: `switchyard-provider-worker-breakers-${randomUUID().slice(0, 8)}` });
  gatewayMetrics().watchBreakers(worker.breakers);
  // Every instance must hear every cancellation, so each reads them in a group of its own.
  await runStage(bus, worker.cancellations, { logger, group: `switchyard-provider-worker-${randomUUID().slice(0, 8)}` });
  // Read up to now before taking requests, so that a request answered by an instance that died before
  // it committed is known as answered when it comes again.
  const outcomes = await runStage(bus, worker.outcomes, { logger, group: `switchyard-provider-worker-outcomes-${randomUUID().slice(0, 8)}`, since: Date.now() - OUTCOMES_REPLAYED_MS });
  // And the batch requests' calls started, so that one whose worker died during its call is not called again.
  const providerCalls = await runStage(bus, worker.providerCalls, { logger, group: `switchyard-provider-worker-calls-${randomUUID().slice(0, 8)}`, since: Date.now() - OUTCOMES_REPLAYED_MS });
  // The same after every rebalance: requests taken over from another instance wait until the outcomes
  // and calls it published before giving them up are known here (a broker restart once had them called twice).
  await runStage(bus, worker.stage, { logger, beforeConsuming: async () => void (await Promise.all([outcomes.readUpToNow(), providerCalls.readUpToNow()])) });
  logger.info('provider-worker ready', { providers: [...live.current.view.providers.keys()] });
  return { stop: async () => { await bus.close(); await stop(); await db?.close(); await stopTracing(); } };
});
