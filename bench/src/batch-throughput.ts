// Batches in the bench, against the bench's mock upstream, embedded (the bundled process `npm start`
// runs) unless `--system=distributed` (the six services on a Kafka and a Postgres of the bench's own).
//
// `npx tsx bench/src/batch-throughput.ts [--lines=2000] [--rounds=3]`: requests a second through a
// batch: a file of `--lines` chat requests uploaded, the batch made, and the time from its creation to
// `completed`. Pacing is lifted (rate and in-flight caps far above what the machine does, 64 under way,
// no queue target unless SWITCHYARD_BATCH_QUEUE_TARGET_MS is set), so the figure is what the gateway can
// run; the defaults (docs/batch.md) hold a batch to 100 a second, and slow it while the pipeline queues.
//
// `npx tsx bench/src/batch-throughput.ts --mode=latency [--rate=50] [--seconds=20] [--lines=6000] [--rounds=2]`:
// interactive latency beside batches: chat requests at a steady `--rate` for `--seconds` (open loop,
// timed from when each was due), with no batch, then while two batches of `--lines` requests each run
// at the default pacing (200 requests a second over all batches, 64 under way), `--rounds` times.
import OpenAI, { toFile } from 'openai';
import { httpChatClient, openLoop, type StepResult } from './load';
import { promptWithDelay } from './mock-protocol';
import { round } from './stats';
import { SWITCHYARD_MODEL, startDistributed, startEmbedded, startMockUpstream, startPrivateInfrastructure, type Infrastructure, type RunningSystem } from './systems';

const argument = (name: string, fallback: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const ENDED = ['completed', 'failed', 'cancelled', 'expired'];

function batchJsonl(prefix: string, lines: number): string {
  const prompt = promptWithDelay(0);
  return Array.from({ length: lines }, (_, i) =>
    JSON.stringify({ custom_id: `${prefix}-${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: SWITCHYARD_MODEL, messages: [{ role: 'user', content: prompt }] } }),
  ).join('\n');
}

async function createBatch(openai: OpenAI, prefix: string, lines: number): Promise<OpenAI.Batches.Batch> {
  const file = await openai.files.create({ file: await toFile(Buffer.from(batchJsonl(prefix, lines)), 'bench.jsonl'), purpose: 'batch' });
  return openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
}

async function throughput(system: RunningSystem, lines: number, rounds: number, mode: string): Promise<void> {
  const openai = new OpenAI({ baseURL: system.http!.baseUrl, apiKey: 'bench', maxRetries: 0 });
  const figures: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    let batch = await createBatch(openai, `r${round}`, lines);
    while (!ENDED.includes(batch.status)) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      batch = await openai.batches.retrieve(batch.id);
    }
    const seconds = (performance.now() - started) / 1000;
    if (batch.status !== 'completed' || batch.request_counts!.completed !== lines) throw new Error(`batch ${batch.id} ended ${batch.status} with ${JSON.stringify(batch.request_counts)}`);
    figures.push(lines / seconds);
    process.stdout.write(`round ${round + 1}: ${lines} requests in ${seconds.toFixed(2)} s, ${(lines / seconds).toFixed(0)} requests/s\n`);
  }
  const sorted = [...figures].sort((a, b) => a - b);
  process.stdout.write(`batch throughput, ${mode}: best ${sorted[sorted.length - 1].toFixed(0)}, median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} requests/s (${lines} requests a batch, ${rounds} rounds)\n`);
}

function describeStep(label: string, step: StepResult): string {
  return `${label}: ${step.ok}/${step.sent} ok at ${round(step.achievedRate)} rps, p50 ${round(step.excess.p50)} ms, p90 ${round(step.excess.p90)} ms, p99 ${round(step.excess.p99)} ms, max ${round(step.excess.max)} ms${step.errors ? `, ${step.errors} errors (${step.errorSamples.join('; ')})` : ''}`;
}

async function latency(system: RunningSystem, lines: number, rate: number, seconds: number, rounds: number, mode: string): Promise<void> {
  const openai = new OpenAI({ baseURL: system.http!.baseUrl, apiKey: 'bench', maxRetries: 0 });
  const client = httpChatClient(system.http!);
  const step = () => openLoop(client, { rate, durationMs: seconds * 1000, delayOf: () => 0 });
  try {
    await openLoop(client, { rate, durationMs: 3000, delayOf: () => 0 });
    // Alone and beside batches in turn, so that the machine's other work weighs on both alike.
    for (let turn = 1; turn <= rounds; turn++) {
      process.stdout.write(`${describeStep(`round ${turn}, interactive alone, ${mode}`, await step())}\n`);
      const batches = await Promise.all([createBatch(openai, `a${turn}`, lines), createBatch(openai, `b${turn}`, lines)]);
      const done = async () => (await Promise.all(batches.map((batch) => openai.batches.retrieve(batch.id)))).reduce((sum, batch) => sum + batch.request_counts!.completed + batch.request_counts!.failed, 0);
      // The batches reach their pace before the measurement starts.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const before = await done();
      const started = performance.now();
      const beside = await step();
      const batchRate = ((await done()) - before) / ((performance.now() - started) / 1000);
      const ongoing = await Promise.all(batches.map((batch) => openai.batches.retrieve(batch.id)));
      process.stdout.write(`${describeStep(`round ${turn}, interactive beside 2 batches, ${mode}`, beside)}; batch requests meanwhile ${round(batchRate)}/s, batches then ${ongoing.map((batch) => batch.status).join(', ')}\n`);
      await Promise.all(batches.map((batch) => openai.batches.cancel(batch.id).catch(() => undefined)));
      for (const batch of batches) {
        while (!ENDED.includes((await openai.batches.retrieve(batch.id)).status)) await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
  } finally {
    client.close();
  }
}

async function main(): Promise<void> {
  const mode = argument('mode', 'throughput');
  const systemName = argument('system', 'embedded');
  if (!['throughput', 'latency'].includes(mode) || !['embedded', 'distributed'].includes(systemName)) throw new Error('--mode is throughput or latency, --system embedded or distributed');
  if (mode === 'throughput') Object.assign(process.env, { SWITCHYARD_BATCH_RATE: '100000', SWITCHYARD_BATCH_RATE_PER_BATCH: '100000', SWITCHYARD_BATCH_IN_FLIGHT: '64', SWITCHYARD_BATCH_IN_FLIGHT_PER_BATCH: '64', SWITCHYARD_BATCH_QUEUE_TARGET_MS: process.env.SWITCHYARD_BATCH_QUEUE_TARGET_MS ?? '0' });
  const upstream = await startMockUpstream();
  let infrastructure: Infrastructure | undefined;
  let system: RunningSystem | undefined;
  try {
    if (systemName === 'distributed') {
      infrastructure = await startPrivateInfrastructure((line) => process.stdout.write(`${line}\n`));
      system = await startDistributed(upstream.baseUrl, infrastructure);
    } else {
      system = await startEmbedded(upstream.baseUrl, [], undefined, 'batch-data');
    }
    if (mode === 'throughput') await throughput(system, Number(argument('lines', '2000')), Number(argument('rounds', '3')), systemName);
    else await latency(system, Number(argument('lines', '6000')), Number(argument('rate', '50')), Number(argument('seconds', '20')), Number(argument('rounds', '2')), systemName);
  } finally {
    await system?.stop();
    await infrastructure?.stop();
    await upstream.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exitCode = 1;
});
