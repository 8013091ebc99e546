// The distributed mode end to end: six service processes, real Kafka, real Postgres.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { KafkaBus } from '@switchyard/bus';
import { createGatewayClient } from '@switchyard/client';
import { parseGatewayConfig, buildModelCatalog } from '@switchyard/config';
import { DEAD_LETTER_HEADERS, TOPICS, type ReplyEvent, type RequestEvent } from '@switchyard/contracts';
import { createLogger } from '@switchyard/telemetry';
import {
  chat,
  describeGatewayEndToEnd,
  e2eConfigYaml,
  eventually,
  freePort,
  startDistributedGateway,
  startOpenAIUpstream,
  type OpenAIUpstream,
  type RunningDistributedGateway,
} from '@switchyard/testing';
import { GatewayCore, startGrpcServer } from '@switchyard/ingress';

jest.setTimeout(180_000);

function writeConfig(yaml: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-config-')), 'switchyard.yaml');
  fs.writeFileSync(file, yaml);
  return file;
}

describeGatewayEndToEnd('distributed, six processes on Kafka and Postgres', async (configYaml, env) => {
  const gateway = await startDistributedGateway({ SWITCHYARD_CONFIG: writeConfig(configYaml), ...env });
  const db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  return {
    grpcAddress: gateway.grpcAddress,
    query: async (sql, params) => (await db.query(sql, params)).rows,
    stop: async () => {
      await db.end();
      await gateway.stop();
    },
  };
});

describe('distributed pipeline guarantees', () => {
  let gateway: RunningDistributedGateway;
  let upstream: OpenAIUpstream;
  let collector: http.Server;
  const spans: { service: string; traceId: string; name: string }[] = [];

  beforeAll(async () => {
    // An OTLP/HTTP (JSON) collector: every service exports its spans here.
    collector = http.createServer((req, res) => {
      let body = '';
      req.on('data', (data) => (body += data));
      req.on('end', () => {
        const payload = JSON.parse(body) as {
          resourceSpans: { resource: { attributes: { key: string; value: { stringValue?: string } }[] }; scopeSpans: { spans: { traceId: string; name: string }[] }[] }[];
        };
        for (const resourceSpans of payload.resourceSpans ?? []) {
          const service = resourceSpans.resource.attributes.find((attribute) => attribute.key === 'service.name')?.value.stringValue ?? '';
          for (const scope of resourceSpans.scopeSpans) for (const span of scope.spans) spans.push({ service, traceId: span.traceId, name: span.name });
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    upstream = await startOpenAIUpstream();
    gateway = await startDistributedGateway({
      SWITCHYARD_CONFIG: writeConfig(e2eConfigYaml(upstream.baseUrl)),
      E2E_OPENAI_KEY: 'sk-upstream',
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_BSP_SCHEDULE_DELAY: '200',
      // Below the front doors' own limit, so a request can pass them and still be too large for Kafka.
      KAFKA_MAX_MESSAGE_BYTES: '32768',
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
    collector?.close();
  });

  // Regression: callers got 504 and their rows said ok.
  it('records an answer that reached metering after the caller\'s deadline as the DEADLINE_EXCEEDED the caller got, with the tokens and cost billed', async () => {
    const started = new Date();
    const client = createGatewayClient(gateway.grpcAddress);
    const db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
    const rowsWhere = (condition: string, param: unknown, what: string) =>
      eventually(async () => {
        const found = await db.query(
          `SELECT request_id, status, error_code, prompt_tokens, completion_tokens, cost_usd, metered, caller_outcome FROM usage_events WHERE model = 'upstream-gpt' AND ${condition}`,
          [param],
        );
        return found.rows.length > 0 ? found.rows : undefined;
      }, what, 60_000);
    // A stopped metering lags as a loaded one would: the provider answers at once, and the answer waits.
    gateway.signal('metering', 'SIGSTOP');
    let failure: grpc.ServiceError | undefined;
    let early: Record<string, unknown>[];
    try {
      failure = await chat(client, { model: 'upstream-gpt', messages: [{ role: 'user', content: 'too late' }] }, 3000).then(
        () => undefined,
        (error: grpc.ServiceError) => error,
      );
      // The caller's outcome comes first, and stands alone until metering's part joins it.
      early = await rowsWhere('NOT metered AND ts >= $1', started, 'the caller outcome\'s row');
    } finally {
      gateway.signal('metering', 'SIGCONT');
      client.close();
    }
    expect(failure?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    const requestId = early[0].request_id as string;
    expect(early).toEqual([
      { request_id: requestId, status: 'error', error_code: 'deadline_exceeded', prompt_tokens: 0, completion_tokens: 0, cost_usd: '0.0000000000', metered: false, caller_outcome: true },
    ]);
    const merged = await rowsWhere('metered AND request_id = $1', requestId, 'the late answer\'s usage row');
    await db.end();
    // 11 prompt tokens (2 cached) and 7 completion tokens, at the e2e prices.
    expect(merged).toEqual([
      { request_id: requestId, status: 'error', error_code: 'deadline_exceeded', prompt_tokens: 11, completion_tokens: 7, cost_usd: '0.0000240000', metered: true, caller_outcome: true },
    ]);
  });

  it('makes one request one trace across all six services', async () => {
    const client = createGatewayClient(gateway.grpcAddress);
    const response = await chat(client, { model: 'mock-echo', messages: [{ role: 'user', content: 'trace me' }] });
    client.close();
    const ingressSpan = await eventually(
      async () => spans.find((span) => span.service === 'switchyard-ingress' && span.name.startsWith('ingress chat')),
      'the ingress span',
    );
    const services = await eventually(async () => {
      const inTrace = new Set(spans.filter((span) => span.traceId === ingressSpan.traceId).map((span) => span.service));
      return inTrace.size === 6 ? inTrace : undefined;
    }, 'spans of all six services in one trace');
    expect([...services].sort()).toEqual(
      ['switchyard-analytics', 'switchyard-guardrail', 'switchyard-ingress', 'switchyard-metering', 'switchyard-provider-worker', 'switchyard-router'],
    );
    expect(response.id).toBeTruthy();
  });

  it('dead-letters an event a stage cannot parse, with the reason, and keeps serving', async () => {
    const kafka = new Kafka({ brokers: process.env.KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: `dlq-reader-${Date.now()}` });
    await Promise.all([producer.connect(), consumer.connect()]);
    const key = `poison-${Date.now()}`;
    const dead: { reason?: string; topic?: string; stage?: string }[] = [];
    await consumer.subscribe({ topic: TOPICS.deadLetter, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() !== key) return;
        dead.push({
          reason: message.headers?.[DEAD_LETTER_HEADERS.reason]?.toString(),
          topic: message.headers?.[DEAD_LETTER_HEADERS.originalTopic]?.toString(),
          stage: message.headers?.[DEAD_LETTER_HEADERS.stage]?.toString(),
        });
      },
    });
    await producer.send({ topic: TOPICS.requests, messages: [{ key, value: '{"this is": not json' }, { key, value: JSON.stringify({ request_id: key }) }] });
    await eventually(async () => (dead.length >= 2 ? dead : undefined), 'two dead letters', 30_000);
    expect(dead.map((letter) => letter.reason)).toEqual(expect.arrayContaining([expect.stringMatching(/not JSON/), 'kind must be one of chat, embed, moderation, rerank, image_generation, transcription, got undefined']));
    expect(dead.every((letter) => letter.topic === TOPICS.requests && letter.stage === 'router')).toBe(true);
    await Promise.all([producer.disconnect(), consumer.disconnect()]);

    const client = createGatewayClient(gateway.grpcAddress);
    const response = await chat(client, { model: 'mock-echo', messages: [{ role: 'user', content: 'still here' }] });
    client.close();
    expect(response.choices[0].message!.content).toBe('still here');
  });

  it('serves batch inference produced straight to the requests topic, answering on the batch\'s own topic', async () => {
    const kafka = new Kafka({ brokers: process.env.KAFKA_BROKERS!.split(','), logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    const consumer = kafka.consumer({ groupId: `batch-reader-${Date.now()}` });
    const resultsTopic = `batch.results.${Date.now()}`;
    const admin = kafka.admin();
    await Promise.all([producer.connect(), consumer.connect(), admin.connect()]);
    await admin.createTopics({ topics: [{ topic: resultsTopic, numPartitions: 1 }], waitForLeaders: true });
    const replies = new Map<string, ReplyEvent>();
    await consumer.subscribe({ topic: resultsTopic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void replies.set(message.key!.toString(), JSON.parse(message.value!.toString())) });
    const now = Date.now();
    const requests: RequestEvent[] = ['first', 'second', 'third'].map((text, i) => ({
      request_id: `batch-${now}-${i}`,
      kind: 'chat',
      stream: false,
      reply_to: resultsTopic,
      received_at: now,
      deadline_at: now + 60_000,
      api_key_id: 'batch-job',
      chat: { model: 'mock-echo', messages: [{ role: 'user', content: `batch item ${text}` }] },
    }));
    await producer.send({ topic: TOPICS.requests, messages: requests.map((request) => ({ key: request.request_id, value: JSON.stringify(request) })) });
    await eventually(async () => (replies.size === 3 ? replies : undefined), 'three batch answers', 30_000);
    for (const [i, text] of ['first', 'second', 'third'].entries()) {
      const reply = replies.get(`batch-${now}-${i}`)!;
      expect(reply.type).toBe('chat');
      expect(reply.type === 'chat' && reply.response.choices[0].message.content).toBe(`batch item ${text}`);
    }
    await Promise.all([producer.disconnect(), consumer.disconnect()]);
    await admin.deleteTopics({ topics: [resultsTopic] });
    await admin.disconnect();
  });

  it('answers a request too large for Kafka with RESOURCE_EXHAUSTED, saying so, and serves the ones beside it', async () => {
    const client = createGatewayClient(gateway.grpcAddress);
    const [large, small] = await Promise.allSettled([
      chat(client, { model: 'mock-echo', messages: [{ role: 'user', content: 'z'.repeat(40_000) }] }),
      chat(client, { model: 'mock-echo', messages: [{ role: 'user', content: 'small beside it' }] }),
    ]);
    client.close();
    const failure = (large as PromiseRejectedResult).reason as grpc.ServiceError;
    expect(failure.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(failure.details).toMatch(/^the request is \d+ bytes as an event; the pipeline's Kafka carries at most 32768 \(its message\.max\.bytes, and KAFKA_MAX_MESSAGE_BYTES for the services\)$/);
    expect(small.status).toBe('fulfilled');
  });

  it('answers RESOURCE_EXHAUSTED when the request fits Kafka but its completion does not', async () => {
    // A completion carries the answer and not the prompt. mock-echo's required tool call puts the prompt in
    // its JSON arguments, which the completion escapes once more: 12,000 quotes are a request of ~24 KB
    // and a completion of ~48 KB, over the 32 KB limit.
    const client = createGatewayClient(gateway.grpcAddress);
    const echoTool = { type: 'function', function: { name: 'echo', parameters_json: '{"type":"object","properties":{"text":{"type":"string"}}}' } };
    const failure = await chat(client, { model: 'mock-echo', messages: [{ role: 'user', content: '"'.repeat(12_000) }], tools: [echoTool], tool_choice: { mode: 'required' } }).then(
      () => undefined,
      (error: grpc.ServiceError) => error,
    );
    client.close();
    expect(failure?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(failure?.details).toMatch(/^provider-worker could not pass the request on: a message of \d+ bytes for switchyard\.completions is larger than the 32768 bytes the bus carries$/);
  });

  it('answers UNAVAILABLE, saying so, when Kafka cannot be reached', async () => {
    const logger = createLogger('unreachable-kafka-test', 'error');
    const deadPort = await freePort();
    const bus = new KafkaBus({ brokers: [`127.0.0.1:${deadPort}`], clientId: 'unreachable-test', logger });
    const config = parseGatewayConfig(e2eConfigYaml('http://127.0.0.1:9/v1'));
    const core = new GatewayCore({ bus, catalog: buildModelCatalog(config), logger, defaultTimeoutMs: 10_000 });
    const server = await startGrpcServer(core, { address: '127.0.0.1:0', maxRequestBytes: 65536, logger });
    const client = createGatewayClient(`127.0.0.1:${server.port}`);
    const error = await chat(client, { model: 'mock-echo', messages: [{ role: 'user', content: 'hello?' }] }).then(
      () => undefined,
      (failure: grpc.ServiceError) => failure,
    );
    client.close();
    await server.stop();
    await bus.close();
    expect(error?.code).toBe(grpc.status.UNAVAILABLE);
    expect(error?.details).toContain(`Kafka is unreachable at 127.0.0.1:${deadPort}`);
  });
});
