#!/usr/bin/env node
// `npm run start:distributed [-- --scale router=2,provider-worker=3,ingress=2 | --scale-file FILE]`: the six
// services, each instance its own process, on the Kafka and Postgres that `npm run infra:up` started (read
// from infra/.env), under tools/supervisor.mjs: an instance that exits is restarted with backoff while the
// others keep serving. Output is prefixed by instance; Ctrl-C stops all. Each runs from its bundle,
// dist/<service>/main.js, rebuilt first (see tools/build-services.mjs).
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServices, SERVICE_NODE_ARGS, SERVICES } from './build-services.mjs';
import { offsetAddress, parseCommandLine, Supervisor, USAGE, UsageError } from './supervisor.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export { SERVICES };

let commandLine;
try {
  commandLine = parseCommandLine(process.argv.slice(2), SERVICES);
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  console.error(`start-distributed: ${error.message}\n${USAGE}`);
  process.exit(2);
}
if (commandLine.help) {
  console.log(USAGE);
  process.exit(0);
}

const envFile = path.join(root, 'infra/.env');
const env = { ...process.env };
if (existsSync(envFile)) {
  for (const line of readFileSync(envFile, 'utf8').split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)\s*$/.exec(line);
    if (match && env[match[1]] === undefined) env[match[1]] = match[2];
  }
}
if (!env.KAFKA_BROKERS || !env.DATABASE_URL) {
  console.error('KAFKA_BROKERS and DATABASE_URL are not set and infra/.env is missing: run `npm run infra:up` first.');
  process.exit(1);
}
// Ingress refuses to start without the secret api_key_id is keyed with. `infra:up` writes one; Kafka and
// Postgres given some other way get a development one here, kept in infra/.env for the next start.
if (!env.GATEWAY_KEY_ID_SECRET) {
  env.GATEWAY_KEY_ID_SECRET = randomBytes(32).toString('hex');
  appendFileSync(envFile, `GATEWAY_KEY_ID_SECRET=${env.GATEWAY_KEY_ID_SECRET}\n`, { mode: 0o600 });
  console.error(`GATEWAY_KEY_ID_SECRET was not set: wrote a development one to ${path.relative(root, envFile)}`);
}

await buildServices(SERVICES);

const grpcAddress = env.GATEWAY_GRPC_ADDR || '127.0.0.1:50051';
const httpAddress = env.GATEWAY_HTTP_ADDR || '127.0.0.1:8080';
// Every instance serves Prometheus metrics on a port of its own: the k-th instance started (in the
// order of SERVICES, a service's instances together) on METRICS_ADDR's port plus k.
const metricsAddress = env.METRICS_ADDR || '127.0.0.1:9464';
// An ingress slot keeps its instance id (so its reply topic) across restarts: a restarted instance reads
// the replies that came for its predecessor's callers and records them as undelivered.
const run = randomBytes(3).toString('hex');
const instances = [];
for (const service of SERVICES) {
  const count = commandLine.scale.get(service);
  for (let index = 0; index < count; index++) {
    // Each ingress instance needs ports of its own: instance i takes the configured ones plus i.
    const own =
      service === 'ingress'
        ? { GATEWAY_GRPC_ADDR: offsetAddress(grpcAddress, index), GATEWAY_HTTP_ADDR: offsetAddress(httpAddress, index), GATEWAY_INSTANCE_ID: `${run}-${index}` }
        : {};
    instances.push({
      name: count === 1 ? service : `${service}#${index + 1}`,
      service,
      command: process.execPath,
      args: [...SERVICE_NODE_ARGS, path.join(root, `dist/${service}/main.js`)],
      env: { ...env, ...own, METRICS_ADDR: offsetAddress(metricsAddress, instances.length) },
    });
  }
}
const frontDoors = instances.filter((instance) => instance.service === 'ingress');
const supervisor = new Supervisor({
  instances,
  cwd: root,
  onAllReady: () =>
    process.stdout.write(
      `switchyard distributed: all ${SERVICES.length} services ready (${instances.length} instances); ` +
        `gRPC on ${frontDoors.map((instance) => instance.env.GATEWAY_GRPC_ADDR).join(', ')}; HTTP on ${frontDoors.map((instance) => instance.env.GATEWAY_HTTP_ADDR).join(', ')}; ` +
        `metrics on ${instances.map((instance) => `${instance.name} ${instance.env.METRICS_ADDR}`).join(', ')}\n`,
    ),
});
supervisor.start();

// The front doors drain first, then the stages, each within its grace period (SHUTDOWN_GRACE_MS).
const graceMs = Number(env.SHUTDOWN_GRACE_MS) || 15_000;
const stop = () => supervisor.stop(2 * graceMs + 5000).then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
