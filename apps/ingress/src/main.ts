// The ingress service: the gRPC front door and the HTTP one (OpenAI and Anthropic formats). Publishes
// each call to the pipeline and answers it from this instance's reply topic.
import { buildModelCatalog, loadGatewayConfig, readServiceEnv } from '@switchyard/config';
import { GatewayCore, gatewayKeysFrom, startGrpcServer, startHttpServer } from '@switchyard/ingress';
import { connectServiceBus, runService } from '@switchyard/pipeline';
import { createLogger, gatewayMetrics, startTracing, stopTracing } from '@switchyard/telemetry';

const logger = createLogger('ingress');
startTracing('switchyard-ingress');

void runService('ingress', logger, async () => {
  const config = loadGatewayConfig();
  gatewayMetrics().configure({ models: config.models.map((model) => model.name) });
  const env = readServiceEnv();
  // Every instance must key api_key_id alike, or one key would have an id per instance: no default here.
  if (!env.keyIdSecret) {
    throw new Error(
      'GATEWAY_KEY_ID_SECRET is not set: api_key_id is keyed with it, and every ingress instance must share it; set one (e.g. `openssl rand -hex 32`), or for development use the one `npm run infra:up` writes to infra/.env',
    );
  }
  const bus = await connectServiceBus('ingress', env, logger);
  const apiKeys = gatewayKeysFrom(config.auth);
  const core = new GatewayCore({ bus, catalog: buildModelCatalog(config), logger, defaultTimeoutMs: config.limits.default_timeout_ms, apiKeys, keyIdSecret: env.keyIdSecret, instanceId: env.instanceId });
  await core.start();
  // On SIGTERM the front doors take no new calls and answer those in flight within the grace period.
  const limits = { maxRequestBytes: config.limits.max_request_bytes, logger, shutdownGraceMs: env.shutdownGraceMs };
  const server = await startGrpcServer(core, { address: env.grpcAddress, ...limits });
  const http = await startHttpServer(core, { address: env.httpAddress, ...limits });
  logger.info('ingress ready', { grpc: env.grpcAddress, http: http.url, instance: core.instanceId });
  return {
    stop: async () => {
      await Promise.all([server.stop(), http.stop()]);
      await core.stop();
      await bus.close();
      await stopTracing();
    },
  };
});
