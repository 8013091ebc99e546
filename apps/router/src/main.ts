// The router service: requests -> routed; it holds virtual keys' requests to their limits, and keeps
// their budgets' spend in Postgres (the keys' schema) when DATABASE_URL is set.
import { buildModelCatalog, readServiceEnv } from '@switchyard/config';
import { Limiter, SqlKeyStore, SqlSpendLedger, unreachableSpendLedger } from '@switchyard/keys';
import { connectServiceBus, liveStage, runService, runStage, startServiceConfig } from '@switchyard/pipeline';
import { buildPriceTable } from '@switchyard/pricing';
import { createRouterStage } from '@switchyard/router';
import { createPostgresClient } from '@switchyard/storage';
import { createLogger, startTracing, stopTracing } from '@switchyard/telemetry';

const logger = createLogger('router');
startTracing('switchyard-router');

void runService('router', logger, async () => {
  const env = readServiceEnv();
  const db = env.databaseUrl ? createPostgresClient(env.databaseUrl) : undefined;
  if (db) await new SqlKeyStore(db).migrate();
  const ledger = db ? new SqlSpendLedger(db) : unreachableSpendLedger('the router has no DATABASE_URL, where budgets keep their spend');
  const limiter = new Limiter(ledger, (error) => logger.warn('could not record a settled cost in the spend ledger; it stays counted in this instance', { error: error.message }));
  const bus = await connectServiceBus('router', env, logger);
  const { live, stop } = await startServiceConfig('router', env, logger, (config) =>
    createRouterStage(buildModelCatalog(config), { limiter, prices: buildPriceTable(config.pricing) }),
  );
  await runStage(bus, liveStage((version) => live.at(version).view, (event) => ('type' in event ? undefined : event.config_version)), { logger });
  logger.info('router ready', { models: live.current.config.models.length, spend_ledger: db ? 'postgres' : 'none' });
  return {
    stop: async () => {
      await bus.close();
      await stop();
      await db?.close();
      await stopTracing();
    },
  };
});
