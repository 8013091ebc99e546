// `npm start`: the whole gateway in one process, no servers needed.
import { readServiceEnv } from '@switchyard/config';
import { loadTls } from '@switchyard/ingress';
import { runService } from '@switchyard/pipeline';
import { keepWebAssemblyOnBaselineCompiler } from '@switchyard/storage';
import { createLogger, startTracing, stopTracing } from '@switchyard/telemetry';
import { startEmbeddedGateway } from './embedded-gateway';

const logger = createLogger('embedded');
startTracing('switchyard-embedded');

void runService('switchyard', logger, async () => {
  const env = readServiceEnv();
  if (!env.databaseUrl && !env.pgliteTierUp) keepWebAssemblyOnBaselineCompiler();
  const gateway = await startEmbeddedGateway({
    configFile: env.configFile,
    grpcAddress: env.grpcAddress,
    httpAddress: env.httpAddress,
    tls: env.tls && loadTls(env.tls),
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
  // The clients' TLS flags for the front doors as configured (docs/tls.md).
  const [grpcurlTls, curlTls] = !env.tls
    ? ['-plaintext ', '']
    : env.tls.clientCaFile
      ? ['-cacert ca.crt -cert client.crt -key client.key ', '--cacert ca.crt --cert client.crt --key client.key ']
      : ['-cacert ca.crt ', '--cacert ca.crt '];
  process.stdout.write(
    [
      `Switchyard is serving aigateway.v1.AiGateway on ${env.grpcAddress} (gRPC${env.tls ? ' over TLS' : ''}, with health and reflection)`,
      `  and the OpenAI and Anthropic HTTP APIs on ${gateway.httpUrl}/v1 (chat/completions, embeddings, models, messages, analyze)`,
      `  models:    ${models.join(', ')}`,
      `  analytics: usage_events in ${analytics}`,
      ...(gateway.httpUrl ? [`  metrics:   ${gateway.httpUrl}/metrics (Prometheus)`] : []),
      ...(gateway.httpUrl ? [`  dashboard: ${gateway.httpUrl}/dashboard (${env.adminKey ? 'with the admin key' : 'set SWITCHYARD_ADMIN_KEY to turn it on'}; docs/dashboard.md)`] : []),
      `  try:       grpcurl ${grpcurlTls}-d '{"model":"mock-echo","messages":[{"role":"user","content":"hello"}]}' ${env.grpcAddress} aigateway.v1.AiGateway/Chat`,
      `             curl ${curlTls}${gateway.httpUrl}/v1/chat/completions -H 'content-type: application/json' -d '{"model":"mock-echo","messages":[{"role":"user","content":"hello"}]}'`,
      '',
    ].join('\n'),
  );
  return { ready: () => gateway.core.ready, stop: async () => { await gateway.stop(); await stopTracing(); } };
});
