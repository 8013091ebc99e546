// `npm start`: the whole gateway in one process, no servers needed.
import { loadGatewayConfig, readServiceEnv } from '@switchyard/config';
import { runService } from '@switchyard/pipeline';
import { createLogger, startTracing, stopTracing } from '@switchyard/telemetry';
import { startEmbeddedGateway } from './embedded-gateway';

const logger = createLogger('embedded');
startTracing('switchyard-embedded');

void runService('switchyard', logger, async () => {
  const config = loadGatewayConfig();
  const env = readServiceEnv();
  const gateway = await startEmbeddedGateway({
    config,
    grpcAddress: env.grpcAddress,
    httpAddress: env.httpAddress,
    dataDir: env.dataDir,
    databaseUrl: env.databaseUrl,
    sql: env.sql,
    logger,
  });
  const models = gateway.core.servedModels().map((model) => model.id);
  const analytics = env.databaseUrl
    ? 'Postgres at DATABASE_URL'
    : gateway.db.sqlAddress
      ? `PGlite in ${env.dataDir}/pglite; read it live (password: GATEWAY_SQL_PASSWORD): psql "postgres://reader@${gateway.db.sqlAddress}/postgres?sslmode=disable"`
      : `PGlite in ${env.dataDir}/pglite (set GATEWAY_SQL_ADDR and GATEWAY_SQL_PASSWORD to read it live with psql)`;
  process.stdout.write(
    [
      `Switchyard is serving aigateway.v1.AiGateway on ${env.grpcAddress} (gRPC, with health and reflection)`,
      `  and the OpenAI and Anthropic HTTP APIs on ${gateway.httpUrl}/v1 (chat/completions, embeddings, models, messages)`,
      `  models:    ${models.join(', ')}`,
      `  analytics: usage_events in ${analytics}`,
      ...(gateway.httpUrl ? [`  metrics:   ${gateway.httpUrl}/metrics (Prometheus)`] : []),
      `  try:       grpcurl -plaintext -d '{"model":"mock-echo","messages":[{"role":"user","content":"hello"}]}' ${env.grpcAddress} aigateway.v1.AiGateway/Chat`,
      `             curl ${gateway.httpUrl}/v1/chat/completions -H 'content-type: application/json' -d '{"model":"mock-echo","messages":[{"role":"user","content":"hello"}]}'`,
      '',
    ].join('\n'),
  );
  return { stop: async () => { await gateway.stop(); await stopTracing(); } };
});
