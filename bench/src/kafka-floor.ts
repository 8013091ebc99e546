// The distributed floor: the least five Node processes can do to pass a chat call along the same five
// Kafka hops as Switchyard's pipeline (front -> router -> guardrail -> worker -> metering -> front),
// with plain kafkajs and no gateway logic: no parsing beyond JSON, no validation, routing, rules,
// metering, tracing or analytics. The worker position makes the one keep-alive HTTP call to the mock.
// What Switchyard's distributed mode adds above this is its own; what this costs is Kafka's and kafkajs'.
// Run as its own process: KAFKA_FLOOR_ROLE=front|relay|caller KAFKA_FLOOR_HOP=<0-4>
// KAFKA_BROKERS=<brokers> [FLOOR_PORT=<port> UPSTREAM_URL=<mock base url>] KAFKA_FLOOR_RUN=<topic prefix>.
import * as http from 'node:http';
import * as net from 'node:net';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { callUpstream } from './floor-upstream';

const prefix = process.env.KAFKA_FLOOR_RUN ?? 'bench.kafka-floor';
/** The five hops, in the pipeline's order; the last one is the front's reply topic. */
const KAFKA_FLOOR_TOPICS = ['requests', 'routed', 'guarded', 'completions', 'replies'].map((name) => `${prefix}.${name}`);
const PARTITIONS = 6;

// TCP_NODELAY as Kafka's own clients set it (and Switchyard's bus): kafkajs leaves Nagle's algorithm on.
const kafka = new Kafka({
  clientId: `kafka-floor-${process.pid}`,
  brokers: (process.env.KAFKA_BROKERS ?? '').split(','),
  logLevel: logLevel.ERROR,
  socketFactory: ({ host, port, onConnect }) => net.connect({ host, port, noDelay: true }, onConnect),
});

interface FloorMessage {
  id: string;
  body: { model: string; messages: unknown[] };
  answer?: unknown;
}

/** Consumes `topic` and hands each message's JSON to `handle`, batch by batch, without waiting between batches. */
async function consume(topic: string, group: string, handle: (messages: FloorMessage[]) => Promise<void>): Promise<void> {
  const consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: false });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({
    autoCommitInterval: 1000,
    partitionsConsumedConcurrently: PARTITIONS,
    eachBatch: async ({ batch }) => {
      void handle(batch.messages.map((message) => JSON.parse(message.value!.toString('utf8')) as FloorMessage));
    },
  });
  await joined;
}

function send(producer: Producer, topic: string, messages: FloorMessage[]): Promise<unknown> {
  return producer.send({ topic, messages: messages.map((message) => ({ key: message.id, value: JSON.stringify(message) })) });
}

async function main(): Promise<void> {
  const role = process.env.KAFKA_FLOOR_ROLE;
  const hop = Number(process.env.KAFKA_FLOOR_HOP ?? 0);
  const producer = kafka.producer();
  await producer.connect();
  if (role === 'front') {
    const admin = kafka.admin();
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    await admin.createTopics({ waitForLeaders: true, topics: KAFKA_FLOOR_TOPICS.filter((topic) => !existing.has(topic)).map((topic) => ({ topic, numPartitions: PARTITIONS })) });
    await admin.disconnect();
    const waiting = new Map<string, (answer: unknown) => void>();
    await consume(KAFKA_FLOOR_TOPICS[4], `kafka-floor-front-${randomUUID()}`, async (messages) => {
      for (const message of messages) waiting.get(message.id)?.(message.answer);
    });
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const id = randomUUID();
        const answered = new Promise<unknown>((resolve) => waiting.set(id, resolve));
        send(producer, KAFKA_FLOOR_TOPICS[0], [{ id, body: { model: body.model, messages: body.messages } }])
          .then(() => answered)
          .then(
            (answer) => {
              waiting.delete(id);
              const text = JSON.stringify(answer);
              res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
            },
            (error: Error) => res.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: error.message } })),
          );
      });
    });
    server.keepAliveTimeout = 120_000;
    server.listen(Number(process.env.FLOOR_PORT), '127.0.0.1', () => process.stdout.write(`kafka floor front listening on ${process.env.FLOOR_PORT}\n`));
    return;
  }
  const input = KAFKA_FLOOR_TOPICS[hop];
  const output = KAFKA_FLOOR_TOPICS[hop + 1];
  await consume(input, `kafka-floor-${hop}`, async (messages) => {
    if (role !== 'caller') {
      await send(producer, output, messages);
      return;
    }
    // Each answer goes on as soon as it is in, not with the slowest of its batch.
    for (const message of messages) {
      void callUpstream(message.body).then((answer) => send(producer, output, [{ ...message, answer }]));
    }
  });
  process.stdout.write(`kafka floor ${role} ${hop} ready\n`);
}

main().catch((error) => {
  process.stderr.write(`kafka floor failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
