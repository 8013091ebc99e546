// The Files and Batch API in embedded mode: the shared scenarios (libs/testing), on PGlite and the
// in-memory bus, against a local upstream that counts its calls; the restart is a new gateway on the
// same data folder.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseGatewayConfig } from '@switchyard/config';
import { createLogger } from '@switchyard/telemetry';
import { describeBatchScenarios, startOpenAIUpstream, type OpenAIUpstream } from '@switchyard/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway';

jest.setTimeout(180_000);

const KEYS: [string, string] = ['sk-batch-owner-0123456789', 'sk-batch-other-0123456789'];

let gateway: EmbeddedGateway;
let upstream: OpenAIUpstream;
const ADMIN_KEY = randomBytes(32).toString('hex');
let dataDir: string;

const start = () =>
  startEmbeddedGateway({
    config: parseGatewayConfig(`
models:
  - { name: upstream-gpt, provider: openai-e2e, upstream_model: gpt-test, capabilities: [chat] }
providers:
  openai-e2e: { kind: openai, base_url: "${upstream.baseUrl}", api_key_env: E2E_OPENAI_KEY }
auth: { api_keys_env: GATEWAY_KEYS }
limits: { max_request_bytes: 65536, default_timeout_ms: 20000 }
`),
    grpcAddress: '127.0.0.1:0',
    httpAddress: '127.0.0.1:0',
    dataDir,
    logger: createLogger('batches-test', 'error'),
    env: { E2E_OPENAI_KEY: 'sk-upstream', GATEWAY_KEYS: KEYS.join(','), SWITCHYARD_ADMIN_KEY: ADMIN_KEY, SWITCHYARD_BATCH_RATE: '400', SWITCHYARD_BATCH_RATE_PER_BATCH: '200' },
  });

beforeAll(async () => {
  upstream = await startOpenAIUpstream();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-batches-'));
  gateway = await start();
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describeBatchScenarios('embedded', () => ({
  httpUrl: gateway.httpUrl!,
  grpcAddress: `127.0.0.1:${gateway.port}`,
  keys: KEYS,
  adminKey: ADMIN_KEY,
  upstream,
  query: async (sql, params) => (await gateway.db.query(sql, params)).rows as never,
  restart: async () => {
    await gateway.stop();
    gateway = await start();
    return gateway.httpUrl!;
  },
}));
