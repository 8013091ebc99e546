#!/usr/bin/env node
// `npm run start:distributed`: the six services, each its own process, on the Kafka and Postgres that
// `npm run infra:up` started (read from infra/.env). Output is prefixed by service; Ctrl-C stops all.
// Each runs from its bundle, dist/<service>/main.js, rebuilt first (see tools/build-services.mjs).
// Scale a stage by starting more processes of it: `node ${SERVICE_NODE_ARGS} dist/<service>/main.js`.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildServices, SERVICE_NODE_ARGS, SERVICES } from './build-services.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export { SERVICES };

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

const children = new Map();
const ready = new Set();
let stopping = false;

for (const service of SERVICES) {
  const child = spawn(process.execPath, [...SERVICE_NODE_ARGS, path.join(root, `dist/${service}/main.js`)], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.set(service, child);
  const forward = (stream, out) => {
    let buffered = '';
    stream.on('data', (data) => {
      buffered += data.toString();
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        out.write(`[${service}] ${line}\n`);
        if (line.includes(`"${service} ready"`) && !ready.has(service)) {
          ready.add(service);
          if (ready.size === SERVICES.length) out.write(`switchyard distributed: all ${SERVICES.length} services ready; gRPC on ${env.GATEWAY_GRPC_ADDR || '127.0.0.1:50051'}\n`);
        }
      }
    });
  };
  forward(child.stdout, process.stdout);
  forward(child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    children.delete(service);
    if (!stopping) {
      console.error(`[${service}] exited (${signal ?? code}); stopping the others`);
      stop(1);
    } else if (children.size === 0) {
      process.exit(process.exitCode ?? 0);
    }
  });
}

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  process.exitCode = code;
  // Front door first, so no new work enters while the stages drain.
  children.get('ingress')?.kill('SIGTERM');
  setTimeout(() => {
    for (const child of children.values()) child.kill('SIGTERM');
  }, 300);
  setTimeout(() => {
    for (const child of children.values()) child.kill('SIGKILL');
    process.exit(code);
  }, 20_000).unref();
  if (children.size === 0) process.exit(code);
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
