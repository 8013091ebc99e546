// Sends the malformed-input corpus to a running gateway's front doors and checks each answer: the
// expected status, in the API's own error shape (OpenAI's, Anthropic's, or gRPC's status with the
// switchyard-error-code trailer). Answers that succeeded are returned with their request ids, so the
// caller can check that each has its one usage row.
import * as http from 'node:http';
import * as grpc from '@grpc/grpc-js';
import { createGatewayClient } from '@switchyard/client';
import { statusesOf, type CorpusCase, type GrpcMethod } from './corpus';

export interface CorpusTarget {
  /** e.g. http://127.0.0.1:8080 */
  httpUrl: string;
  grpcAddress: string;
}

export interface CaseOutcome {
  name: string;
  /** What was wrong with the answer; undefined when it was the expected one. */
  problem?: string;
  /** The request id of an answer that succeeded, and what it was. */
  answered?: { requestId: string; kind: 'chat' | 'embed' };
}

const CALL_TIMEOUT_MS = 30_000;

export async function runCorpus(target: CorpusTarget, cases: readonly CorpusCase[]): Promise<CaseOutcome[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const client = createGatewayClient(target.grpcAddress);
  const raw = new grpc.Client(target.grpcAddress, grpc.credentials.createInsecure());
  const outcomes: CaseOutcome[] = [];
  try {
    for (const corpusCase of cases) {
      let outcome: Omit<CaseOutcome, 'name'>;
      try {
        if (corpusCase.door === 'http') outcome = await httpCase(target.httpUrl, agent, corpusCase);
        else if (corpusCase.door === 'grpc') outcome = await grpcCase(client as unknown as grpc.Client, corpusCase);
        else outcome = await grpcBytesCase(raw, corpusCase);
      } catch (error) {
        outcome = { problem: `the call failed: ${(error as Error).message}` };
      }
      outcomes.push({ name: corpusCase.name, ...outcome });
    }
  } finally {
    agent.destroy();
    client.close();
    raw.close();
  }
  return outcomes;
}

type HttpCase = Extract<CorpusCase, { door: 'http' }>;

function httpCase(base: string, agent: http.Agent, corpusCase: HttpCase): Promise<Omit<CaseOutcome, 'name'>> {
  const expected = statusesOf(corpusCase.expect);
  return new Promise((resolve, reject) => {
    const url = new URL(base);
    const body = corpusCase.body;
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        method: corpusCase.method,
        path: corpusCase.path,
        agent,
        timeout: CALL_TIMEOUT_MS,
        headers: { ...(body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }), ...corpusCase.headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => resolve(judgeHttp(corpusCase, expected.http, response, Buffer.concat(chunks).toString('utf8'))));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer in ${CALL_TIMEOUT_MS} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}

function judgeHttp(corpusCase: HttpCase, expectedStatus: number, response: http.IncomingMessage, text: string): Omit<CaseOutcome, 'name'> {
  const status = response.statusCode ?? 0;
  if (status !== expectedStatus) return { problem: `HTTP ${status} (expected ${expectedStatus}): ${text.slice(0, 300)}` };
  const kind = corpusCase.path === '/v1/embeddings' ? 'embed' : 'chat';
  if (corpusCase.expect.code === 'ok') {
    if (String(response.headers['content-type']).startsWith('text/event-stream')) {
      const requestId = /"id":"([^"]+)"/.exec(text)?.[1];
      const failed = /"type":"error"|"error":\{/.test(text);
      return requestId && !failed ? { answered: { requestId, kind } } : { problem: `a stream without an id or with an error: ${text.slice(0, 300)}` };
    }
    const body = parseJson(text) as { id?: string } | undefined;
    // OpenAI's embeddings answer has no id; its row is counted rather than looked up.
    if (kind === 'embed') return { answered: { requestId: '', kind } };
    return body?.id ? { answered: { requestId: body.id, kind } } : { problem: `a 200 without an id: ${text.slice(0, 300)}` };
  }
  const body = parseJson(text) as Record<string, unknown> | undefined;
  if (corpusCase.api === 'anthropic') {
    const error = body?.error as { type?: unknown; message?: unknown } | undefined;
    if (body?.type !== 'error' || typeof error?.type !== 'string' || typeof error.message !== 'string' || error.message === '') {
      return { problem: `not in Anthropic's error shape: ${text.slice(0, 300)}` };
    }
    return {};
  }
  const error = body?.error as { code?: unknown; message?: unknown; type?: unknown } | undefined;
  if (error?.code !== corpusCase.expect.code || typeof error.message !== 'string' || error.message === '' || typeof error.type !== 'string') {
    return { problem: `not OpenAI's error shape with code ${corpusCase.expect.code}: ${text.slice(0, 300)}` };
  }
  return {};
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

interface GrpcAnswer {
  error?: grpc.ServiceError;
  requestId?: string;
}

function grpcCase(client: grpc.Client, corpusCase: Extract<CorpusCase, { door: 'grpc' }>): Promise<Omit<CaseOutcome, 'name'>> {
  const gateway = client as unknown as Record<GrpcMethod, (...args: unknown[]) => grpc.ClientReadableStream<{ id?: string }>>;
  const options = { deadline: Date.now() + CALL_TIMEOUT_MS };
  const answer = new Promise<GrpcAnswer>((resolve) => {
    if (corpusCase.method === 'ChatStream') {
      const stream = gateway.ChatStream(corpusCase.request, options);
      readStream(stream, resolve);
    } else {
      gateway[corpusCase.method](corpusCase.request, options, (error: grpc.ServiceError | null, response?: { id?: string }) =>
        resolve(error ? { error } : { requestId: response?.id }),
      );
    }
  });
  return answer.then((result) => judgeGrpc(corpusCase, result));
}

function grpcBytesCase(client: grpc.Client, corpusCase: Extract<CorpusCase, { door: 'grpc-bytes' }>): Promise<Omit<CaseOutcome, 'name'>> {
  const path = `/aigateway.v1.AiGateway/${corpusCase.method}`;
  const identity = (bytes: Buffer) => bytes;
  const options = { deadline: Date.now() + CALL_TIMEOUT_MS };
  const answer = new Promise<GrpcAnswer>((resolve) => {
    if (corpusCase.method === 'ChatStream') {
      readStream(client.makeServerStreamRequest(path, identity, identity, corpusCase.bytes, new grpc.Metadata(), options), resolve);
    } else {
      client.makeUnaryRequest(path, identity, identity, corpusCase.bytes, new grpc.Metadata(), options, (error) => resolve(error ? { error } : {}));
    }
  });
  return answer.then((result) => judgeGrpc(corpusCase, result));
}

function readStream(stream: grpc.ClientReadableStream<unknown>, resolve: (answer: GrpcAnswer) => void): void {
  let requestId: string | undefined;
  stream.on('data', (chunk: { id?: string } | Buffer) => {
    if (!Buffer.isBuffer(chunk)) requestId ??= chunk.id;
  });
  stream.on('error', (error: grpc.ServiceError) => resolve({ error }));
  stream.on('end', () => resolve({ requestId }));
}

function judgeGrpc(corpusCase: Extract<CorpusCase, { door: 'grpc' | 'grpc-bytes' }>, answer: GrpcAnswer): Omit<CaseOutcome, 'name'> {
  const expected = statusesOf(corpusCase.expect);
  const code = answer.error?.code ?? 0;
  if (code !== expected.grpc) return { problem: `gRPC status ${grpc.status[code]} (expected ${grpc.status[expected.grpc]}): ${answer.error?.details ?? ''}`.slice(0, 400) };
  if (corpusCase.expect.code === 'ok') {
    const kind = corpusCase.method === 'Embed' ? 'embed' : 'chat';
    return answer.requestId ? { answered: { requestId: answer.requestId, kind } } : { problem: 'an answer without an id' };
  }
  const trailer = answer.error?.metadata?.get('switchyard-error-code')[0];
  if (trailer !== corpusCase.expect.code) return { problem: `switchyard-error-code ${String(trailer)} (expected ${corpusCase.expect.code})` };
  if (!answer.error?.details) return { problem: 'an error without details' };
  return {};
}
