// Virtual keys in embedded mode: the shared scenarios (libs/testing), on PGlite and the in-memory bus,
// with every event the bus carried and every log line kept for the scan for secrets.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseGatewayConfig } from '@switchyard/config';
import { DEAD_LETTER_HEADERS, KEYS_TOPIC, TOPICS, replyTopicFor } from '@switchyard/contracts';
import { DEAD_LETTER_FILE } from '@switchyard/pipeline';
import { createLogger } from '@switchyard/telemetry';
import { captureStderr, describeLimitScenarios, describeVirtualKeyScenarios, VIRTUAL_KEYS_CONFIG } from '@switchyard/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway';

jest.setTimeout(120_000);

let gateway: EmbeddedGateway;
let dataDir: string;
let logs: ReturnType<typeof captureStderr>;
const events: [string, string][] = [];
const adminKey = randomBytes(32).toString('hex');
const envKey = `sk-env-${randomBytes(16).toString('hex')}`;

const start = () =>
  startEmbeddedGateway({
    config: parseGatewayConfig(VIRTUAL_KEYS_CONFIG),
    grpcAddress: '127.0.0.1:0',
    httpAddress: '127.0.0.1:0',
    dataDir,
    logger: createLogger('virtual-keys-test', 'debug'),
    env: { GATEWAY_KEYS: envKey, SWITCHYARD_ADMIN_KEY: adminKey },
  });

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-virtual-keys-'));
  logs = captureStderr();
  gateway = await start();
  for (const topic of [...Object.values(TOPICS), KEYS_TOPIC, replyTopicFor('embedded')]) {
    await gateway.bus.subscribe({ topic, group: 'secret-scan', handleBatch: async (messages) => void messages.forEach((message) => events.push([`${topic} event`, JSON.stringify(message)])) });
  }
});

afterAll(async () => {
  await gateway?.stop();
  logs?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describeVirtualKeyScenarios('embedded', () => ({
  httpUrl: gateway.httpUrl!,
  grpcAddress: `127.0.0.1:${gateway.port}`,
  adminKey,
  envKey,
  query: async (sql, params) => (await gateway.db.query(sql, params)).rows,
  written: async () => [...logs.lines().map((line, i): [string, string] => [`log line ${i}`, line]), ...events],
}));

// Last: its restart makes a new gateway, on the same data folder.
describeLimitScenarios('embedded', () => ({
  httpUrl: gateway.httpUrl!,
  httpUrls: [gateway.httpUrl!],
  grpcAddress: `127.0.0.1:${gateway.port}`,
  adminKey,
  query: async (sql, params) => (await gateway.db.query(sql, params)).rows,
  restartLimits: async () => {
    await gateway.stop();
    gateway = await start();
  },
  produce: (event) => gateway.bus.publish(TOPICS.requests, [{ key: event.request_id, value: event }]),
  deadLetterReasons: async () => {
    const file = path.join(dataDir, DEAD_LETTER_FILE);
    if (!fs.existsSync(file)) return [];
    return fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => String((JSON.parse(line) as { headers: Record<string, string> }).headers[DEAD_LETTER_HEADERS.reason]));
  },
}));

describe('virtual keys, embedded, without an admin key', () => {
  it('serves no admin API and asks for no key, as before', async () => {
    const open = await startEmbeddedGateway({
      config: parseGatewayConfig('models:\n  - { name: mock-echo, provider: mock }\n'),
      grpcAddress: '127.0.0.1:0',
      httpAddress: '127.0.0.1:0',
      dataDir: fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-no-admin-')),
      logger: createLogger('no-admin-test', 'error'),
      env: {},
    });
    try {
      const answer = await fetch(`${open.httpUrl}/admin/v1/keys`, { headers: { authorization: `Bearer ${adminKey}` } });
      expect([answer.status, ((await answer.json()) as { error: { message: string } }).error.message]).toEqual([404, 'the admin API is off: this gateway has no admin key (set SWITCHYARD_ADMIN_KEY)']);
      expect((await fetch(`${open.httpUrl}/v1/models`)).status).toBe(200);
    } finally {
      await open.stop();
    }
  });
});
