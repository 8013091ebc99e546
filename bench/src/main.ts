// `npm run bench`: Switchyard's overhead and capacity against a mock OpenAI upstream, beside the floors
// (the least a Node server can do per call) and other gateways, all measured in the same run.
//   --quick                       shorter steps (a smoke run, ~5 minutes)
//   --only=embedded|distributed|competitors|analytics|scale-out   one part (comma-separated for several);
//                                 analytics alone: the analytics writes on a Kafka, a Postgres and an
//                                 analytics service of their own (~30 s), into latest-analytics.*;
//                                 scale-out alone: one provider-worker against two (~5 minutes),
//                                 into latest-scale-out.* (the distributed part runs it too)
//   --duration=<s>                seconds per load step (default 5)
// Writes bench/results/latest.json and latest.md. See BENCHMARKS.md for what is measured and how.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import * as path from 'node:path';
import { measureDirectInserts, measurePgliteInserts, measurePipelineInserts, type DirectInsertResult, type PipelineInsertResult } from './analytics';
import { COMPETITORS } from './competitors';
import { grpcChatClient, httpChatClient, openLoop } from './load';
import { measureGroup, type Endpoint, type EndpointResult, type GroupOptions } from './measure';
import { busiestProcesses, calibrationMs, loadAverage } from './proc';
import { renderMarkdown, checkTargets } from './report';
import { measureScaleOut, type ScaleOutResult } from './scale-out';
import { BENCH_DIR, CACHE_DIR } from './services';
import { ROUTED_MODELS, startAnalyticsService, startDistributed, startKafkaFloor, startEmbedded, startFloor, startMockUpstream, startPrivateInfrastructure, type Infrastructure, type RunningSystem } from './systems';

type Part = 'embedded' | 'distributed' | 'competitors' | 'analytics' | 'scale-out';
const PARTS: Part[] = ['embedded', 'distributed', 'competitors', 'analytics', 'scale-out'];

interface Options {
  quick: boolean;
  parts: Part[];
  stepMs: number;
}

function parseOptions(argv: string[]): Options {
  const quick = argv.includes('--quick');
  const only = argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length);
  // Everything: the distributed part measures the analytics writes too.
  const parts = (only ? only.split(',') : ['embedded', 'distributed', 'competitors']) as Part[];
  for (const part of parts) if (!PARTS.includes(part)) throw new Error(`--only takes ${PARTS.join(', ')}, not ${part}`);
  const duration = argv.find((arg) => arg.startsWith('--duration='))?.slice('--duration='.length);
  const stepMs = duration ? Number(duration) * 1000 : quick ? 2000 : 5000;
  if (!Number.isFinite(stepMs) || stepMs < 500 || stepMs > 10_000) throw new Error('--duration takes 0.5 to 10 seconds per step (a cap that keeps the machine usable)');
  const unknown = argv.filter((arg) => arg !== '--quick' && !arg.startsWith('--only=') && !arg.startsWith('--duration='));
  if (unknown.length > 0) throw new Error(`unknown arguments: ${unknown.join(' ')}`);
  return { quick, parts, stepMs };
}

export interface CompetitorStatus {
  name: string;
  status: 'measured' | 'unavailable';
  reason?: string;
}

export interface GroupResult {
  name: 'embedded' | 'distributed';
  referenceRate: number;
  p99LimitMs: number;
  endpoints: EndpointResult[];
  /** Resident memory of each process when idle, in MB (the distributed services' per-service target). */
  idleRssByProcessMb: Record<string, number>;
}

export interface BenchResults {
  generatedAt: string;
  command: string;
  durationSeconds: number;
  options: { quick: boolean; parts: Part[]; stepMs: number };
  machine: { cpu: string; cores: number; memoryGb: number; node: string; platform: string };
  loadBefore: MachineState;
  loadAfter?: MachineState;
  competitors: CompetitorStatus[];
  groups: GroupResult[];
  analytics?: { direct?: DirectInsertResult[]; pglite?: DirectInsertResult; pipeline?: PipelineInsertResult; pipelineBacklog?: PipelineInsertResult; error?: string };
  scaleOut?: ScaleOutResult;
  targets?: ReturnType<typeof checkTargets>;
}

interface MachineState {
  loadAverage: string;
  busiest: { pid: number; command: string; cpuPct: number }[];
  /** See calibrationMs in proc.ts: the host's speed at the time (absent in runs from before it was taken). */
  calibrationMs?: number;
}

async function machineState(): Promise<MachineState> {
  return { loadAverage: loadAverage(), busiest: await busiestProcesses([process.pid], 2000), calibrationMs: calibrationMs() };
}

const log = (line: string) => process.stdout.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const started = Date.now();
  const running: RunningSystem[] = [];
  // Last started, first stopped: the distributed services before the Kafka and Postgres they drain into.
  const stopRunning = async () => {
    for (const system of running.splice(0).reverse()) await system.stop().catch(() => undefined);
  };
  let stopMock: () => Promise<void> = async () => undefined;
  process.once('SIGINT', () => void Promise.all([stopRunning(), stopMock()]).then(() => process.exit(130)));

  const results: BenchResults = {
    generatedAt: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    durationSeconds: 0,
    options,
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGb: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
    },
    loadBefore: await machineState(),
    competitors: [],
    groups: [],
  };
  log(`load before: ${results.loadBefore.loadAverage}; busy processes: ${JSON.stringify(results.loadBefore.busiest)}; calibration loop ${results.loadBefore.calibrationMs} ms`);

  // The analytics writes alone need no mock upstream, no gateway and no load generator.
  if (options.parts.length === 1 && options.parts[0] === 'analytics') {
    try {
      await runAnalyticsOnly(options, running, results);
    } finally {
      await stopRunning();
    }
    return finish(results, started);
  }

  const mock = await startMockUpstream();
  stopMock = () => mock.stop();
  const common = {
    stepMs: options.stepMs,
    concurrency1Ms: options.quick ? 1500 : 3000,
    // Switchyard's JIT was still compiling (~200 functions) in the 3 s after a 2 s warm-up, and that
    // run's p99 at concurrency 1 was twice the next ones': the figures are for a warmed-up process.
    warmupMs: options.quick ? 2000 : 6000,
    mockPid: mock.processes[0].pid,
    log,
  };
  const direct = (): Endpoint => ({ id: 'direct (mock)', protocol: 'http', client: httpChatClient(mock.http!), processes: mock.processes, streams: true });

  try {
    if (options.parts.includes('embedded') || options.parts.includes('competitors')) {
      results.groups.push(await runEmbeddedGroup(options, mock, running, results, { ...common, direct }));
      if (options.parts.includes('embedded')) {
        const dataDir = path.join(CACHE_DIR, 'run/pglite-bench');
        const pglite = await measurePgliteInserts(dataDir, options.quick ? 5000 : 20_000, 1000).catch((error: Error) => {
          log(`PGlite insert measurement failed: ${error.message}`);
          return undefined;
        });
        results.analytics = { ...results.analytics, pglite };
      }
      await stopRunning();
    }
    if (options.parts.includes('distributed')) {
      results.groups.push(await runDistributedGroup(options, mock, running, results, { ...common, direct }));
    } else {
      if (options.parts.includes('analytics')) await runAnalyticsOnly(options, running, results);
      await stopRunning();
      if (options.parts.includes('scale-out')) {
        const infrastructure = await startPrivateInfrastructure(log);
        running.push({ processes: [], stop: infrastructure.stop });
        results.scaleOut = await scaleOut(options, mock.baseUrl, infrastructure);
      }
    }
  } finally {
    await stopRunning();
    await mock.stop();
  }
  await finish(results, started);
}

async function finish(results: BenchResults, started: number): Promise<void> {
  results.loadAfter = await machineState();
  log(`load after: ${results.loadAfter.loadAverage}; busy processes: ${JSON.stringify(results.loadAfter.busiest)}; calibration loop ${results.loadAfter.calibrationMs} ms`);
  results.durationSeconds = Math.round((Date.now() - started) / 1000);
  // A run of the analytics writes or of the scale-out alone checks only its own targets, and does not
  // replace the last full run's tables.
  const [first, ...others] = results.options.parts;
  const alone = others.length === 0 && (first === 'analytics' || first === 'scale-out') ? first : undefined;
  results.targets = checkTargets(results).filter((check) => alone === undefined || check.area === alone);
  const name = alone ? `latest-${alone}` : 'latest';
  mkdirSync(path.join(BENCH_DIR, 'results'), { recursive: true });
  writeFileSync(path.join(BENCH_DIR, `results/${name}.json`), JSON.stringify(results, null, 2) + '\n');
  const markdown = renderMarkdown(results);
  writeFileSync(path.join(BENCH_DIR, `results/${name}.md`), markdown);
  process.stdout.write('\n' + markdown);
  log(`done in ${results.durationSeconds} s; wrote bench/results/${name}.md and ${name}.json`);
}

type CommonOptions = Omit<GroupOptions, 'referenceRate' | 'ladderRates' | 'p99LimitMs' | 'freezeOthers'> & { direct: () => Endpoint };

const endpointOf = (id: string, system: RunningSystem, protocol: 'http' | 'grpc', streams: boolean, infrastructurePids?: number[]): Endpoint => ({
  id,
  protocol,
  client: protocol === 'http' ? httpChatClient(system.http!) : grpcChatClient(system.grpc!),
  processes: system.processes,
  infrastructurePids,
  streams,
});

// Targets are not pinned to a core: in this VM a process held to one core waits for that core to wake
// on every request (the floors then missed a 5 ms p99 at 100 rps). Instead the targets not being
// measured are frozen (GroupOptions.freezeOthers), so each one competes only with the generator and the mock.
const LARGE_YOUNG_GENERATION = '--max-semi-space-size=32';

async function runEmbeddedGroup(options: Options, mock: RunningSystem & { baseUrl: string }, running: RunningSystem[], results: BenchResults, common: CommonOptions): Promise<GroupResult> {
  log('starting the floors, Switchyard embedded and the other gateways');
  const floorHttp = await startFloor('http', mock.baseUrl);
  running.push(floorHttp);
  const floorGrpc = await startFloor('grpc', mock.baseUrl);
  running.push(floorGrpc);
  const embedded = await startEmbedded(mock.baseUrl);
  running.push(embedded);
  // The gRPC tail: node:http2 allocates a good deal per call, and young-generation collections that
  // promote in-flight calls turn into old-generation pauses. The same gateway with a larger young
  // generation shows how much of the tail that is.
  const embeddedLargeYoung = await startEmbedded(mock.baseUrl, [LARGE_YOUNG_GENERATION], undefined, 'embedded-data-large-young');
  running.push(embeddedLargeYoung);

  const competitorEndpoints: Endpoint[] = [];
  if (options.parts.includes('competitors')) {
    for (const competitor of COMPETITORS) {
      try {
        await competitor.install(log);
        const started = await competitor.start(mock.baseUrl);
        running.push({ processes: [started.process], http: started.http, stop: () => started.process.stop() });
        competitorEndpoints.push({ id: `${competitor.name}/http`, protocol: 'http', client: httpChatClient(started.http), processes: [started.process], streams: true });
        results.competitors.push({ name: competitor.name, status: 'measured' });
        log(`${competitor.name} is up`);
      } catch (error) {
        // The first line says what failed; the last lines of the output say why.
        const lines = (error as Error).message.split('\n').map((line) => line.trim()).filter(Boolean);
        const reason = [...new Set([lines[0], ...lines.slice(-2)])].join(' | ').slice(0, 600);
        results.competitors.push({ name: competitor.name, status: 'unavailable', reason });
        log(`${competitor.name} is unavailable: ${reason}`);
      }
    }
  }

  // Switchyard sits between the floor and the competitors; gRPC follows HTTP.
  const endpoints: Endpoint[] = [
    common.direct(),
    endpointOf('floor/http', floorHttp, 'http', false),
    endpointOf('switchyard-embedded/http', embedded, 'http', true),
    // The same requests through routed models: their CPU per request over the single target's is what routing costs.
    ...ROUTED_MODELS.map((model): Endpoint => ({ id: `switchyard-embedded/http ${model}`, protocol: 'http', client: httpChatClient({ ...embedded.http!, model }), processes: embedded.processes, streams: false, referenceOnly: true })),
    ...competitorEndpoints,
    endpointOf('floor/grpc', floorGrpc, 'grpc', false),
    endpointOf('switchyard-embedded/grpc', embedded, 'grpc', true),
    endpointOf(`switchyard-embedded/grpc ${LARGE_YOUNG_GENERATION}`, embeddedLargeYoung, 'grpc', false),
  ];
  const group = await measureGroup(endpoints, {
    ...common,
    referenceRate: 500,
    ladderRates: [100, 250, 500, 1000, 1500, 2000, 3000, 4000],
    p99LimitMs: 5,
    freezeOthers: true,
  });
  endpoints.forEach((endpoint) => endpoint.client.close());
  return { name: 'embedded', referenceRate: 500, p99LimitMs: 5, endpoints: group, idleRssByProcessMb: idleByProcess(group) };
}

async function runDistributedGroup(options: Options, mock: RunningSystem & { baseUrl: string }, running: RunningSystem[], results: BenchResults, common: CommonOptions): Promise<GroupResult> {
  // Six services, Kafka and Postgres share both cores with the generator and the mock.
  const infrastructure = await startPrivateInfrastructure(log);
  running.push({ processes: [], stop: infrastructure.stop });
  log('starting the Kafka floor (five plain kafkajs processes)');
  const kafkaFloor = await startKafkaFloor(mock.baseUrl, infrastructure);
  running.push(kafkaFloor);
  log('starting Switchyard distributed (six services)');
  const distributed = await startDistributed(mock.baseUrl, infrastructure);
  running.push(distributed);
  const endpoints: Endpoint[] = [
    common.direct(),
    endpointOf('floor/kafka-http', kafkaFloor, 'http', false, infrastructure.pids),
    endpointOf('switchyard-distributed/http', distributed, 'http', true, infrastructure.pids),
    endpointOf('switchyard-distributed/grpc', distributed, 'grpc', true, infrastructure.pids),
  ];
  // The broker runs with the JVM's usual compilation (see startPrivateInfrastructure): a light load
  // through the floor and through Switchyard lets it compile its request path before either is measured.
  if (!options.quick) {
    log('warming the broker up: 10 s at 100 rps through the Kafka floor, then through Switchyard');
    for (const endpoint of endpoints.slice(1, 3)) await openLoop(endpoint.client, { rate: 100, durationMs: 10_000, delayOf: () => 0 });
  }
  const group = await measureGroup(endpoints, {
    ...common,
    referenceRate: 200,
    ladderRates: [100, 200, 400, 700, 1000, 1500, 2000],
    p99LimitMs: 50,
    freezeOthers: false,
  });
  endpoints.forEach((endpoint) => endpoint.client.close());

  await measureAnalytics(options, infrastructure, results, distributed.processes.find((p) => p.name === 'analytics')?.pid);
  // The scale-out runs its own services on the same Kafka: topic and group names are fixed, so these go first.
  await Promise.all([distributed.stop(), kafkaFloor.stop()]);
  results.scaleOut = await scaleOut(options, mock.baseUrl, infrastructure);
  return { name: 'distributed', referenceRate: 200, p99LimitMs: 50, endpoints: group, idleRssByProcessMb: idleByProcess(group) };
}

/**
 * Direct inserts into Postgres, then through Kafka and the analytics service (already running on
 * `infrastructure`, as `analyticsPid`): events published while it runs, and a backlog published while
 * it is stopped, drained once it resumes.
 */
async function measureAnalytics(options: Options, infrastructure: { kafkaBrokers: string[]; databaseUrl: string; pids: number[] }, results: BenchResults, analyticsPid?: number): Promise<void> {
  log('analytics: direct inserts into Postgres, then through Kafka and the analytics service');
  const rows = options.quick ? 20_000 : 100_000;
  const analytics: NonNullable<BenchResults['analytics']> = { ...results.analytics };
  try {
    analytics.direct = await measureDirectInserts(infrastructure.databaseUrl, rows, [1000, 5000], infrastructure.pids);
    const pipeline = { servicePid: analyticsPid, infrastructurePids: infrastructure.pids };
    // Warms the service up (its JIT, its connections), as the direct figures warm theirs.
    await measurePipelineInserts(infrastructure.kafkaBrokers, infrastructure.databaseUrl, Math.min(rows, 20_000), 60_000, pipeline);
    analytics.pipeline = await measurePipelineInserts(infrastructure.kafkaBrokers, infrastructure.databaseUrl, rows, 60_000, pipeline);
    if (analyticsPid !== undefined) analytics.pipelineBacklog = await measurePipelineInserts(infrastructure.kafkaBrokers, infrastructure.databaseUrl, rows, 60_000, { ...pipeline, backlog: true });
    log(
      `analytics: direct ${analytics.direct.map((r) => `${r.rowsPerSecond.toFixed(0)} rows/s (batch ${r.batchSize})`).join(', ')}; ` +
        `pipeline ${analytics.pipeline.rowsPerSecond.toFixed(0)} rows/s (published in ${analytics.pipeline.publishSeconds.toFixed(2)} s); backlog ${analytics.pipelineBacklog?.rowsPerSecond.toFixed(0)} rows/s`,
    );
  } catch (error) {
    analytics.error = (error as Error).message;
    log(`analytics measurement failed: ${analytics.error}`);
  }
  results.analytics = analytics;
}

/** One provider-worker against two, and one added under load (see scale-out.ts); a failure is reported, not thrown. */
async function scaleOut(options: Options, upstreamBaseUrl: string, infrastructure: Infrastructure): Promise<ScaleOutResult> {
  try {
    return await measureScaleOut(upstreamBaseUrl, infrastructure, { rounds: options.quick ? 1 : 2, windows: 2, windowMs: 2 * options.stepMs, log });
  } catch (error) {
    log(`scale-out measurement failed: ${(error as Error).message}`);
    return { error: (error as Error).message };
  }
}

/** `--only=analytics`: a Kafka and a Postgres of the bench's own, the analytics service alone on them, and PGlite. */
async function runAnalyticsOnly(options: Options, running: RunningSystem[], results: BenchResults): Promise<void> {
  const infrastructure = await startPrivateInfrastructure(log);
  running.push({ processes: [], stop: infrastructure.stop });
  log('starting the analytics service');
  const service = await startAnalyticsService(infrastructure);
  running.push(service);
  await measureAnalytics(options, infrastructure, results, service.processes[0].pid);
  const pglite = await measurePgliteInserts(path.join(CACHE_DIR, 'run/pglite-bench'), options.quick ? 5000 : 20_000, 1000).catch((error: Error) => {
    log(`PGlite insert measurement failed: ${error.message}`);
    return undefined;
  });
  results.analytics = { ...results.analytics, pglite };
}

function idleByProcess(endpoints: EndpointResult[]): Record<string, number> {
  return Object.assign({}, ...endpoints.map((endpoint) => endpoint.idleRssByProcessMb ?? {}));
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? error}\n`);
  process.exit(1);
});
