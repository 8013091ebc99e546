// Kafka and Postgres for the integration tests, provisioned once per test run. Where a container
// runtime answers, testcontainers starts them; otherwise (no Docker engine, as on our CI machine) the
// same scripts as `npm run infra:up` start a local KRaft broker and a throwaway Postgres cluster.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';

export const WORKSPACE_ROOT = path.resolve(__dirname, '../../..');

export interface Infrastructure {
  kafkaBrokers: string;
  databaseUrl: string;
  /** How it was provisioned, for the log. */
  source: 'environment' | 'testcontainers' | 'infra-scripts';
  stop(): Promise<void>;
}

const KAFKA_PORT = 19092;
// Below the kernel's ephemeral range, as infra/scripts/up.sh explains.
const PG_PORT = 15432;

export async function provisionInfrastructure(log: (line: string) => void = () => undefined): Promise<Infrastructure> {
  if (process.env.KAFKA_BROKERS && process.env.DATABASE_URL) {
    return { kafkaBrokers: process.env.KAFKA_BROKERS, databaseUrl: process.env.DATABASE_URL, source: 'environment', stop: async () => undefined };
  }
  try {
    return await withTestcontainers();
  } catch (error) {
    log(`testcontainers unavailable (${(error as Error).message.split('\n')[0]}); using infra/scripts`);
  }
  return withInfraScripts(log);
}

async function withTestcontainers(): Promise<Infrastructure> {
  const { GenericContainer, Wait, getContainerRuntimeClient } = await import('testcontainers');
  await getContainerRuntimeClient();
  const postgres = await new GenericContainer('postgres:15-alpine')
    .withEnvironment({ POSTGRES_USER: 'switchyard', POSTGRES_PASSWORD: 'switchyard', POSTGRES_DB: 'switchyard' })
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  // Kafka advertises the address clients must use, so the host port is fixed rather than random.
  const kafka = await new GenericContainer('apache/kafka:4.1.1')
    .withExposedPorts({ container: 9092, host: KAFKA_PORT })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${KAFKA_PORT}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_NUM_PARTITIONS: '6',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  return {
    kafkaBrokers: `127.0.0.1:${KAFKA_PORT}`,
    databaseUrl: `postgres://switchyard:switchyard@${postgres.getHost()}:${postgres.getMappedPort(5432)}/switchyard`,
    source: 'testcontainers',
    stop: async () => {
      await Promise.all([kafka.stop(), postgres.stop()]);
    },
  };
}

async function withInfraScripts(log: (line: string) => void): Promise<Infrastructure> {
  const alreadyRunning = (await portOpen(KAFKA_PORT)) && (await portOpen(PG_PORT));
  const run = promisify(execFile);
  const started = Date.now();
  await run('bash', [path.join(WORKSPACE_ROOT, 'infra/scripts/up.sh')], { cwd: WORKSPACE_ROOT, maxBuffer: 16 * 1024 * 1024 });
  log(`infra/scripts/up.sh ${alreadyRunning ? 'found Kafka and Postgres running' : 'started Kafka and Postgres'} in ${Date.now() - started} ms`);
  return {
    kafkaBrokers: `127.0.0.1:${KAFKA_PORT}`,
    databaseUrl: `postgres://switchyard@127.0.0.1:${PG_PORT}/switchyard`,
    source: 'infra-scripts',
    // What the run found running it leaves running; what it started it stops.
    stop: async () => {
      if (!alreadyRunning) await run('bash', [path.join(WORKSPACE_ROOT, 'infra/scripts/down.sh')], { cwd: WORKSPACE_ROOT });
    },
  };
}

export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  const [port] = await freePortRuns(1, 1);
  return port;
}

/**
 * The first ports of `count` runs of `length` consecutive free TCP ports on loopback, no two runs
 * overlapping: every port found is held until all are, so that none is handed out twice. The ports are
 * drawn from below the kernel's ephemeral range: a port the kernel hands out (listen on 0) can be taken,
 * between the check and the gateway's listen, as the local port of one of the many Kafka connections the
 * other services open (regression: an ingress instance failed with EADDRINUSE on its port in CI).
 */
export async function freePortRuns(count: number, length: number): Promise<number[]> {
  const held: net.Server[] = [];
  const starts: number[] = [];
  const [low, high] = [PICKED_PORTS_FROM, ephemeralPortsFrom() - length];
  try {
    for (let attempt = 0; starts.length < count; attempt++) {
      if (attempt >= 200) throw new Error(`no ${count} runs of ${length} free consecutive ports on loopback between ${low} and ${high}`);
      const start = low + Math.floor(Math.random() * (high - low));
      const run: net.Server[] = [];
      for (let port = start; port < start + length; port++) {
        const server = await listen(port).catch(() => undefined);
        if (!server) break;
        run.push(server);
      }
      held.push(...run);
      if (run.length === length) starts.push(start);
    }
    return starts;
  } finally {
    await Promise.all(held.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/** Above the infrastructure's own ports (Kafka's 19092 and 19093, Postgres's 15432). */
const PICKED_PORTS_FROM = 20_000;

function ephemeralPortsFrom(): number {
  try {
    const first = Number.parseInt(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8'), 10);
    if (Number.isInteger(first) && first > PICKED_PORTS_FROM + 1000) return first;
  } catch {
    // Not Linux: the IANA dynamic range starts at 49152.
    return 49_152;
  }
  return 32_768;
}

function listen(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
