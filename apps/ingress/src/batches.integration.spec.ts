// The Files and Batch API in distributed mode: the shared scenarios (libs/testing) against six services
// on Kafka and Postgres, with a local upstream that counts its calls; the restart stops the ingress
// (which runs the batches) with SIGTERM mid-batch, and the supervisor starts it again. Then a kill -9 of
// the provider-worker mid-batch, and one of the ingress.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import OpenAI, { toFile } from 'openai';
import { batchJsonl, describeBatchScenarios, eventually, type BatchLineOut, startDistributedGateway, startOpenAIUpstream, type OpenAIUpstream, type RunningDistributedGateway } from '@switchyard/testing';

jest.setTimeout(600_000);

const KEYS: [string, string] = ['sk-batch-owner-dist-0123456789', 'sk-batch-other-dist-0123456789'];
let gateway: RunningDistributedGateway;
let upstream: OpenAIUpstream;
const ADMIN_KEY = randomBytes(32).toString('hex');
let db: Client;

beforeAll(async () => {
  upstream = await startOpenAIUpstream();
  const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-batches-')), 'switchyard.yaml');
  fs.writeFileSync(
    config,
    `
models:
  - { name: upstream-gpt, provider: openai-e2e, upstream_model: gpt-test, capabilities: [chat] }
providers:
  openai-e2e: { kind: openai, base_url: "${upstream.baseUrl}", api_key_env: E2E_OPENAI_KEY }
auth: { api_keys_env: GATEWAY_KEYS }
limits: { max_request_bytes: 65536, default_timeout_ms: 20000 }
`,
  );
  gateway = await startDistributedGateway({
    SWITCHYARD_CONFIG: config,
    E2E_OPENAI_KEY: 'sk-upstream',
    GATEWAY_KEYS: KEYS.join(','),
    SWITCHYARD_ADMIN_KEY: ADMIN_KEY,
    SWITCHYARD_BATCH_RATE: '400',
    SWITCHYARD_BATCH_RATE_PER_BATCH: '200',
  });
  db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await gateway?.stop();
  await upstream?.close();
});

describeBatchScenarios('distributed', () => ({
  httpUrl: `http://${gateway.httpAddress}`,
  grpcAddress: gateway.grpcAddress,
  keys: KEYS,
  adminKey: ADMIN_KEY,
  upstream,
  query: async (sql, params) => (await db.query(sql, params)).rows,
  restart: async () => {
    const restarts = () => gateway.output().split('\n').filter((line) => line.includes('[supervisor] ingress ready again')).length;
    const before = restarts();
    gateway.signal('ingress', 'SIGTERM');
    await eventually(async () => (restarts() > before ? true : undefined), 'the ingress restarted by the supervisor', 60_000, 100);
    return `http://${gateway.httpAddress}`;
  },
}));

// After the scenarios, whose last test restarts the ingress.
describe('batches (distributed), a kill -9 mid-batch', () => {
  it('of the provider-worker completes the batch with every custom_id once in its files, and asks the upstream again nothing it answered (it did, for the answers the killed worker had not recorded)', async () => {
    const { codes, summary } = await killMidBatch('provider-worker', 'worker-kill');
    // The only failures: requests whose call the killed worker had started and not recorded, not sent
    // again as the upstream may have answered them; and, on a machine slow to bring the worker back,
    // requests whose deadline (20 s here) passed before it did.
    expect(codes.filter((code) => code !== 'provider_unavailable' && code !== 'deadline_exceeded')).toEqual([]);
    process.stdout.write(`${summary}, ${codes.filter((code) => code === 'provider_unavailable').length} not sent again, ${codes.filter((code) => code === 'deadline_exceeded').length} past their deadline\n`);
  });

  // Regression: a request the killed ingress's runner had been answered, but had not recorded, was sent
  // again by the restarted one; the pipeline answers no request twice, and it ended past its deadline.
  it('of the ingress, which runs it, completes the batch with every request answered once: what the killed runner had not recorded, the restarted one records from the replies', async () => {
    const { codes, summary } = await killMidBatch('ingress', 'ingress-kill');
    expect(codes).toEqual([]);
    process.stdout.write(`${summary}\n`);
  });
});

/**
 * Runs a 1,000-line batch, kills `service` with -9 once some of it is done, and checks that the batch
 * completes with each custom_id once, that the upstream was asked nothing again after answering it, and
 * that the batch went on after the restart. The error codes of the lines that failed, and a summary.
 */
async function killMidBatch(service: 'provider-worker' | 'ingress', prefix: string): Promise<{ codes: (string | undefined)[]; summary: string }> {
  const openai = new OpenAI({ baseURL: `http://${gateway.httpAddress}/v1`, apiKey: KEYS[0], maxRetries: 0 });
  const file = await openai.files.create({ file: await toFile(Buffer.from(batchJsonl(prefix, 1000)), 'prompts.jsonl'), purpose: 'batch' });
  const created = await openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
  const atKill = await eventually(
    async () => {
      const counts = (await openai.batches.retrieve(created.id)).request_counts!;
      return counts.completed >= 150 ? counts.completed : undefined;
    },
    'some of the batch to finish',
  );
  const from = gateway.output().length;
  const [pid] = gateway.pids(service);
  process.kill(pid, 'SIGKILL');
  await eventually(async () => (gateway.output().slice(from).includes(`[supervisor] ${service} ready again after restart`) ? true : undefined), `the ${service} restarted`, 120_000, 200);
  expect(gateway.output().slice(from)).toContain(`[supervisor] ${service} exited (SIGKILL)`);
  const batch = await eventually(
    async () => {
      const found = await openai.batches.retrieve(created.id);
      return ['completed', 'cancelled', 'expired', 'failed'].includes(found.status) ? found : undefined;
    },
    'the batch to end',
    180_000,
    500,
  );
  const read = async (id: string | null | undefined) =>
    (await (await openai.files.content(id!)).text())
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as BatchLineOut);
  const output = await read(batch.output_file_id);
  const errors = await read(batch.error_file_id);
  // The kill landed mid-batch: requests were still to run when it came.
  expect(atKill).toBeLessThan(1000);
  expect(batch.status).toBe('completed');
  expect([...output, ...errors].map((line) => line.custom_id).sort()).toEqual(Array.from({ length: 1000 }, (_, i) => `${prefix}-${i}`).sort());
  expect(batch.request_counts).toEqual({ total: 1000, completed: output.length, failed: errors.length });
  // The batch went on after the restart: more answers than when the kill came.
  expect(output.length).toBeGreaterThan(atKill);
  // Each request's calls, in the order the upstream took them: none after one it answered in full.
  const calls = new Map<string, boolean[]>();
  for (const request of upstream.requests) {
    const messages = (request.body.messages as { content: string }[] | undefined) ?? [];
    const content = messages[messages.length - 1]?.content ?? '';
    if (!content.startsWith(`prompt ${prefix}-`)) continue;
    const customId = content.slice('prompt '.length);
    calls.set(customId, [...(calls.get(customId) ?? []), request.answered]);
  }
  expect([...calls].filter(([, answered]) => answered.slice(0, -1).includes(true))).toEqual([]);
  expect(output.filter((line) => !calls.get(line.custom_id)?.includes(true))).toEqual([]);
  const codes = errors.map((line) => (line.response?.body.error as { code?: string } | undefined)?.code);
  return { codes, summary: `kill -9 of the ${service} at ${atKill} of 1,000 done: ${output.length} answered` };
}
