// The malformed-input corpus against the distributed gateway (six processes, real Kafka and Postgres):
// the front doors' cases, and events produced straight to the requests topic. Every case gets its
// expected answer, the services keep serving with their memory back where it was, every answer that
// succeeded has one ok row, and an event that cannot be answered is dead-lettered with its reason.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { Client } from 'pg';
import { DEAD_LETTER_HEADERS, TOPICS, type ReplyEvent } from '@switchyard/contracts';
import {
  CORPUS_GATEWAY_CONFIG,
  eventually,
  frontDoorCorpus,
  requestEventCorpus,
  runCorpus,
  startDistributedGateway,
  type CaseOutcome,
  type RunningDistributedGateway,
} from '@switchyard/testing';

jest.setTimeout(900_000);


describe('the malformed-input corpus, distributed gateway', () => {
  let gateway: RunningDistributedGateway;
  let db: Client;

  beforeAll(async () => {
    const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-corpus-')), 'switchyard.yaml');
    fs.writeFileSync(config, CORPUS_GATEWAY_CONFIG);
    // infra/scripts' broker takes 16 MiB messages, so the corpus's megabyte strings fit an event.
    gateway = await startDistributedGateway({ SWITCHYARD_CONFIG: config, KAFKA_MAX_MESSAGE_BYTES: String(16 * 1024 * 1024) });
    db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await gateway?.stop();
  });

  it('answers every front-door case as expected, keeps serving and its memory, and records every answer once', async () => {
    const target = { httpUrl: `http://${gateway.httpAddress}`, grpcAddress: gateway.grpcAddress };
    const cases = frontDoorCorpus();
    const since = new Date();
    const first = await runCorpus(target, cases);
    expect(problems(first)).toEqual([]);
    const before = await gateway.collectedHeaps();
    const second = await runCorpus(target, cases);
    expect(problems(second)).toEqual([]);
    const after = await gateway.collectedHeaps();
    // A heap of tens of megabytes moves by a few hundred kilobytes between collections whatever was
    // done (code compiled, buffers pooled): the bound is 10% or 1 MiB, whichever is larger.
    const grown = Object.keys(after).filter((service) => after[service] > Math.max(before[service] * 1.1, before[service] + 1024 * 1024));
    expect({ grown, before, after }).toEqual({ grown: [], before, after });

    const answered = [...first, ...second].filter((outcome) => outcome.answered);
    expect(answered.length).toBeGreaterThan(100);
    const chatIds = answered.filter((outcome) => outcome.answered!.kind === 'chat').map((outcome) => outcome.answered!.requestId);
    const embeds = answered.length - chatIds.length;
    const rows = await eventually(async () => {
      const found = (await db.query(`SELECT request_id, kind FROM usage_events WHERE ts >= $1 AND status = 'ok' AND api_key_id <> 'batch-corpus'`, [since])).rows as { request_id: string; kind: string }[];
      return found.length >= answered.length ? found : undefined;
    }, 'a usage row for every answer', 60_000);
    const chatRows = new Map<string, number>();
    for (const row of rows.filter((row) => row.kind === 'chat')) chatRows.set(row.request_id, (chatRows.get(row.request_id) ?? 0) + 1);
    expect(chatIds.filter((id) => chatRows.get(id) !== 1)).toEqual([]);
    expect(chatRows.size).toBe(chatIds.length);
    expect(rows.length - chatRows.size).toBe(embeds);
  });

  it('answers, records or dead-letters every event produced straight to the requests topic, and keeps serving', async () => {
    const kafka = new Kafka({ brokers: process.env.KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING });
    const runId = `${Date.now()}`;
    const replyTopic = `corpus.replies.${runId}`;
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: replyTopic, numPartitions: 1 }], waitForLeaders: true });
    const cases = requestEventCorpus(replyTopic, runId);
    const replies = new Map<string, ReplyEvent>();
    const deadLetters = new Map<string, { reason: string; stage: string }>();
    const consumers: Consumer[] = [];
    const read = async (topic: string, onMessage: (key: string, value: Buffer, headers: Record<string, string>) => void) => {
      const consumer = kafka.consumer({ groupId: `corpus-${topic}-${runId}`, maxBytes: 64 * 1024 * 1024 });
      consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([name, value]) => [name, String(value)]));
          onMessage(message.key?.toString() ?? '', message.value ?? Buffer.alloc(0), headers);
        },
      });
    };
    await read(replyTopic, (key, value) => replies.set(key, JSON.parse(value.toString()) as ReplyEvent));
    await read(TOPICS.deadLetter, (key, _value, headers) => {
      if (key.startsWith(`corpus-${runId}-`)) deadLetters.set(key, { reason: headers[DEAD_LETTER_HEADERS.reason], stage: headers[DEAD_LETTER_HEADERS.stage] });
    });
    const producer = kafka.producer();
    await producer.connect();
    for (const corpusCase of cases) await producer.send({ topic: TOPICS.requests, messages: [{ key: corpusCase.key, value: corpusCase.value }] });

    await eventually(async () => (cases.every((corpusCase) => replies.has(corpusCase.key) || deadLetters.has(corpusCase.key)) ? true : undefined), 'an outcome for every event', 120_000);
    const wrong: string[] = [];
    for (const corpusCase of cases) {
      const reply = replies.get(corpusCase.key);
      const dead = deadLetters.get(corpusCase.key);
      if (corpusCase.expect === 'dead-letter') {
        if (!dead || dead.stage !== 'router' || !dead.reason) wrong.push(`${corpusCase.name}: expected a dead letter from the router, got ${JSON.stringify(dead ?? reply)?.slice(0, 200)}`);
        continue;
      }
      const code = reply?.type === 'error' ? reply.error.code : reply ? 'ok' : undefined;
      if (code !== corpusCase.expect.code) wrong.push(`${corpusCase.name}: expected ${corpusCase.expect.code}, got ${code ?? JSON.stringify(dead)}`);
    }
    expect(wrong).toEqual([]);

    // Every event that was answered has its one row, saying what its reply said.
    const answered = cases.filter((corpusCase) => corpusCase.expect !== 'dead-letter');
    const rows = await eventually(async () => {
      const found = (await db.query(`SELECT request_id, status, error_code FROM usage_events WHERE request_id = ANY($1)`, [answered.map((corpusCase) => corpusCase.key)])).rows as {
        request_id: string;
        status: string;
        error_code: string | null;
      }[];
      return found.length >= answered.length ? found : undefined;
    }, 'a usage row for every answered event', 60_000);
    expect(rows.length).toBe(answered.length);
    for (const row of rows) {
      const expected = (answered.find((corpusCase) => corpusCase.key === row.request_id)!.expect as { code: string }).code;
      expect({ id: row.request_id, code: row.error_code ?? 'ok' }).toEqual({ id: row.request_id, code: expected });
    }

    await producer.disconnect();
    await Promise.all(consumers.map((consumer) => consumer.disconnect()));
    await admin.deleteTopics({ topics: [replyTopic] });
    await admin.disconnect();
    const target = { httpUrl: `http://${gateway.httpAddress}`, grpcAddress: gateway.grpcAddress };
    const [check] = await runCorpus(target, frontDoorCorpus().filter((corpusCase) => corpusCase.name === 'gRPC Chat: a well-formed request with every optional part'));
    expect(check.problem).toBeUndefined();
  });
});

function problems(outcomes: CaseOutcome[]): string[] {
  return outcomes.filter((outcome) => outcome.problem).map((outcome) => `${outcome.name}: ${outcome.problem}`);
}
