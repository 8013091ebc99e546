#!/usr/bin/env node
// A batch job that skips the front door: it produces each request of a JSONL file (OpenAI's batch
// format, {custom_id, method, url, body}) straight to switchyard.batch-requests (the router reads it beside
// switchyard.requests, so that these never hold up interactive requests), and reads the answers from a
// reply topic of its own into a JSONL of {custom_id, reply}. Once virtual keys are on, every event
// carries a producer token of the key it runs as (docs/keys.md#producers-on-kafka).
//
//   KAFKA_BROKERS=127.0.0.1:19092 SWITCHYARD_PRODUCER_TOKEN=sypt_... node examples/kafka-producer.mjs prompts.jsonl results.jsonl
//
// For a job with progress, cancel and result files kept by the gateway, use the Batch API instead (docs/batch.md).
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';

const [input, output = 'results.jsonl'] = process.argv.slice(2);
if (!input) {
  process.stderr.write('usage: node examples/kafka-producer.mjs prompts.jsonl [results.jsonl]\n');
  process.exit(2);
}
const token = process.env.SWITCHYARD_PRODUCER_TOKEN;
const run = randomUUID().slice(0, 8);
const replyTopic = `batch.results.${run}`;
const requests = fs
  .readFileSync(input, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line));

const kafka = new Kafka({ clientId: `switchyard-batch-${run}`, brokers: (process.env.KAFKA_BROKERS ?? '127.0.0.1:19092').split(','), logLevel: logLevel.WARN });
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic: replyTopic, numPartitions: 1 }] });

// Request ids are the run's and the line's: letters, digits, '.', '_', ':' or '-', at most 128.
const customIdOf = new Map();
const pending = new Set();
const results = fs.createWriteStream(output);
const consumer = kafka.consumer({ groupId: `switchyard-batch-${run}` });
await consumer.connect();
await consumer.subscribe({ topic: replyTopic, fromBeginning: true });
const done = new Promise((resolve) => {
  consumer.run({
    eachMessage: async ({ message }) => {
      const reply = JSON.parse(message.value.toString());
      // A streamed reply's chunks are not asked for here: each request's one reply is its answer or its error.
      if (!pending.delete(reply.request_id)) return;
      results.write(JSON.stringify({ custom_id: customIdOf.get(reply.request_id), reply }) + '\n');
      if (pending.size === 0) resolve();
    },
  });
});

const producer = kafka.producer();
await producer.connect();
const now = Date.now();
const messages = requests.map((request, i) => {
  const requestId = `batch-${run}-${i + 1}`;
  customIdOf.set(requestId, request.custom_id);
  pending.add(requestId);
  const chat = request.url === '/v1/chat/completions';
  return {
    key: requestId,
    value: JSON.stringify({
      request_id: requestId,
      kind: chat ? 'chat' : 'embed',
      stream: false,
      reply_to: replyTopic,
      received_at: now,
      // Generous: every stage honours it, and a request still queued past it is answered deadline_exceeded.
      deadline_at: now + 60 * 60 * 1000,
      api_key_id: `batch-${run}`,
      ...(chat ? { chat: request.body } : { embed: { ...request.body, input: [request.body.input].flat() } }),
      ...(token ? { producer_token: token } : {}),
    }),
  };
});
await producer.send({ topic: 'switchyard.batch-requests', messages });
process.stderr.write(`sent ${messages.length} requests; answers go to ${output}\n`);
await done;
await Promise.all([producer.disconnect(), consumer.disconnect()]);
await admin.deleteTopics({ topics: [replyTopic] });
await admin.disconnect();
results.end();
process.stderr.write(`${messages.length} answers in ${output}\n`);
