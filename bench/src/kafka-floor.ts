// The distributed floor: the least five Node processes can do to pass a chat call along the same five
// Kafka hops as Switchyard's pipeline (front -> router -> guardrail -> worker -> metering -> front),
// with a plain Kafka client and no gateway logic: no parsing beyond JSON, no validation, routing, rules,
// metering, tracing or analytics. The worker position makes the one keep-alive HTTP call to the mock.
// What Switchyard's distributed mode adds above this is its own; what this costs is Kafka's and the client's.
// Run as its own process: KAFKA_FLOOR_ROLE=front|relay|caller KAFKA_FLOOR_HOP=<0-4>
// KAFKA_BROKERS=<brokers> [FLOOR_PORT=<port> UPSTREAM_URL=<mock base url>] KAFKA_FLOOR_RUN=<topic prefix>
// [KAFKA_FLOOR_CLIENT=kafkajs|platformatic]: the client, kafkajs (the default) or @platformatic/kafka.
import * as http from 'node:http';
import * as net from 'node:net';
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { callUpstream } from './floor-upstream';

const prefix = process.env.KAFKA_FLOOR_RUN ?? 'bench.kafka-floor';
/** The five hops, in the pipeline's order; the last one is the front's reply topic. */
const KAFKA_FLOOR_TOPICS = ['requests', 'routed', 'guarded', 'completions', 'replies'].map((name) => `${prefix}.${name}`);
const PARTITIONS = 6;
const brokers = (process.env.KAFKA_BROKERS ?? '').split(',');

interface FloorMessage {
  id: string;
  body: { model: string; messages: unknown[] };
  answer?: unknown;
}

/** What the floor needs of a Kafka client: its topics, a consumer per hop and one producer. */
interface FloorClient {
  createTopics(topics: string[]): Promise<void>;
  /** Consumes `topic` from its end and hands each fetched batch's JSON to `handle`, without waiting on it. */
  consume(topic: string, group: string, handle: (messages: FloorMessage[]) => Promise<void>): Promise<void>;
  send(topic: string, messages: FloorMessage[]): Promise<unknown>;
}

async function kafkajsClient(): Promise<FloorClient> {
  // TCP_NODELAY as Kafka's own clients set it (and Switchyard's bus): kafkajs leaves Nagle's algorithm on.
  const kafka = new Kafka({
    clientId: `kafka-floor-${process.pid}`,
    brokers,
    logLevel: logLevel.ERROR,
    socketFactory: ({ host, port, onConnect }) => net.connect({ host, port, noDelay: true }, onConnect),
  });
  const producer = kafka.producer();
  await producer.connect();
  return {
    async createTopics(topics) {
      const admin = kafka.admin();
      await admin.connect();
      const existing = new Set(await admin.listTopics());
      await admin.createTopics({ waitForLeaders: true, topics: topics.filter((topic) => !existing.has(topic)).map((topic) => ({ topic, numPartitions: PARTITIONS })) });
      await admin.disconnect();
    },
    async consume(topic, group, handle) {
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
    },
    send: (topic, messages) => producer.send({ topic, messages: messages.map((message) => ({ key: message.id, value: JSON.stringify(message) })) }),
  };
}

/**
 * @platformatic/kafka (an ES module, so imported when chosen). It sets TCP_NODELAY itself. Its
 * consumer hands over messages one by one as each fetch response is read; those of one response are
 * handled together, as kafkajs hands over a fetched partition's batch.
 */
async function platformaticClient(): Promise<FloorClient> {
  const { Admin, Consumer, Producer, ProduceAcks } = await import('@platformatic/kafka');
  const clientId = `kafka-floor-${process.pid}`;
  // acks=all, kafkajs' default (this client's is the leader's alone).
  const producer = new Producer({ clientId, bootstrapBrokers: brokers, acks: ProduceAcks.ALL });
  return {
    async createTopics(topics) {
      const admin = new Admin({ clientId, bootstrapBrokers: brokers });
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((topic) => !existing.has(topic));
      if (missing.length > 0) await admin.createTopics({ topics: missing, partitions: PARTITIONS, replicas: 1 });
      await admin.close();
    },
    async consume(topic, group, handle) {
      const consumer = new Consumer({ clientId, groupId: group, bootstrapBrokers: brokers, maxWaitTime: 500 });
      const stream = await consumer.consume({ topics: [topic], mode: 'latest', autocommit: 1000 });
      const fetched: FloorMessage[] = [];
      stream.on('data', (message) => {
        if (fetched.length === 0) queueMicrotask(() => void handle(fetched.splice(0)));
        fetched.push(JSON.parse(message.value.toString('utf8')) as FloorMessage);
      });
    },
    send: (topic, messages) => producer.send({ messages: messages.map((message) => ({ topic, key: Buffer.from(message.id), value: Buffer.from(JSON.stringify(message)) })) }),
  };
}

async function main(): Promise<void> {
  const role = process.env.KAFKA_FLOOR_ROLE;
  const hop = Number(process.env.KAFKA_FLOOR_HOP ?? 0);
  const clientName = process.env.KAFKA_FLOOR_CLIENT ?? 'kafkajs';
  if (clientName !== 'kafkajs' && clientName !== 'platformatic') throw new Error(`KAFKA_FLOOR_CLIENT must be kafkajs or platformatic, not ${clientName}`);
  const client = clientName === 'kafkajs' ? await kafkajsClient() : await platformaticClient();
  if (role === 'front') {
    await client.createTopics(KAFKA_FLOOR_TOPICS);
    const waiting = new Map<string, (answer: unknown) => void>();
    await client.consume(KAFKA_FLOOR_TOPICS[4], `kafka-floor-front-${randomUUID()}`, async (messages) => {
      for (const message of messages) waiting.get(message.id)?.(message.answer);
    });
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const id = randomUUID();
        const answered = new Promise<unknown>((resolve) => waiting.set(id, resolve));
        client.send(KAFKA_FLOOR_TOPICS[0], [{ id, body: { model: body.model, messages: body.messages } }])
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
  await client.consume(input, `kafka-floor-${hop}`, async (messages) => {
    if (role !== 'caller') {
      await client.send(output, messages);
      return;
    }
    // Each answer goes on as soon as it is in, not with the slowest of its batch.
    for (const message of messages) {
      void callUpstream(message.body).then((answer) => client.send(output, [{ ...message, answer }]));
    }
  });
  process.stdout.write(`kafka floor ${role} ${hop} ready\n`);
}

main().catch((error) => {
  process.stderr.write(`kafka floor failed: ${(error as Error).stack}\n`);
  process.exit(1);
});
