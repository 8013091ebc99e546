// The Files and Batch API in distributed mode: the shared scenarios (libs/testing) against six services
// on Kafka and Postgres, with a local upstream that counts its calls; the restart stops the ingress
// (which runs the batches) with SIGTERM mid-batch, and the supervisor starts it again.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { describeBatchScenarios, eventually, startDistributedGateway, startOpenAIUpstream, type OpenAIUpstream, type RunningDistributedGateway } from '@switchyard/testing';

jest.setTimeout(600_000);

const KEYS: [string, string] = ['sk-batch-owner-dist-0123456789', 'sk-batch-other-dist-0123456789'];
let gateway: RunningDistributedGateway;
let upstream: OpenAIUpstream;
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
