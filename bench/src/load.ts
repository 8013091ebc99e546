// The load generator: chat clients for OpenAI-format HTTP and for Switchyard's gRPC API, and the
// patterns that drive them. Open-loop sends at a constant arrival rate whatever the answers do, and
// times each request from when it was due, not from when it went out, so a stalled server is charged
// for the requests that queued behind the stall (no coordinated omission).
import * as http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { createGatewayClient, type AiGatewayClient } from '@switchyard/client';
import { FIRST_CHUNK_MARKER, promptWithDelay } from './mock-protocol';
import { percentiles, type Percentiles } from './stats';

export interface ChatClient {
  /** One chat call whose upstream answer waits `delayMs`; resolves with the answer's id (Switchyard's request id); rejects on any failure. */
  chat(delayMs: number): Promise<string | undefined>;
  /** One streamed chat call; resolves with the ms from sending to the first content chunk, after the stream ends. */
  streamFirstChunkMs(): Promise<number>;
  /** The text of one answer, to check that the target really went through to the mock. */
  probe(): Promise<string>;
  close(): void;
}

const REQUEST_TIMEOUT_MS = 10_000;
const ANSWER_ID = /"id"\s*:\s*"([^"]+)"/;

export interface HttpTarget {
  /** Base URL up to and including /v1. */
  baseUrl: string;
  model: string;
  headers?: Record<string, string>;
}

export function httpChatClient(target: HttpTarget): ChatClient {
  const url = new URL(`${target.baseUrl}/chat/completions`);
  // Open-loop keeps as many requests in flight as the target is slow: no cap on connections.
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, keepAliveMsecs: 30_000 });
  const post = (body: object, onChunk?: (text: string) => void): Promise<string> => {
    const text = JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          timeout: REQUEST_TIMEOUT_MS,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), authorization: 'Bearer sk-bench', ...target.headers },
        },
        (res) => {
          let answer = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            answer += chunk;
            onChunk?.(chunk);
          });
          res.on('end', () => (res.statusCode === 200 ? resolve(answer) : reject(new Error(`HTTP ${res.statusCode}: ${answer.slice(0, 300)}`))));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error('timed out')));
      req.on('error', reject);
      req.end(text);
    });
  };
  const messages = (delayMs: number) => [{ role: 'user', content: promptWithDelay(delayMs) }];
  return {
    // A pattern rather than JSON.parse: the generator reads thousands of answers a second.
    chat: async (delayMs) => ANSWER_ID.exec(await post({ model: target.model, messages: messages(delayMs), max_tokens: 32 }))?.[1],
    streamFirstChunkMs: async () => {
      const sent = performance.now();
      let firstChunkMs: number | undefined;
      let seen = '';
      await post({ model: target.model, messages: messages(0), max_tokens: 32, stream: true }, (chunk) => {
        if (firstChunkMs !== undefined) return;
        seen += chunk;
        if (seen.includes(FIRST_CHUNK_MARKER)) firstChunkMs = performance.now() - sent;
      });
      if (firstChunkMs === undefined) throw new Error(`the stream never carried the mock's first chunk: ${seen.slice(0, 300)}`);
      return firstChunkMs;
    },
    probe: async () => {
      const answer = JSON.parse(await post({ model: target.model, messages: messages(0), max_tokens: 32 }));
      return String(answer.choices?.[0]?.message?.content ?? JSON.stringify(answer).slice(0, 300));
    },
    close: () => agent.destroy(),
  };
}

export interface GrpcTarget {
  address: string;
  model: string;
}

export function grpcChatClient(target: GrpcTarget): ChatClient {
  const client: AiGatewayClient = createGatewayClient(target.address);
  const request = (delayMs: number) => ({ model: target.model, messages: [{ role: 'user', content: promptWithDelay(delayMs) }], max_tokens: 32 });
  const chat = (delayMs: number) =>
    new Promise<{ id?: string; content: string }>((resolve, reject) =>
      client.Chat(request(delayMs), { deadline: Date.now() + REQUEST_TIMEOUT_MS }, (error, response) =>
        error ? reject(error) : resolve({ id: response?.id, content: response?.choices[0]?.message?.content ?? '' }),
      ),
    );
  return {
    chat: async (delayMs) => (await chat(delayMs)).id,
    streamFirstChunkMs: () =>
      new Promise((resolve, reject) => {
        const sent = performance.now();
        let firstChunkMs: number | undefined;
        const call = client.ChatStream(request(0), { deadline: Date.now() + REQUEST_TIMEOUT_MS });
        call.on('data', (chunk: { delta?: { content?: string } }) => {
          if (firstChunkMs === undefined && chunk.delta?.content?.includes(FIRST_CHUNK_MARKER)) firstChunkMs = performance.now() - sent;
        });
        call.on('error', reject);
        call.on('end', () => (firstChunkMs === undefined ? reject(new Error("the stream never carried the mock's first chunk")) : resolve(firstChunkMs)));
      }),
    probe: async () => (await chat(0)).content,
    close: () => (client as unknown as grpc.Client).close(),
  };
}

export interface StepResult {
  targetRate: number;
  durationMs: number;
  sent: number;
  ok: number;
  errors: number;
  errorRate: number;
  /** A few error messages, to say why a step failed. */
  errorSamples: string[];
  /** Latency from the request's due time minus the delay the upstream was asked to wait, in ms. */
  excess: Percentiles;
  achievedRate: number;
  /** How late the generator sent behind its schedule (p99, ms): large means the generator fell behind. */
  sendLagP99: number;
  /** The generator process's CPU during the step, in % of one core. */
  generatorCpuPct: number;
}

export interface OpenLoopOptions {
  rate: number;
  durationMs: number;
  /** The upstream delay of the i-th request. */
  delayOf(index: number): number;
}

export async function openLoop(client: ChatClient, options: OpenLoopOptions): Promise<StepResult> {
  const { rate, durationMs } = options;
  const total = Math.max(1, Math.round((rate * durationMs) / 1000));
  const intervalMs = 1000 / rate;
  const excess: number[] = [];
  const lag = new Float64Array(total);
  const errorSamples: string[] = [];
  let errors = 0;
  let settled = 0;
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const start = performance.now() + 5;
  let allSettled!: () => void;
  const done = new Promise<void>((resolve) => (allSettled = resolve));

  const send = (index: number, now: number) => {
    const due = start + index * intervalMs;
    const delayMs = options.delayOf(index);
    lag[index] = now - due;
    client.chat(delayMs).then(
      () => excess.push(performance.now() - due - delayMs),
      (error: Error) => {
        errors++;
        if (errorSamples.length < 3) errorSamples.push(error.message.slice(0, 200));
      },
    ).finally(() => {
      if (++settled === total) allSettled();
    });
  };
  // A 1 ms timer sends every request that has come due; each is timed from its due time, so the
  // timer's granularity shows up as send lag, not as hidden latency.
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (next < total && start + next * intervalMs <= now) send(next++, now);
      if (next < total) setTimeout(tick, 1);
      else resolve();
    };
    setTimeout(tick, 5);
  });
  const sendingMs = performance.now() - start;
  await Promise.race([done, new Promise((resolve) => setTimeout(resolve, REQUEST_TIMEOUT_MS + 1000))]);
  const cpu = process.cpuUsage(cpuBefore);
  const unanswered = total - settled;
  const failed = errors + unanswered;
  return {
    targetRate: rate,
    durationMs,
    sent: total,
    ok: excess.length,
    errors: failed,
    errorRate: failed / total,
    errorSamples: unanswered > 0 ? [...errorSamples, `${unanswered} requests unanswered`] : errorSamples,
    excess: percentiles(excess),
    achievedRate: excess.length / (sendingMs / 1000),
    sendLagP99: percentiles(lag).p99,
    generatorCpuPct: ((cpu.user + cpu.system) / 1000 / sendingMs) * 100,
  };
}

/** Requests one after another (concurrency 1) for `durationMs`; returns the latencies in ms. */
export async function closedLoop(run: () => Promise<unknown>, durationMs: number): Promise<{ latency: Percentiles; errors: number; errorSamples: string[] }> {
  const latencies: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  const end = performance.now() + durationMs;
  while (performance.now() < end) {
    const sent = performance.now();
    try {
      await run();
      latencies.push(performance.now() - sent);
    } catch (error) {
      errors++;
      if (errorSamples.length < 3) errorSamples.push((error as Error).message.slice(0, 200));
      if (errors > 20 && latencies.length === 0) break;
    }
  }
  return { latency: percentiles(latencies), errors, errorSamples };
}

/** Streams one after another for `durationMs`; returns the times to first chunk in ms. */
export async function firstChunkLoop(client: ChatClient, durationMs: number): Promise<{ firstChunk: Percentiles; errors: number; errorSamples: string[] }> {
  const times: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  const end = performance.now() + durationMs;
  while (performance.now() < end) {
    try {
      times.push(await client.streamFirstChunkMs());
    } catch (error) {
      errors++;
      if (errorSamples.length < 3) errorSamples.push((error as Error).message.slice(0, 200));
      if (errors > 20 && times.length === 0) break;
    }
  }
  return { firstChunk: percentiles(times), errors, errorSamples };
}
