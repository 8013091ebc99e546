// `npx tsx bench/src/limits-cost.ts [--prompt-bytes=2048] [--rounds=5]`: the CPU the limits check adds
// to one request of a virtual key with rpm, tpm and a budget, in this process: the router's
// reservation (its prompt counted with metering's tokenizer, priced at its targets) and the limiter's
// decision, then the settlement, in rounds that alternate with an unlimited request's baseline (the
// router's own checks). The ledger is a memory one: in the gateway it is read once per owner and
// period, and written once per settled request, off the request's path.
import { buildModelCatalog, parseGatewayConfig } from '@switchyard/config';
import type { RequestEvent, RequestLimits, SettlementEvent } from '@switchyard/contracts';
import { Limiter, type SpendLedger } from '@switchyard/keys';
import { buildPriceTable } from '@switchyard/pricing';
import { createRouterStage } from '@switchyard/router';
import { padPromptsTo, promptWithDelay } from './mock-protocol';

const argument = (name: string, fallback: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;

padPromptsTo(Number(argument('prompt-bytes', '2048')));
const prompt = promptWithDelay(0);
const config = parseGatewayConfig(`
models:
  - { name: bench, provider: mock, upstream_model: mock-echo, capabilities: [chat] }
pricing:
  mock/mock-echo: { input_per_mtok: 1, output_per_mtok: 2 }
`);
const ledger: SpendLedger = { spent: async () => 0, record: async () => true };
const limiter = new Limiter(ledger);
const stage = createRouterStage(buildModelCatalog(config, {}), { limiter, prices: buildPriceTable(config.pricing) });
const limits: RequestLimits = { owner: 'vk_bench', key: { id: 'vk_bench', rpm: 1e12, tpm: 1e12, max_concurrent: null, budget_usd: 1e9, budget_period: 'month' } };

let sequence = 0;
function request(limited: boolean): RequestEvent {
  return {
    request_id: `bench-${++sequence}`,
    kind: 'chat',
    stream: false,
    reply_to: 'bench',
    received_at: Date.now(),
    deadline_at: Number.MAX_SAFE_INTEGER,
    api_key_id: 'bench',
    chat: { model: 'bench', max_tokens: 256, messages: [{ role: 'user', content: prompt }] },
    ...(limited ? { limits } : {}),
  };
}

async function microsecondsPerRequest(limited: boolean, iterations: number): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) {
    const event = request(limited);
    await stage.handle(event, {} as never);
    if (!limited) continue;
    const settlement: SettlementEvent = { type: 'settlement', request_id: event.request_id, received_at: event.received_at, limits, reservation: event.reservation!, tokens: 600, cost_usd: 0.001 };
    await stage.handle(settlement, {} as never);
  }
  return Number(process.hrtime.bigint() - started) / 1000 / iterations;
}

async function main(): Promise<void> {
  const rounds = Number(argument('rounds', '5'));
  const iterations = 2000;
  await microsecondsPerRequest(false, iterations);
  await microsecondsPerRequest(true, iterations);
  const samples = { unlimited: [] as number[], limited: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    samples.unlimited.push(await microsecondsPerRequest(false, iterations));
    samples.limited.push(await microsecondsPerRequest(true, iterations));
  }
  console.log(`prompt ${prompt.length} characters; ${rounds} rounds of ${iterations} requests, alternating`);
  const best = (values: number[]) => Math.min(...values);
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  for (const [name, values] of Object.entries(samples)) console.log(`${name}: best ${best(values).toFixed(1)} µs, median ${median(values).toFixed(1)} µs a request`);
  console.log(`added by the limits check: ${(best(samples.limited) - best(samples.unlimited)).toFixed(1)} µs (best), ${(median(samples.limited) - median(samples.unlimited)).toFixed(1)} µs (median)`);
}

void main();
