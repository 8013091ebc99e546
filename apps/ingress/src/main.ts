// The ingress service: the gRPC front door and the HTTP one (OpenAI and Anthropic formats). Publishes
// each call to the pipeline and answers it from this instance's reply topic.
import { buildModelCatalog, loadGatewayConfig, readServiceEnv } from '@switchyard/config';
import { GatewayCore, gatewayKeysFrom, startGrpcServer, startHttpServer } from '@switchyard/ingress';
import { connectServiceBus, runService } from '@switchyard/pipeline';
import { createLogger, startTracing, stopTracing } from '@switchyard/telemetry';

const logger = createLogger('ingress');
startTracing('switchyard-ingress');

void runService('ingress', logger, async () => {
  const config = loadGatewayConfig();
  const env = readServiceEnv();
  const bus = await connectServiceBus('ingress', env, logger);
  const apiKeys = gatewayKeysFrom(config.auth);
  const core = new GatewayCore({ bus, catalog: buildModelCatalog(config), logger, defaultTimeoutMs: config.limits.default_timeout_ms, apiKeys });
  await core.start();
  const server = await startGrpcServer(core, { address: env.grpcAddress, maxRequestBytes: config.limits.max_request_bytes, logger });
  const http = await startHttpServer(core, { address: env.httpAddress, maxRequestBytes: config.limits.max_request_bytes, logger });
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
