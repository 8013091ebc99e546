// The router service: requests -> routed; it holds virtual keys' requests to their limits, and keeps
// their budgets' spend in Postgres (the keys' schema) when DATABASE_URL is set.
import { randomUUID } from 'node:crypto';
import type { Bus } from '@switchyard/bus';
import { buildModelCatalog, readServiceEnv } from '@switchyard/config';
import { EventAuthenticator, EventSigner, followKeyChanges, KeyDirectory, Limiter, SqlKeyStore, SqlSpendLedger, unreachableSpendLedger } from '@switchyard/keys';
import { connectServiceBus, liveStage, runService, runStage, startServiceConfig } from '@switchyard/pipeline';
import { buildPriceTable } from '@switchyard/pricing';
import { createRouterStage } from '@switchyard/router';
import { createPostgresClient, type SqlClient } from '@switchyard/storage';
import { createLogger, startTracing, stopTracing } from '@switchyard/telemetry';

const logger = createLogger('router');

/**
 * Virtual keys on: the router takes from switchyard.requests only what the gateway signed or a producer
 * token vouches for, and reads the keys as every ingress does (the store, then the keys topic).
 */
async function startEventAuthentication(keyIdSecret: string | undefined, db: SqlClient | undefined, bus: Bus): Promise<EventAuthenticator> {
  if (!keyIdSecret || !db) {
    throw new Error('SWITCHYARD_ADMIN_KEY turns virtual keys on, and the router then checks who sent each request with GATEWAY_KEY_ID_SECRET and the keys in DATABASE_URL: set both, as for the ingress');
  }
  const directory = new KeyDirectory();
  for (const change of await new SqlKeyStore(db).snapshot()) directory.apply(change);
  await followKeyChanges(bus, directory, `router-${randomUUID().slice(0, 8)}`, logger);
  return new EventAuthenticator(new EventSigner(keyIdSecret), directory);
}
startTracing('switchyard-router');

void runService('router', logger, async () => {
  const env = readServiceEnv();
  const db = env.databaseUrl ? createPostgresClient(env.databaseUrl) : undefined;
  if (db) await new SqlKeyStore(db).migrate();
  const ledger = db ? new SqlSpendLedger(db) : unreachableSpendLedger('the router has no DATABASE_URL, where budgets keep their spend');
  const limiter = new Limiter(ledger, (error) => logger.warn('could not record a settled cost in the spend ledger; it stays counted in this instance', { error: error.message }));
  const bus = await connectServiceBus('router', env, logger);
  const authenticator = env.adminKey ? await startEventAuthentication(env.keyIdSecret, db, bus) : undefined;
  const { live, stop } = await startServiceConfig('router', env, logger, (config) =>
    createRouterStage(buildModelCatalog(config), { limiter, prices: buildPriceTable(config.pricing), authenticator: () => authenticator }),
  );
  await runStage(bus, liveStage((version) => live.at(version).view, (event) => ('type' in event ? undefined : event.config_version)), { logger });
  logger.info('router ready', { models: live.current.config.models.length, spend_ledger: db ? 'postgres' : 'none', event_authentication: authenticator ? 'on' : 'off' });
  return {
    stop: async () => {
      await bus.close();
      await stop();
      await db?.close();
      await stopTracing();
    },
  };
});
