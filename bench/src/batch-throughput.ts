// `npx tsx bench/src/batch-throughput.ts [--lines=2000] [--rounds=3]`: requests a second through a batch
// in embedded mode (the bundled process `npm start` runs), against the bench's mock upstream: a file of
// `--lines` chat requests uploaded, the batch made, and the time from its creation to `completed`.
// Pacing is lifted (rate and in-flight caps far above what the machine does, 64 under way), so the
// figure is what the gateway can run; the defaults (docs/batch.md) hold a batch to 100 a second.
import OpenAI, { toFile } from 'openai';
import { promptWithDelay } from './mock-protocol';
import { SWITCHYARD_MODEL, startEmbedded, startMockUpstream } from './systems';

const argument = (name: string, fallback: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;

async function main(): Promise<void> {
  const lines = Number(argument('lines', '2000'));
  const rounds = Number(argument('rounds', '3'));
  Object.assign(process.env, { SWITCHYARD_BATCH_RATE: '100000', SWITCHYARD_BATCH_RATE_PER_BATCH: '100000', SWITCHYARD_BATCH_IN_FLIGHT: '64', SWITCHYARD_BATCH_IN_FLIGHT_PER_BATCH: '64' });
  const upstream = await startMockUpstream();
  const gateway = await startEmbedded(upstream.baseUrl, [], undefined, 'batch-data');
  try {
    const openai = new OpenAI({ baseURL: gateway.http!.baseUrl, apiKey: 'bench', maxRetries: 0 });
    const prompt = promptWithDelay(0);
    const figures: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const jsonl = Array.from({ length: lines }, (_, i) =>
        JSON.stringify({ custom_id: `r${round}-${i}`, method: 'POST', url: '/v1/chat/completions', body: { model: SWITCHYARD_MODEL, messages: [{ role: 'user', content: prompt }] } }),
      ).join('\n');
      const file = await openai.files.create({ file: await toFile(Buffer.from(jsonl), 'bench.jsonl'), purpose: 'batch' });
      const started = performance.now();
      let batch = await openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
      while (!['completed', 'failed', 'cancelled', 'expired'].includes(batch.status)) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        batch = await openai.batches.retrieve(batch.id);
      }
      const seconds = (performance.now() - started) / 1000;
      if (batch.status !== 'completed' || batch.request_counts!.completed !== lines) throw new Error(`batch ${batch.id} ended ${batch.status} with ${JSON.stringify(batch.request_counts)}`);
      figures.push(lines / seconds);
      process.stdout.write(`round ${round + 1}: ${lines} requests in ${seconds.toFixed(2)} s, ${(lines / seconds).toFixed(0)} requests/s\n`);
    }
    const sorted = [...figures].sort((a, b) => a - b);
    process.stdout.write(`batch throughput, embedded: best ${sorted[sorted.length - 1].toFixed(0)}, median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} requests/s (${lines} requests a batch, ${rounds} rounds)\n`);
  } finally {
    await gateway.stop();
    await upstream.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exitCode = 1;
});
