// The systems under test and how to start them, each in processes of its own so that their CPU and
// memory are read apart from the load generator's: the mock upstream, the two floors, Switchyard
// embedded (one process, its real front doors) and distributed (six processes on Kafka and Postgres).
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { GrpcTarget, HttpTarget } from './load';
import { childrenOf } from './proc';
import { CACHE_DIR, WORKSPACE_ROOT, freePort, startService, startBenchScript, type ServiceProcess, type StartOptions } from './services';

const RUN_DIR = path.join(CACHE_DIR, 'run');
/** The model name callers use for Switchyard; it routes to the mock as upstream model gpt-bench. */
export const SWITCHYARD_MODEL = 'bench-gpt';

/**
 * Routed models on the same mock: a two-target weighted loadbalance, and a fallback whose first target
 * refuses connections, so that its breaker is open but for a probe now and then.
 */
export const ROUTED_MODELS = ['bench-loadbalance', 'bench-fallback'] as const;
/** The bench model behind an exact response cache that takes every request: after the first, each is a hit (profile.ts --model). */
export const CACHED_MODEL = 'bench-cached';

export interface RunningSystem {
  processes: ServiceProcess[];
  http?: HttpTarget;
  grpc?: GrpcTarget;
  stop(): Promise<void>;
}

const stopAll = (processes: ServiceProcess[]) => async () => void (await Promise.all(processes.map((p) => p.stop())));

export async function startMockUpstream(): Promise<RunningSystem & { baseUrl: string }> {
  const port = await freePort();
  const mock = await startBenchScript({ name: 'mock-upstream', entry: 'bench/src/mock-upstream.ts', env: { ...process.env, MOCK_PORT: String(port) }, port });
  const baseUrl = `http://127.0.0.1:${port}/v1`;
  return { processes: [mock], baseUrl, http: { baseUrl, model: 'gpt-bench' }, stop: stopAll([mock]) };
}

export async function startFloor(kind: 'http' | 'grpc', upstreamBaseUrl: string): Promise<RunningSystem> {
  const port = await freePort();
  const floor = await startBenchScript({
    name: `floor-${kind}`,
    entry: 'bench/src/floor-servers.ts',
    env: { ...process.env, FLOOR_KIND: kind, FLOOR_PORT: String(port), UPSTREAM_URL: upstreamBaseUrl },
    readyLine: /listening on/,
  });
  const address = `127.0.0.1:${port}`;
  return {
    processes: [floor],
    ...(kind === 'http' ? { http: { baseUrl: `http://${address}/v1`, model: 'gpt-bench' } } : { grpc: { address, model: 'gpt-bench' } }),
    stop: stopAll([floor]),
  };
}

let guardrailRules = ['mask_email', 'mask_payment_card'];

/** The guardrail rules of the gateways started from now on (profile.ts --guardrail-rules); the default rules otherwise. */
export function useGuardrailRules(rules: string[]): void {
  guardrailRules = rules;
}

/** The provider-worker's bound on calls to one route, and on the requests waiting for one (config `provider_calls`). */
export interface ProviderCalls {
  maxInFlightPerRoute: number;
  maxQueuedPerRoute: number;
}

/**
 * Switchyard's configuration for the bench: one OpenAI-kind provider, the mock, and the default
 * guardrail rules; `providerCalls` bounds the provider-worker's calls (the defaults when absent).
 */
export function writeSwitchyardConfig(upstreamBaseUrl: string, providerCalls?: ProviderCalls): string {
  mkdirSync(RUN_DIR, { recursive: true });
  const file = path.join(RUN_DIR, providerCalls ? `switchyard-calls-${providerCalls.maxInFlightPerRoute}.yaml` : 'switchyard.yaml');
  writeFileSync(
    file,
    `models:
  - { name: ${SWITCHYARD_MODEL}, provider: bench-upstream, upstream_model: gpt-bench, capabilities: [chat, streaming] }
  - { name: ${CACHED_MODEL}, provider: bench-upstream, upstream_model: gpt-bench, capabilities: [chat, streaming], cache: { deterministic_only: false } }
  - name: ${ROUTED_MODELS[0]}
    capabilities: [chat, streaming]
    route: { loadbalance: { targets: [{ target: bench-upstream/gpt-bench, weight: 3 }, { target: bench-upstream/gpt-bench-b, weight: 1 }] } }
  - name: ${ROUTED_MODELS[1]}
    capabilities: [chat, streaming]
    route: { fallback: [{ target: bench-down/gpt-bench }, { target: bench-upstream/gpt-bench }] }
providers:
  bench-upstream: { kind: openai, base_url: "${upstreamBaseUrl}", api_key_env: BENCH_UPSTREAM_KEY }
  bench-down: { kind: openai, base_url: "http://127.0.0.1:9/v1", api_key_env: BENCH_UPSTREAM_KEY }
limits: { max_request_bytes: 65536, default_timeout_ms: 20000 }
guardrail: { rules: [${guardrailRules.join(', ')}] }
${providerCalls ? `provider_calls: { max_in_flight_per_route: ${providerCalls.maxInFlightPerRoute}, max_queued_per_route: ${providerCalls.maxQueuedPerRoute} }\n` : ''}`,
  );
  return file;
}

function switchyardEnv(upstreamBaseUrl: string, grpcAddress: string, httpAddress: string, providerCalls?: ProviderCalls): NodeJS.ProcessEnv {
  return {
    ...process.env,
    SWITCHYARD_CONFIG: writeSwitchyardConfig(upstreamBaseUrl, providerCalls),
    GATEWAY_GRPC_ADDR: grpcAddress,
    GATEWAY_HTTP_ADDR: httpAddress,
    BENCH_UPSTREAM_KEY: 'sk-bench',
    LOG_LEVEL: 'warn',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
  };
}

/** `npm start`'s entry point, run by node directly (not through npm and the tsx CLI) so that it is one process. */
export async function startEmbedded(upstreamBaseUrl: string, nodeArgs: string[] = [], cpus?: string, dataFolder = 'embedded-data'): Promise<RunningSystem> {
  const grpcAddress = `127.0.0.1:${await freePort()}`;
  const httpAddress = `127.0.0.1:${await freePort()}`;
  const dataDir = path.join(RUN_DIR, dataFolder);
  rmSync(dataDir, { recursive: true, force: true });
  const gateway = await startBundle({
    app: 'embedded',
    name: `switchyard-embedded${nodeArgs.length ? ` ${nodeArgs.join(' ')}` : ''}`,
    nodeArgs,
    cpus,
    env: { ...switchyardEnv(upstreamBaseUrl, grpcAddress, httpAddress), GATEWAY_DATA_DIR: dataDir },
    readyLine: /Switchyard is serving/,
    timeoutMs: 120_000,
  });
  return {
    processes: [gateway],
    http: { baseUrl: `http://${httpAddress}/v1`, model: SWITCHYARD_MODEL },
    grpc: { address: grpcAddress, model: SWITCHYARD_MODEL },
    stop: stopAll([gateway]),
  };
}

export const DISTRIBUTED_SERVICES = ['analytics', 'metering', 'provider-worker', 'guardrail', 'router', 'ingress'];

export interface Infrastructure {
  kafkaBrokers: string[];
  databaseUrl: string;
  /** The broker's and Postgres's pids, whose CPU is reported beside the services'. */
  pids: number[];
  stop(): Promise<void>;
}

// One folder per bench process: a second run at the same time (a profile, `--only=analytics`) that
// shared it would remove the first one's Kafka and Postgres from under it.
const PRIVATE_INFRA_DIR = path.join(CACHE_DIR, `infra-${process.pid}`);

/**
 * A Kafka and a Postgres of the bench's own, started by infra/scripts/up.sh on ports of their own with
 * their data under bench/.cache/infra-<pid>, and removed afterwards. The shared ones of `npm run infra:up` are
 * started and stopped by whoever runs the tests meanwhile, which would stop a run half-way; here every
 * process on them is the bench's, so their CPU is the distributed gateway's alone. The scripts run from
 * a copy beside the data because they write their .env next to themselves.
 */
export async function startPrivateInfrastructure(log: (line: string) => void): Promise<Infrastructure> {
  const run = promisify(execFile);
  rmSync(PRIVATE_INFRA_DIR, { recursive: true, force: true });
  for (const file of ['scripts/up.sh', 'scripts/down.sh', 'kafka/pom.xml']) {
    mkdirSync(path.dirname(path.join(PRIVATE_INFRA_DIR, file)), { recursive: true });
    copyFileSync(path.join(WORKSPACE_ROOT, 'infra', file), path.join(PRIVATE_INFRA_DIR, file));
  }
  // Kafka's jars, once fetched by `npm run infra:up`, need not be fetched again.
  const sharedJars = path.join(WORKSPACE_ROOT, 'infra/.cache/kafka-libs');
  if (existsSync(path.join(sharedJars, '.complete'))) {
    mkdirSync(path.join(PRIVATE_INFRA_DIR, '.cache'), { recursive: true });
    symlinkSync(sharedJars, path.join(PRIVATE_INFRA_DIR, '.cache/kafka-libs'));
  }
  const env = {
    ...process.env,
    // Ports given (a shared machine hands each engineer theirs), else any free ones.
    SWITCHYARD_KAFKA_PORT: process.env.SWITCHYARD_KAFKA_PORT ?? String(await freePort()),
    SWITCHYARD_KAFKA_CONTROLLER_PORT: process.env.SWITCHYARD_KAFKA_CONTROLLER_PORT ?? String(await freePort()),
    SWITCHYARD_PG_PORT: process.env.SWITCHYARD_PG_PORT ?? String(await freePort()),
    // The JVM's usual compilation, as a broker in service runs (the tests' broker compiles with C1 only).
    SWITCHYARD_KAFKA_JIT: 'full',
  };
  log(`starting a Kafka (127.0.0.1:${env.SWITCHYARD_KAFKA_PORT}) and a Postgres (127.0.0.1:${env.SWITCHYARD_PG_PORT}) of the bench's own`);
  const stop = async () => {
    await run('bash', [path.join(PRIVATE_INFRA_DIR, 'scripts/down.sh'), '--purge'], { env }).catch(() => undefined);
    rmSync(PRIVATE_INFRA_DIR, { recursive: true, force: true });
  };
  try {
    await run('bash', [path.join(PRIVATE_INFRA_DIR, 'scripts/up.sh')], { env, timeout: 600_000 });
  } catch (error) {
    await stop();
    throw error;
  }
  const values = Object.fromEntries(
    readFileSync(path.join(PRIVATE_INFRA_DIR, '.env'), 'utf8')
      .split('\n')
      .map((line) => /^\s*([A-Z_]+)=(.*)$/.exec(line))
      .filter((match): match is RegExpExecArray => match !== null)
      .map((match) => [match[1], match[2].trim()]),
  );
  const pidIn = (file: string) => Number(readFileSync(path.join(PRIVATE_INFRA_DIR, '.data', file), 'utf8').split('\n')[0]);
  return {
    kafkaBrokers: String(values.KAFKA_BROKERS).split(','),
    databaseUrl: String(values.DATABASE_URL),
    pids: [pidIn('kafka/kafka.pid'), pidIn('postgres/postmaster.pid')],
    stop,
  };
}

type BuildTools = { buildServices(): Promise<void>; SERVICE_NODE_ARGS: string[]; EMBEDDED_NODE_ARGS: string[] };
let bundlesBuilt: Promise<BuildTools> | undefined;

/**
 * One app run as `npm start` or `npm run start:distributed` runs it: from its bundle,
 * dist/<app>/main.js, which tools/build-services.mjs builds (once per bench run).
 */
async function startBundle(options: Omit<StartOptions, 'command' | 'args'> & { app: string; nodeArgs?: string[] }): Promise<ServiceProcess> {
  bundlesBuilt ??= (async () => {
    const tools = (await import(pathToFileURL(path.join(WORKSPACE_ROOT, 'tools/build-services.mjs')).href)) as BuildTools;
    await tools.buildServices();
    return tools;
  })();
  const tools = await bundlesBuilt;
  const appNodeArgs = options.app === 'embedded' ? tools.EMBEDDED_NODE_ARGS : tools.SERVICE_NODE_ARGS;
  return startService({
    ...options,
    command: process.execPath,
    args: [...appNodeArgs, ...(options.nodeArgs ?? []), path.join(WORKSPACE_ROOT, `dist/${options.app}/main.js`)],
  });
}

/** The analytics service alone on `infrastructure`, started as `npm run start:distributed` starts it. */
export async function startAnalyticsService(infrastructure: Infrastructure, nodeArgs: string[] = []): Promise<RunningSystem> {
  const analytics = await startBundle({
    app: 'analytics',
    name: 'analytics',
    nodeArgs,
    env: { ...process.env, LOG_LEVEL: 'info', KAFKAJS_NO_PARTITIONER_WARNING: '1', KAFKA_BROKERS: infrastructure.kafkaBrokers.join(','), DATABASE_URL: infrastructure.databaseUrl },
    readyLine: /"analytics ready"/,
    timeoutMs: 180_000,
  });
  return { processes: [analytics], stop: stopAll([analytics]) };
}

/** What every distributed service of the bench is started with, by the bench or by the supervisor. */
function distributedEnv(upstreamBaseUrl: string, infrastructure: Infrastructure, grpcAddress: string, httpAddress: string, providerCalls?: ProviderCalls): NodeJS.ProcessEnv {
  return {
    ...switchyardEnv(upstreamBaseUrl, grpcAddress, httpAddress, providerCalls),
    // Each service says it is ready at info level; nothing is logged per request at that level.
    LOG_LEVEL: 'info',
    KAFKA_BROKERS: infrastructure.kafkaBrokers.join(','),
    DATABASE_URL: infrastructure.databaseUrl,
    // Ingress refuses to start without it (api_key_id is keyed with it).
    GATEWAY_KEY_ID_SECRET: 'bench-secret-for-api-key-ids-0123456789',
  };
}

/** The six services of `npm run start:distributed`, one process each, started as that script does. */
export async function startDistributed(upstreamBaseUrl: string, infrastructure: Infrastructure, nodeArgs: string[] = []): Promise<RunningSystem> {
  const grpcAddress = `127.0.0.1:${await freePort()}`;
  const httpAddress = `127.0.0.1:${await freePort()}`;
  const env = distributedEnv(upstreamBaseUrl, infrastructure, grpcAddress, httpAddress);
  const started = await Promise.allSettled(
    DISTRIBUTED_SERVICES.map((service) =>
      startBundle({
        app: service,
        name: service,
        nodeArgs,
        env,
        readyLine: new RegExp(`"${service} ready"`),
        timeoutMs: 180_000,
      }),
    ),
  );
  const processes = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const failure = started.find((result): result is PromiseRejectedResult => result.status === 'rejected');
  if (failure) {
    await stopAll(processes)();
    throw failure.reason;
  }
  return {
    processes,
    http: { baseUrl: `http://${httpAddress}/v1`, model: SWITCHYARD_MODEL },
    grpc: { address: grpcAddress, model: SWITCHYARD_MODEL },
    // Front door first, so no new work enters while the stages drain.
    stop: async () => {
      await processes.find((p) => p.name === 'ingress')?.stop();
      await stopAll(processes)();
    },
  };
}

export interface SupervisedSystem extends RunningSystem {
  /** The pids of a service's instances now running, the supervisor's and those added. */
  pids(service: string): number[];
  /** One more instance of a service, started beside the supervisor's as another machine would start one. */
  addInstance(service: string): Promise<ServiceProcess>;
}

/**
 * `npm run start:distributed -- --scale <scale>` on `infrastructure`: tools/start-distributed.mjs and
 * its supervisor, whose children the services are. `processes` is the supervisor, whose CPU counts
 * its children's.
 */
export async function startSupervised(upstreamBaseUrl: string, infrastructure: Infrastructure, scale: string, providerCalls?: ProviderCalls): Promise<SupervisedSystem> {
  const grpcAddress = `127.0.0.1:${await freePort()}`;
  const httpAddress = `127.0.0.1:${await freePort()}`;
  const env = distributedEnv(upstreamBaseUrl, infrastructure, grpcAddress, httpAddress, providerCalls);
  const supervisor = await startService({
    name: `start-distributed --scale ${scale}`,
    command: process.execPath,
    args: [path.join(WORKSPACE_ROOT, 'tools/start-distributed.mjs'), '--scale', scale],
    env,
    readyLine: /all 6 services ready/,
    timeoutMs: 180_000,
  });
  const added: ServiceProcess[] = [];
  const stopAdded = stopAll(added);
  return {
    processes: [supervisor],
    http: { baseUrl: `http://${httpAddress}/v1`, model: SWITCHYARD_MODEL },
    grpc: { address: grpcAddress, model: SWITCHYARD_MODEL },
    pids: (service) => [
      ...childrenOf(supervisor.pid).filter((child) => child.command.includes(`dist/${service}/main.js`)).map((child) => child.pid),
      ...added.filter((p) => p.name === service).map((p) => p.pid),
    ],
    addInstance: async (service) => {
      const instance = await startBundle({ app: service, name: service, env, readyLine: new RegExp(`"${service} ready"`), timeoutMs: 180_000 });
      added.push(instance);
      return instance;
    },
    stop: async () => {
      await stopAdded();
      await supervisor.stop();
    },
  };
}

/**
 * The distributed floor (bench/src/kafka-floor.ts): five plain Kafka client processes (kafkajs, or
 * @platformatic/kafka with KAFKA_FLOOR_CLIENT=platformatic) passing each call along the pipeline's five
 * Kafka hops, on the same Kafka. The front starts first: it creates the topics.
 */
export async function startKafkaFloor(upstreamBaseUrl: string, infrastructure: Infrastructure): Promise<RunningSystem> {
  const port = await freePort();
  const env = { ...process.env, KAFKA_BROKERS: infrastructure.kafkaBrokers.join(','), UPSTREAM_URL: upstreamBaseUrl, FLOOR_PORT: String(port), KAFKA_FLOOR_RUN: `bench.kafka-floor.${Date.now()}` };
  const start = (role: string, hop: number) =>
    startBenchScript({ name: `kafka-floor-${role}-${hop}`, entry: 'bench/src/kafka-floor.ts', env: { ...env, KAFKA_FLOOR_ROLE: role, KAFKA_FLOOR_HOP: String(hop) }, readyLine: /listening on|ready/, timeoutMs: 120_000 });
  const processes = [await start('front', 0)];
  try {
    // Router, guardrail, worker (the one upstream call), metering: the pipeline's positions.
    for (const [hop, role] of ['relay', 'relay', 'caller', 'relay'].entries()) processes.push(await start(role, hop));
  } catch (error) {
    await stopAll(processes)();
    throw error;
  }
  return { processes, http: { baseUrl: `http://127.0.0.1:${port}/v1`, model: 'gpt-bench' }, stop: stopAll(processes) };
}
