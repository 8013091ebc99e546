// Every stage in one process, on the in-memory bus, with analytics in PGlite (or Postgres when
// DATABASE_URL is set). The same stage code as the distributed services; only the bus differs.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readUsageRetentionDays, startAnalyticsSink, startUsageMaintenance } from '@switchyard/analytics';
import { BatchRunner, BatchService, SqlBatchStore, batchPacingFrom } from '@switchyard/batch';
import { ResponseCache, SqlCacheStore } from '@switchyard/cache';
import { InMemoryBus } from '@switchyard/bus';
import { breakerSettingsOf, buildModelCatalog, cachesOf, LiveConfig, readServiceEnv, routesOf, watchConfigFile, type ConfigFileWatch, type GatewayConfig, type SqlPortSettings } from '@switchyard/config';
import type { CompletionEvent, RequestEvent, RequestsTopicEvent, UsageQuery } from '@switchyard/contracts';
import { createGuardrailStage } from '@switchyard/guardrail';
import { modelChecksOf, outputGuards, outputLayersOf, policiesOf } from '@switchyard/guardrail-rules';
import { GatewayCore, batchLineSender, checkBatchBody, ingressSettingsOf, startGrpcServer, startHttpServer, type IngressSettings, type RunningHttpServer, type TlsMaterial } from '@switchyard/ingress';
import { EventAuthenticator, EventSigner, Limiter, SqlKeyStore, SqlSpendLedger, startVirtualKeys } from '@switchyard/keys';
import { createMeteringStage } from '@switchyard/metering';
import { DEAD_LETTER_FILE, labelMetricsWithModels, liveStage, parseServedConfig, readConfigFile, recordDeadLetters, runStage, type Stage } from '@switchyard/pipeline';
import { buildPriceTable } from '@switchyard/pricing';
import { createLiveProviderWorker, type BreakerOptions, type WorkerSetup } from '@switchyard/provider-worker';
import { createProviderRegistry } from '@switchyard/providers';
import { createRouterStage } from '@switchyard/router';
import { describeUsageEventsLayout, ensureAnalyticsSchema, openAnalyticsDatabase, queryUsageReport, type SqlClient } from '@switchyard/storage';
import { gatewayMetrics, type Logger } from '@switchyard/telemetry';

/**
 * The configuration: a file, followed (applied on change and on SIGHUP, see docs/configuration.md), or one
 * read already, which stays.
 */
export type EmbeddedConfigSource = { configFile: string } | { config: GatewayConfig };

export type EmbeddedGatewayOptions = EmbeddedConfigSource & {
  grpcAddress: string;
  /** host:port of the HTTP front door (OpenAI and Anthropic formats); without it there is none. */
  httpAddress?: string;
  /** TLS on both front doors; without it, plain text. */
  tls?: TlsMaterial;
  dataDir: string;
  databaseUrl?: string;
  /** Where PGlite answers Postgres clients (psql), read-only, to a password; without it, only the gateway reads it. */
  sql?: SqlPortSettings;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
};

/** What the stages run from one configuration version. */
interface EmbeddedView {
  router: Stage<RequestsTopicEvent>;
  guardrail: Stage<RequestEvent>;
  metering: Stage<CompletionEvent>;
  worker: WorkerSetup;
  ingress: IngressSettings;
  breaker: BreakerOptions;
}

export interface EmbeddedGateway {
  port: number;
  /** The HTTP front door's URL, when it was asked for. */
  httpUrl?: string;
  core: GatewayCore;
  db: SqlClient;
  bus: InMemoryBus;
  config: LiveConfig<EmbeddedView>;
  stop(): Promise<void>;
}

export async function startEmbeddedGateway(options: EmbeddedGatewayOptions): Promise<EmbeddedGateway> {
  const { logger } = options;
  const env = options.env ?? process.env;
  const { keyIdSecret = keyIdSecretIn(options.dataDir), adminKey } = readServiceEnv(env);
  const signer = new EventSigner(keyIdSecret);
  // Every configuration version's router shares the limits' counters and the check of who sent an event.
  // The ledger and the keys are the database's, opened after the configuration is read.
  const opened: { ledger?: SqlSpendLedger; authenticator?: EventAuthenticator } = {};
  const limiter = new Limiter(
    { spent: (holder, since) => opened.ledger!.spent(holder, since), record: (entry) => opened.ledger!.record(entry) },
    (error) => logger.warn('could not record a settled cost in the spend ledger; it stays counted in this process', { error: error.message }),
  );
  const derive = (config: GatewayConfig, configVersion: string): EmbeddedView => {
    const prices = buildPriceTable(config.pricing);
    const policies = policiesOf(config);
    return {
      router: createRouterStage(buildModelCatalog(config, env), { limiter, prices, authenticator: () => opened.authenticator }),
      guardrail: createGuardrailStage(policies),
      metering: createMeteringStage(prices, undefined, (settlement) => signer.signSettlement(settlement)),
      worker: {
        providers: createProviderRegistry(config, env),
        routes: routesOf(config),
        limits: config.provider_calls,
        prices,
        output: outputGuards(policies),
        outputLayers: outputLayersOf(policies),
        modelChecks: modelChecksOf(policies),
        cache: cachesOf(config),
        cachePolicies: config.cache_policies,
      },
      ingress: ingressSettingsOf(config, configVersion, env),
      breaker: breakerSettingsOf(config),
    };
  };
  const live =
    'configFile' in options
      ? new LiveConfig({ parse: parseServedConfig, derive }, { text: readConfigFile(options.configFile), source: options.configFile })
      : new LiveConfig({ parse: parseServedConfig, derive }, { config: options.config, source: 'options' });
  const bus = new InMemoryBus();
  const metrics = gatewayMetrics();
  labelMetricsWithModels(live);

  const db = await openAnalyticsDatabase({ databaseUrl: options.databaseUrl, dataDir: options.dataDir, sql: options.sql });
  const layout = await ensureAnalyticsSchema(db);
  logger.info(describeUsageEventsLayout(layout), { engine: db.engine });
  await new SqlKeyStore(db).migrate();
  // Batches, their files and their requests live beside analytics too; a restart resumes them (docs/batch.md).
  const batchStore = new SqlBatchStore(db);
  await batchStore.migrate();
  opened.ledger = new SqlSpendLedger(db);

  // The in-memory bus keeps nothing: dead letters go to a file in the data folder instead.
  await recordDeadLetters(bus, path.join(options.dataDir, DEAD_LETTER_FILE), logger);
  const sink = await startAnalyticsSink({ bus, db, logger });
  // Raw rows past USAGE_EVENTS_RETENTION_DAYS are dropped, and the coming months' partitions made, hourly.
  const maintenance = await startUsageMaintenance({ db, logger, retentionDays: readUsageRetentionDays(env) });
  // Virtual keys live beside analytics, in the same database; the admin key turns them on.
  const virtualKeys = adminKey ? await startVirtualKeys({ db, bus, instanceId: 'embedded', logger, signer }) : undefined;
  if (virtualKeys) opened.authenticator = new EventAuthenticator(signer, virtualKeys.directory);
  const at = (configVersion: string | undefined) => live.at(configVersion).view;
  // The breakers' state outlives configuration versions; their settings are the current version's.
  // Cached answers sit beside analytics, in the same database (PGlite, or Postgres with DATABASE_URL).
  const responseCache = new ResponseCache({ store: new SqlCacheStore(db), logger });
  const worker = createLiveProviderWorker((request) => at(request.config_version).worker, { breaker: () => live.current.view.breaker, responseCache });
  await runStage(bus, liveStage((version) => at(version).router, (event) => ('type' in event ? undefined : event.config_version)), { logger });
  await runStage(bus, liveStage((version) => at(version).guardrail, (request) => request.config_version), { logger });
  metrics.watchBreakers(worker.breakers);
  await runStage(bus, worker.stage, { logger });
  await runStage(bus, worker.cancellations, { logger });
  await runStage(bus, worker.breakerTransitions, { logger });
  await runStage(bus, liveStage((version) => at(version).metering, (completion) => completion.request.config_version), { logger });

  const core = new GatewayCore({ bus, ...live.current.view.ingress, logger, instanceId: 'embedded', keyIdSecret, keys: virtualKeys?.directory, adminKey, signer });
  live.onChange((snapshot) => core.reconfigure(snapshot.view.ingress));
  await core.start();
  const batchRunner = new BatchRunner({ store: batchStore, send: batchLineSender(core), logger, runnerId: 'embedded', pacing: batchPacingFrom(env) });
  batchRunner.start();
  const frontDoor = {
    maxRequestBytes: live.current.config.limits.max_request_bytes,
    logger,
    tls: options.tls,
    admin: virtualKeys?.admin,
    usage: (query: UsageQuery) => queryUsageReport(db, query),
    batches: new BatchService(batchStore, checkBatchBody, () => batchRunner.nudge()),
  };
  const server = await startGrpcServer(core, { address: options.grpcAddress, ...frontDoor });
  let http: RunningHttpServer | undefined;
  if (options.httpAddress) http = await startHttpServer(core, { address: options.httpAddress, ...frontDoor, metrics: () => metrics.exposition() });
  const watch: ConfigFileWatch | undefined = 'configFile' in options ? watchConfigFile(live, options.configFile, logger) : undefined;

  return {
    port: server.port,
    httpUrl: http?.url,
    core,
    db,
    bus,
    config: live,
    async stop() {
      watch?.close();
      // The batch runner lets its requests under way finish, and records them, before the pipeline stops.
      await Promise.all([server.stop(), http?.stop(), batchRunner.stop()]);
      await core.stop();
      await bus.close();
      sink.stop();
      maintenance.stop();
      await db.close();
    },
  };
}

/**
 * The api_key_id secret of a data folder without GATEWAY_KEY_ID_SECRET: made on its first start and kept
 * there, readable by its owner only, so that a key keeps its id across restarts.
 */
function keyIdSecretIn(dataDir: string): string {
  const file = path.join(dataDir, 'key-id-secret');
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  return fs.readFileSync(file, 'utf8').trim();
}
