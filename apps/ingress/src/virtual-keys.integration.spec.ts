// Virtual keys in distributed mode, two ingress instances on Kafka and Postgres: the shared scenarios
// (libs/testing) against the first, and a key revoked through one instance refused by both within a
// second (issue 15). The scan for secrets reads every service's output and the topics' events.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { DEAD_LETTER_HEADERS, KEYS_TOPIC, TOPICS } from '@switchyard/contracts';
import { describeLimitScenarios, describeVirtualKeyScenarios, eventually, httpCall, startDistributedGateway, VIRTUAL_KEYS_CONFIG, type RunningDistributedGateway } from '@switchyard/testing';

jest.setTimeout(600_000);

const adminKey = randomBytes(32).toString('hex');
const envKey = `sk-env-${randomBytes(16).toString('hex')}`;
let gateway: RunningDistributedGateway;
let db: Client;

beforeAll(async () => {
  const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-virtual-keys-')), 'switchyard.yaml');
  fs.writeFileSync(config, VIRTUAL_KEYS_CONFIG);
  gateway = await startDistributedGateway({ SWITCHYARD_CONFIG: config, GATEWAY_KEYS: envKey, SWITCHYARD_ADMIN_KEY: adminKey, LOG_LEVEL: 'debug' }, 120_000, ['--scale', 'ingress=3']);
  db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await gateway?.stop();
});

const url = (instance: number) => `http://${gateway.httpAddresses[instance]}`;

describeVirtualKeyScenarios('distributed', () => ({
  httpUrl: url(0),
  grpcAddress: gateway.grpcAddresses[0],
  adminKey,
  envKey,
  query: async (sql, params) => (await db.query(sql, params)).rows,
  written: async () => [
    ...gateway.output().split('\n').map((line, i): [string, string] => [`output line ${i}`, line]),
    ...(await topicEvents([TOPICS.requests, TOPICS.routed, TOPICS.guarded, TOPICS.completions, TOPICS.usage, TOPICS.deadLetter, KEYS_TOPIC])),
  ],
}));

// Last but the revocation: its restart kills the router with -9 and waits for the supervisor's restart.
describeLimitScenarios('distributed, three ingress instances', () => ({
  httpUrl: url(0),
  httpUrls: [0, 1, 2].map(url),
  grpcAddress: gateway.grpcAddresses[0],
  adminKey,
  query: async (sql, params) => (await db.query(sql, params)).rows,
  produce: async (event) => {
    const producer = new Kafka({ brokers: (process.env.KAFKA_BROKERS ?? '').split(','), clientId: 'batch-producer-test', logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    await producer.send({ topic: TOPICS.requests, messages: [{ key: event.request_id, value: JSON.stringify(event) }] });
    await producer.disconnect();
  },
  deadLetterReasons: async () => (await topicMessages([TOPICS.deadLetter])).map((message) => message.headers[DEAD_LETTER_HEADERS.reason]),
  restartLimits: async () => {
    const restarts = () => gateway.output().split('\n').filter((line) => line.includes('[supervisor] router ready again')).length;
    const before = restarts();
    gateway.signal('router', 'SIGKILL');
    await eventually(async () => (restarts() > before ? true : undefined), 'the router restarted by the supervisor', 60_000, 100);
  },
}));

describe('virtual keys, several ingress instances', () => {
  it('refuses a key revoked through one instance on both within a second', async () => {
    const created = await httpCall(`${url(0)}/admin/v1/keys`, 'POST', adminKey, { name: 'short-lived' });
    expect(created.status).toBe(201);
    const secret = created.body.key as string;
    // The other instance learns of the new key from the keys topic.
    await eventually(async () => ((await httpCall(`${url(1)}/v1/models`, 'GET', secret)).status === 200 ? true : undefined), 'the key on the second instance', 10_000, 20);

    const revoked = await httpCall(`${url(0)}/admin/v1/keys/${created.body.id}`, 'DELETE', adminKey);
    const revokedAt = Date.now();
    expect(revoked.body.status).toBe('revoked');
    const refusedAfter = await Promise.all(
      [0, 1].map((instance) =>
        eventually(async () => ((await httpCall(`${url(instance)}/v1/models`, 'GET', secret)).status === 401 ? Date.now() - revokedAt : undefined), `the revocation on instance ${instance}`, 10_000, 20),
      ),
    );
    expect(refusedAfter[0]).toBeLessThan(1000);
    expect(refusedAfter[1]).toBeLessThan(1000);
  });
});

/** Every event on the topics now, as text, read from their beginning. */
async function topicEvents(topics: string[]): Promise<[string, string][]> {
  return (await topicMessages(topics)).map((message): [string, string] => [`${message.topic} event`, `${message.key} ${message.value}`]);
}

/** Every message on the topics now, read from their beginning. */
async function topicMessages(topics: string[]): Promise<{ topic: string; key: string; value: string; headers: Record<string, string> }[]> {
  const kafka = new Kafka({ brokers: (process.env.KAFKA_BROKERS ?? '').split(','), clientId: 'virtual-keys-scan', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<string, number>();
  for (const topic of topics) {
    for (const { partition, high } of await admin.fetchTopicOffsets(topic)) if (Number(high) > 0) ends.set(`${topic}:${partition}`, Number(high));
  }
  await admin.disconnect();
  const consumer = kafka.consumer({ groupId: `virtual-keys-scan-${randomBytes(4).toString('hex')}` });
  const events: { topic: string; key: string; value: string; headers: Record<string, string> }[] = [];
  const remaining = new Set(ends.keys());
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  const done = new Promise<void>((resolve) => {
    if (remaining.size === 0) resolve();
    void consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, value?.toString() ?? '']));
        events.push({ topic, key: message.key?.toString() ?? '', value: message.value?.toString() ?? '', headers });
        if (Number(message.offset) + 1 >= (ends.get(`${topic}:${partition}`) ?? 0)) remaining.delete(`${topic}:${partition}`);
        if (remaining.size === 0) resolve();
      },
    });
  });
  await done;
  await consumer.disconnect();
  return events;
}
