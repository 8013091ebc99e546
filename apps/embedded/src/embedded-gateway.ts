// Every stage in one process, on the in-memory bus, with analytics in PGlite (or Postgres when
// DATABASE_URL is set). The same stage code as the distributed services; only the bus differs.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startAnalyticsSink } from '@switchyard/analytics';
import { InMemoryBus } from '@switchyard/bus';
import { buildModelCatalog, readServiceEnv, routesOf, type GatewayConfig, type SqlPortSettings } from '@switchyard/config';
import { createGuardrailStage } from '@switchyard/guardrail';
import { outputGuards, policiesOf } from '@switchyard/guardrail-rules';
import { GatewayCore, gatewayKeysFrom, startGrpcServer, startHttpServer, type RunningHttpServer } from '@switchyard/ingress';
import { createMeteringStage } from '@switchyard/metering';
import { DEAD_LETTER_FILE, recordDeadLetters, runStage } from '@switchyard/pipeline';
import { buildPriceTable } from '@switchyard/pricing';
import { createProviderWorker } from '@switchyard/provider-worker';
import { createProviderRegistry } from '@switchyard/providers';
import { createRouterStage } from '@switchyard/router';
import { describeUsageEventsLayout, ensureAnalyticsSchema, openAnalyticsDatabase, type SqlClient } from '@switchyard/storage';
import type { Logger } from '@switchyard/telemetry';

export interface EmbeddedGatewayOptions {
  config: GatewayConfig;
  grpcAddress: string;
  /** host:port of the HTTP front door (OpenAI and Anthropic formats); without it there is none. */
  httpAddress?: string;
  dataDir: string;
  databaseUrl?: string;
  /** Where PGlite answers Postgres clients (psql), read-only, to a password; without it, only the gateway reads it. */
  sql?: SqlPortSettings;
  logger: Logger;
  env?: NodeJS.ProcessEnv;
}

export interface EmbeddedGateway {
  port: number;
  /** The HTTP front door's URL, when it was asked for. */
  httpUrl?: string;
  core: GatewayCore;
  db: SqlClient;
  bus: InMemoryBus;
  stop(): Promise<void>;
}

export async function startEmbeddedGateway(options: EmbeddedGatewayOptions): Promise<EmbeddedGateway> {
  const { config, logger } = options;
  const env = options.env ?? process.env;
  const bus = new InMemoryBus();
  const catalog = buildModelCatalog(config, env);
  const apiKeys = gatewayKeysFrom(config.auth, env);
  const keyIdSecret = readServiceEnv(env).keyIdSecret ?? keyIdSecretIn(options.dataDir);

  const db = await openAnalyticsDatabase({ databaseUrl: options.databaseUrl, dataDir: options.dataDir, sql: options.sql });
  const layout = await ensureAnalyticsSchema(db);
  logger.info(describeUsageEventsLayout(layout), { engine: db.engine });

  // The in-memory bus keeps nothing: dead letters go to a file in the data folder instead.
  await recordDeadLetters(bus, path.join(options.dataDir, DEAD_LETTER_FILE), logger);
  const sink = await startAnalyticsSink({ bus, db, logger });
  const prices = buildPriceTable(config.pricing);
  const policies = policiesOf(config);
  const worker = createProviderWorker(createProviderRegistry(config, env), { routes: routesOf(config), limits: config.provider_calls, prices, output: outputGuards(policies) });
  await runStage(bus, createRouterStage(catalog), { logger });
  await runStage(bus, createGuardrailStage(policies), { logger });
  await runStage(bus, worker.stage, { logger });
  await runStage(bus, worker.cancellations, { logger });
  await runStage(bus, createMeteringStage(prices), { logger });

  const core = new GatewayCore({ bus, catalog, logger, defaultTimeoutMs: config.limits.default_timeout_ms, instanceId: 'embedded', apiKeys, keyIdSecret });
  await core.start();
  const server = await startGrpcServer(core, { address: options.grpcAddress, maxRequestBytes: config.limits.max_request_bytes, logger });
  let http: RunningHttpServer | undefined;
  if (options.httpAddress) http = await startHttpServer(core, { address: options.httpAddress, maxRequestBytes: config.limits.max_request_bytes, logger });

  return {
    port: server.port,
    httpUrl: http?.url,
    core,
    db,
    bus,
    async stop() {
      await Promise.all([server.stop(), http?.stop()]);
      await core.stop();
      await bus.close();
      sink.stop();
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
