// Starts the distributed gateway exactly as `npm run start:distributed` does: six services (more processes
// with `--scale`) on Kafka, under the supervisor that restarts an instance that dies.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { freePortRuns, WORKSPACE_ROOT } from './infrastructure';
import { eventually } from './waiting';

const SERVICES = ['analytics', 'metering', 'provider-worker', 'guardrail', 'router', 'ingress'];

export interface RunningDistributedGateway {
  /** The first ingress instance's gRPC front door. */
  grpcAddress: string;
  /** host:port of the first ingress instance's OpenAI- and Anthropic-compatible HTTP front door. */
  httpAddress: string;
  /** Every ingress instance's gRPC front door, instance i at index i. */
  grpcAddresses: string[];
  /** Every ingress instance's HTTP front door, instance i at index i. */
  httpAddresses: string[];
  /** host:port of each service's instances' Prometheus metrics, instance i at index i. */
  metricsAddresses: Record<string, string[]>;
  /** Everything the services printed so far. */
  output(): string;
  /** Each service's heap in use after a full collection, in bytes, by service name, as it logs it on SIGUSR2 (its first instance). */
  collectedHeaps(): Promise<Record<string, number>>;
  /** Sends a signal to one service's process (e.g. SIGSTOP, then SIGCONT, for a stage that lags). */
  signal(service: string, signal: NodeJS.Signals): void;
  /** The process ids of a service's instances now running. */
  pids(service: string): number[];
  stop(): Promise<void>;
}

/**
 * `args`: start-distributed's own, such as ['--scale', 'provider-worker=2,ingress=2']. Ingress instance
 * i listens on the base ports plus i, so the ports are picked as runs of free ones as long as --scale's
 * ingress count (a --scale-file is not read for it); GATEWAY_GRPC_ADDR or GATEWAY_HTTP_ADDR in `env` win.
 */
export async function startDistributedGateway(env: Record<string, string> = {}, readyTimeoutMs = 120_000, args: string[] = []): Promise<RunningDistributedGateway> {
  const ingresses = instancesOf(args, 'ingress');
  // start-distributed gives the k-th instance, in the order of SERVICES, METRICS_ADDR's port plus k.
  const counts = SERVICES.map((service) => instancesOf(args, service));
  const instances = counts.reduce((total, count) => total + count, 0);
  // The three runs are picked together, so that none overlaps another (regression: the metrics ports,
  // picked after the front doors' were released, took an ingress instance's HTTP port in a CI run).
  const [grpcPort, httpPort, metricsPort] = await freePortRuns(3, Math.max(ingresses, instances));
  const grpcAddresses = instanceAddresses(env.GATEWAY_GRPC_ADDR ?? `127.0.0.1:${grpcPort}`, ingresses);
  const httpAddresses = instanceAddresses(env.GATEWAY_HTTP_ADDR ?? `127.0.0.1:${httpPort}`, ingresses);
  const [grpcAddress, httpAddress] = [grpcAddresses[0], httpAddresses[0]];
  const metricsAddress = env.METRICS_ADDR ?? `127.0.0.1:${metricsPort}`;
  const allMetrics = instanceAddresses(metricsAddress, instances);
  const metricsAddresses = Object.fromEntries(SERVICES.map((service, index) => [service, allMetrics.splice(0, counts[index])]));
  const child: ChildProcess = spawn(process.execPath, [path.join(WORKSPACE_ROOT, 'tools/start-distributed.mjs'), ...args], {
    cwd: WORKSPACE_ROOT,
    env: { ...process.env, GATEWAY_GRPC_ADDR: grpcAddress, GATEWAY_HTTP_ADDR: httpAddress, METRICS_ADDR: metricsAddress, KAFKAJS_NO_PARTITIONER_WARNING: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (data) => (output += data.toString()));
  child.stderr!.on('data', (data) => (output += data.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`distributed gateway not ready in ${readyTimeoutMs} ms:\n${output.slice(-4000)}`)), readyTimeoutMs);
    const check = () => {
      if (output.includes('all 6 services ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    child.stderr!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`distributed gateway exited (${code}) before it was ready:\n${output.slice(-4000)}`));
    });
  });
  try {
    await ready;
  } catch (error) {
    child.kill('SIGTERM');
    await exited;
    throw error;
  }

  return {
    grpcAddress,
    httpAddress,
    grpcAddresses,
    httpAddresses,
    metricsAddresses,
    output: () => output,
    collectedHeaps: async () => {
      const heaps: Record<string, number> = {};
      for (const service of SERVICES) {
        const [pid] = servicePids(child.pid!, service);
        if (pid === undefined) throw new Error(`no ${service} process`);
        const from = output.length;
        process.kill(pid, 'SIGUSR2');
        heaps[service] = await eventually(async () => {
          const line = output.slice(from).split('\n').find((text) => text.includes(`"msg":"${service} memory"`));
          return line ? (JSON.parse(line.slice(line.indexOf('{'))) as { heap_used: number }).heap_used : undefined;
        }, `${service}'s memory report`, 10_000, 20);
      }
      return heaps;
    },
    signal: (service, signal) => {
      const [pid] = servicePids(child.pid!, service);
      if (pid === undefined) throw new Error(`no ${service} process`);
      process.kill(pid, signal);
    },
    pids: (service) => servicePids(child.pid!, service),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The services are the children of the script, each running dist/<service>/main.js. */
function servicePids(launcherPid: number, service: string): number[] {
  const children = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(launcherPid)], { encoding: 'utf8' }).split('\n');
  return children.filter((args) => args.includes(`dist/${service}/main.js`)).map((line) => Number.parseInt(line, 10));
}

/** The instances of `service` --scale asks for: 1 unless it names the service. */
function instancesOf(args: string[], service: string): number {
  const scales = args.flatMap((arg, index) => (arg === '--scale' ? [args[index + 1] ?? ''] : arg.startsWith('--scale=') ? [arg.slice('--scale='.length)] : []));
  const counts = scales.flatMap((scale) => scale.split(',').map((part) => part.split('=')).filter(([name]) => name.trim() === service).map(([, count]) => count?.trim()).filter((count) => count !== undefined && /^\d+$/.test(count)));
  return counts.length > 0 ? Number(counts[counts.length - 1]) : 1;
}

/** host:port -> the addresses of `count` instances, on that port plus 0, 1, ... as the supervisor assigns them. */
function instanceAddresses(address: string, count: number): string[] {
  const colon = address.lastIndexOf(':');
  const port = Number(address.slice(colon + 1));
  return Array.from({ length: count }, (_, index) => `${address.slice(0, colon)}:${port + index}`);
}
