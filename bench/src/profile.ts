// `npx tsx bench/src/profile.ts [--mode=embedded|distributed|kafka-floor] [--protocol=http|grpc] [--rate=400] [--duration=8] [--delay=0|capacity] [--warmup=3] [--profile=false] [--output=true] [--node-args='--max-semi-space-size=32'] [--cpus=1] [--model=bench-gpt|bench-cached|bench-loadbalance|bench-fallback] [--rounds=5] [--prompt-bytes=2048] [--guardrail-rules=default|none|mask_email,...] [--client=kafkajs|platformatic]`
// Starts Switchyard under `node --cpu-prof`, drives open-loop load at it, stops it, and prints its CPU
// per request, its resident memory (before and at most during each step) and where that CPU went: self
// time by function and by package, per process. The .cpuprofile files stay in bench/.cache/profiles
// for Chrome DevTools or speedscope. --profile=false
// measures without the profiler's own overhead, to compare a change's effect; --output=true
// prints what the gateway's processes printed. Several models, comma-separated, are measured in turn
// on the same gateway process, --rounds times (A B A B ...), so that drift in the machine's speed falls
// on each alike; each model's CPU per request is printed per round, with its median and spread.
// --client picks the Kafka floor's client (KAFKA_FLOOR_CLIENT): kafkajs, the default (and the
// services'), or @platformatic/kafka.
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { grpcChatClient, httpChatClient, openLoop } from './load';
import { capacityDelay } from './measure';
import { cpuMs, rssMb } from './proc';
import { padPromptsTo } from './mock-protocol';
import { median } from './stats';
import { CACHE_DIR, sleep } from './services';
import { SWITCHYARD_MODEL, useGuardrailRules, startDistributed, startEmbedded, startKafkaFloor, startMockUpstream, startPrivateInfrastructure, type Infrastructure } from './systems';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const argument = (name: string, fallback: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;

/** Where a function lives, shortened: the workspace file or the npm package. */
function placeOf(url: string): string {
  if (!url) return '(native)';
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (packageMatch) return packageMatch[1];
  if (url.startsWith('node:')) return url;
  const workspace = /\/(libs|apps)\/(.*)$/.exec(url);
  return workspace ? `${workspace[1]}/${workspace[2]}` : url.replace(/^file:\/\//, '');
}

/** Microseconds on the monotonic clock, the clock V8 stamps profile samples with on Linux. */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** Self time by function over the samples taken within [fromUs, toUs]: the load, not start-up or shutdown. */
function summarize(file: string, top: number, fromUs: number, toUs: number): string {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at >= fromUs && at <= toUs) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const byFunction = new Map<string, number>();
  const byPlace = new Map<string, number>();
  // Inclusive time of each workspace file: samples with the file anywhere on the stack, counted once.
  const inclusive = new Map<string, number>();
  let total = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    total += us;
    const place = placeOf(frame.url);
    const file = frame.url.includes('node_modules/') ? frame.url.slice(frame.url.lastIndexOf('node_modules/') + 'node_modules/'.length) : place;
    const name = `${frame.functionName || '(anonymous)'} ${file}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + us);
    byPlace.set(place, (byPlace.get(place) ?? 0) + us);
    const onStack = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) {
      const url = byId.get(at)!.callFrame.url;
      if (/\/(libs|apps)\//.test(url) && !url.includes('node_modules')) onStack.add(placeOf(url));
    }
    for (const file of onStack) inclusive.set(file, (inclusive.get(file) ?? 0) + us);
  }
  const share = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
  const list = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, us]) => `  ${share(us)} ${name}`);
  return [`${path.basename(file)}: ${(total / 1000).toFixed(0)} ms busy during the load`, 'self time by package or file:', ...list(byPlace), 'self time by function:', ...list(byFunction), 'inclusive time by workspace file:', ...list(inclusive)].join('\n');
}

async function main(): Promise<void> {
  const mode = argument('mode', 'embedded');
  const protocol = argument('protocol', 'http');
  const rate = Number(argument('rate', '400'));
  const durationMs = Number(argument('duration', '8')) * 1000;
  const delay = argument('delay', '0');
  padPromptsTo(Number(argument('prompt-bytes', '0')));
  const rules = argument('guardrail-rules', 'default');
  if (rules !== 'default') useGuardrailRules(rules === 'none' ? [] : rules.split(','));
  const profileDir = path.join(CACHE_DIR, 'profiles');
  rmSync(profileDir, { recursive: true, force: true });
  mkdirSync(profileDir, { recursive: true });
  const extraNodeArgs = process.argv.find((arg) => arg.startsWith('--node-args='))?.slice('--node-args='.length).split(' ').filter(Boolean) ?? [];
  const nodeArgs = [...extraNodeArgs, ...(argument('profile', 'true') === 'false' ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`])];

  const client = argument('client', 'kafkajs');
  if (client !== 'kafkajs' && client !== 'platformatic') throw new Error(`--client must be kafkajs or platformatic, not ${client}`);
  // The floor's processes are started with this process's environment.
  process.env.KAFKA_FLOOR_CLIENT = client;
  const mock = await startMockUpstream();
  let infrastructure: Infrastructure | undefined;
  if (mode === 'distributed' || mode === 'kafka-floor') infrastructure = await startPrivateInfrastructure((line) => console.log(line));
  const starting =
    infrastructure
      ? mode === 'kafka-floor'
        ? startKafkaFloor(mock.baseUrl, infrastructure)
        : startDistributed(mock.baseUrl, infrastructure, nodeArgs)
      : startEmbedded(mock.baseUrl, nodeArgs, process.argv.find((arg) => arg.startsWith('--cpus='))?.slice('--cpus='.length));
  // A gateway that does not start must not leave the bench's own Kafka and Postgres running.
  const gateway = await starting.catch(async (error: unknown) => {
    await infrastructure?.stop();
    await mock.stop();
    throw error;
  });
  let loadFromUs = 0;
  let loadToUs = 0;
  try {
    const models = argument('model', SWITCHYARD_MODEL).split(',');
    const rounds = models.length > 1 ? Number(argument('rounds', '5')) : 1;
    const clients = models.map((model) => (protocol === 'grpc' ? grpcChatClient({ ...gateway.grpc!, model }) : httpChatClient({ ...gateway.http!, model })));
    for (const client of clients) {
      await openLoop(client, { rate: 100, durationMs: 2000, delayOf: () => 0 });
      // At the measured rate too, so that the code is compiled for it before the measurement.
      await openLoop(client, { rate, durationMs: Number(argument('warmup', '3')) * 1000, delayOf: () => 0 });
    }
    const pids = gateway.processes.map((p) => p.pid);
    const perModel = models.map(() => [] as number[]);
    loadFromUs = monotonicUs();
    for (let round = 0; round < rounds; round++) {
      for (const [i, client] of clients.entries()) {
        const cpuBefore = cpuMs(pids);
        const infrastructureCpuBefore = infrastructure ? cpuMs(infrastructure.pids) : 0;
        // Resident memory of the gateway's processes together: before the step, and the highest seen while it runs.
        const rssBefore = pids.reduce((sum, pid) => sum + rssMb(pid), 0);
        let rssPeak = rssBefore;
        const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, pids.reduce((sum, pid) => sum + rssMb(pid), 0))), 500);
        const step = await openLoop(client, { rate, durationMs, delayOf: delay === 'capacity' ? capacityDelay : () => Number(delay) }).finally(() => clearInterval(sampler));
        const perRequest = (cpuMs(pids) - cpuBefore) / Math.max(1, step.ok);
        perModel[i].push(perRequest);
        const infrastructurePerRequest = infrastructure ? ` + ${((cpuMs(infrastructure.pids) - infrastructureCpuBefore) / Math.max(1, step.ok)).toFixed(3)} Kafka/Postgres` : '';
        console.log(`${models[i]}: ${rate} rps for ${durationMs} ms: p50 ${step.excess.p50.toFixed(2)} ms, p99 ${step.excess.p99.toFixed(2)} ms, errors ${step.errors}${step.errors > 0 ? ` (${step.errorSamples.join('; ')})` : ''}, CPU ${perRequest.toFixed(3)}${infrastructurePerRequest} ms/request, RSS ${rssBefore.toFixed(0)} MB before, ${rssPeak.toFixed(0)} MB at most`);
      }
    }
    loadToUs = monotonicUs();
    if (rounds > 1) {
      for (const [i, model] of models.entries()) {
        // Each round's difference from the first model's figure of the same round, whose drift it shares.
        const overFirst = i === 0 ? '' : `; over ${models[0]}: medians ${(median(perModel[i]) - median(perModel[0])).toFixed(3)} ms apart, median of the rounds' differences ${median(perModel[i].map((cpu, round) => cpu - perModel[0][round])).toFixed(3)} ms`;
        console.log(`${model}: CPU ms/request median ${median(perModel[i]).toFixed(3)} (${Math.min(...perModel[i]).toFixed(3)}-${Math.max(...perModel[i]).toFixed(3)} over ${rounds} rounds)${overFirst}`);
      }
    }
    clients.forEach((client) => client.close());
  } finally {
    if (argument('output', 'false') === 'true') for (const p of gateway.processes) console.log(`--- ${p.name} printed:\n${p.output().slice(-1500)}`);
    await gateway.stop();
    await infrastructure?.stop();
    await mock.stop();
  }
  await sleep(500);
  for (const file of readdirSync(profileDir).filter((name) => name.endsWith('.cpuprofile'))) {
    console.log('\n' + summarize(path.join(profileDir, file), Number(argument('top', '25')), loadFromUs, loadToUs));
  }
}

void main();
