// The ingress service: the gRPC front door and the HTTP one (OpenAI and Anthropic formats). Publishes
// each call to the pipeline and answers it from this instance's reply topic.
import { randomUUID } from 'node:crypto';
import * as os from 'node:os';
import * as path from 'node:path';
import { readServiceEnv } from '@switchyard/config';
import type { UsageQuery } from '@switchyard/contracts';
import { BatchRunner, BatchService, SqlBatchStore, batchPacingFrom } from '@switchyard/batch';
import { GatewayCore, batchLineSender, batchReplyRecorder, settledCallsJournal, checkBatchBody, ingressSettingsOf, loadTls, startGrpcServer, startHttpServer } from '@switchyard/ingress';
import { EventSigner, startVirtualKeys } from '@switchyard/keys';
import { createPostgresClient, queryUsageReport } from '@switchyard/storage';
import { connectServiceBus, runService, startServiceConfig } from '@switchyard/pipeline';
import { createLogger, startTracing, stopTracing } from '@switchyard/telemetry';

const logger = createLogger('ingress');
startTracing('switchyard-ingress');

void runService('ingress', logger, async () => {
  const env = readServiceEnv();
  // Every instance must key api_key_id alike, or one key would have an id per instance: no default here.
  if (!env.keyIdSecret) {
    throw new Error(
      'GATEWAY_KEY_ID_SECRET is not set: api_key_id is keyed with it, and every ingress instance must share it; set one (e.g. `openssl rand -hex 32`), or for development use the one `npm run infra:up` writes to infra/.env',
    );
  }
  // Virtual keys: the store is Postgres, which every ingress instance reaches; the keys topic carries
  // each change to every instance (docs/keys.md).
  if (env.adminKey && !env.databaseUrl) {
    throw new Error('SWITCHYARD_ADMIN_KEY turns virtual keys on, and the ingress keeps them in Postgres: set DATABASE_URL (the analytics database will do)');
  }
  const bus = await connectServiceBus('ingress', env, logger);
  const config = await startServiceConfig('ingress', env, logger, (config, configVersion) => ingressSettingsOf(config, configVersion));
  const { live } = config;
  const instanceId = env.instanceId ?? randomUUID().slice(0, 8);
  // Virtual keys and batches live in Postgres: with DATABASE_URL the ingress runs batches (docs/batch.md).
  const db = env.databaseUrl ? createPostgresClient(env.databaseUrl) : undefined;
  const signer = new EventSigner(env.keyIdSecret);
  const virtualKeys = db && env.adminKey ? await startVirtualKeys({ db, bus, instanceId, logger, signer }) : undefined;
  const batchStore = db && new SqlBatchStore(db);
  await batchStore?.migrate();
  const core = new GatewayCore({
    bus,
    ...live.current.view,
    logger,
    keyIdSecret: env.keyIdSecret,
    instanceId,
    // An instance with a lasting id has successors that read its reply topic again after a kill -9.
    settledCalls: env.instanceId ? settledCallsJournal(path.join(os.tmpdir(), 'switchyard-ingress', `${env.instanceId}.settled`)) : undefined,
    recordBatchReply: batchStore && batchReplyRecorder(batchStore),
    keys: virtualKeys?.directory,
    signer,
    adminKey: env.adminKey,
  });
  live.onChange((snapshot) => core.reconfigure(snapshot.view));
  await core.start();
  // Every instance runs batches; each batch is held by one runner at a time, by a lease on its row.
  const batchRunner = batchStore && new BatchRunner({ store: batchStore, send: batchLineSender(core), logger, runnerId: `ingress-${instanceId}`, pacing: batchPacingFrom(process.env) });
  batchRunner?.start();
  // On SIGTERM the front doors take no new calls and answer those in flight within the grace period.
  const frontDoor = {
    maxRequestBytes: live.current.config.limits.max_request_bytes,
    logger,
    shutdownGraceMs: env.shutdownGraceMs,
    tls: env.tls && loadTls(env.tls),
    admin: virtualKeys?.admin,
    // The admin key's database is the analytics one (docs/keys.md), so the usage API reads usage_events there.
    usage: db && env.adminKey ? (query: UsageQuery) => queryUsageReport(db, query) : undefined,
    batches: batchStore && new BatchService(batchStore, checkBatchBody, () => batchRunner?.nudge()),
  };
  const server = await startGrpcServer(core, { address: env.grpcAddress, ...frontDoor });
  const http = await startHttpServer(core, { address: env.httpAddress, ...frontDoor });
  logger.info('ingress ready', { grpc: env.grpcAddress, http: http.url, instance: core.instanceId, tls: frontDoor.tls ? (frontDoor.tls.clientCa ? 'mtls' : 'tls') : 'off' });
  return {
    ready: () => core.ready,
    stop: async () => {
      // The batch runner records the answers of its requests under way before the pipeline stops.
      await Promise.all([server.stop(), http.stop(), batchRunner?.stop()]);
      await core.stop();
      await bus.close();
      await config.stop();
      await db?.close();
      await stopTracing();
    },
  };
});
