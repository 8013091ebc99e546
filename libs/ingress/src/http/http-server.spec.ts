// The HTTP plumbing over a real GatewayCore, with a scripted stand-in for the pipeline on the in-memory
// bus: body limits, key checks before reading, readiness, routes, stream failures and disconnects.
import type { CatalogEntry } from '@switchyard/config';
import * as http from 'node:http';
import { InMemoryBus } from '@switchyard/bus';
import { BREAKERS_TOPIC, TOPICS, type BreakerEvent, type CallerOutcomeEvent, type CancelEvent, type ReplyEvent, type RequestEvent } from '@switchyard/contracts';
import { createLogger } from '@switchyard/telemetry';
import { GatewayCore } from '../gateway-core';
import { startHttpServer, type RunningHttpServer } from './http-server';

const LIMIT = 1024;
// Far more than the sockets between server and client buffer, so that such an answer is still being written when its client leaves.
const LARGE_ANSWER_CHARS = 32 * 1024 * 1024;

interface Harness {
  bus: InMemoryBus;
  core: GatewayCore;
  server: RunningHttpServer;
  requests: RequestEvent[];
  cancellations: CancelEvent[];
  outcomes: CallerOutcomeEvent[];
}

// Answers by model name: "echo" replies at once, "large" at once with more than the sockets between
// server and client hold, "chunk-then-fail" streams a chunk and then fails, "fail" fails before any
// chunk, anything else never answers.
async function startHarness(apiKeys: string[] = [], maxRequestBytes = LIMIT): Promise<Harness> {
  const bus = new InMemoryBus();
  const requests: RequestEvent[] = [];
  const cancellations: CancelEvent[] = [];
  const outcomes: CallerOutcomeEvent[] = [];
  const reply = (request: RequestEvent, value: ReplyEvent) => bus.publish(request.reply_to, [{ key: request.request_id, value }]);
  const chunk = (request: RequestEvent, content: string, finish?: string): ReplyEvent => ({
    request_id: request.request_id,
    type: 'chunk',
    chunk: { id: request.request_id, model: request.chat!.model, provider: 'fake', index: 0, delta: { content }, ...(finish ? { finish_reason: finish, usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } } : {}) },
  });
  await bus.subscribe({
    topic: TOPICS.requests,
    group: 'fake-pipeline',
    handleBatch: async (messages) => {
      for (const { value } of messages) {
        const request = value as RequestEvent;
        requests.push(request);
        const model = request.chat?.model;
        const content = model === 'large' ? 'x'.repeat(LARGE_ANSWER_CHARS) : 'hi';
        if ((model === 'echo' || model === 'large') && request.stream) await reply(request, chunk(request, content, 'stop'));
        if ((model === 'echo' || model === 'large') && !request.stream) {
          const response = { id: request.request_id, model, provider: 'fake', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }, cost_usd: 0 };
          await reply(request, { request_id: request.request_id, type: 'chat', response });
        }
        if (model === 'chunk-then-fail') {
          await reply(request, chunk(request, 'partial'));
          await reply(request, { request_id: request.request_id, type: 'error', error: { code: 'provider_bad_response', message: 'the provider stopped mid-answer' } });
        }
        if (model === 'fail') await reply(request, { request_id: request.request_id, type: 'error', error: { code: 'model_not_found', message: 'model "fail" is not served' } });
      }
    },
  });
  await bus.subscribe({ topic: TOPICS.cancellations, group: 'fake-worker', handleBatch: async (messages) => void cancellations.push(...messages.map((m) => m.value as CancelEvent)) });
  await bus.subscribe({ topic: TOPICS.usage, group: 'fake-analytics', handleBatch: async (messages) => void outcomes.push(...messages.map((m) => m.value as CallerOutcomeEvent)) });
  const logger = createLogger('http-server-test', 'error');
  const capabilities = { chat: true, streaming: true, tools: false, vision: false, embeddings: false };
  const catalog = new Map<string, CatalogEntry>([
    ['team/echo', { id: 'team/echo', provider: 'fake', upstream_model: 'echo-1', capabilities, route_targets: ['fake/echo-1', 'spare/echo-1'], enabled: true }],
    ['unkeyed', { id: 'unkeyed', provider: 'other', upstream_model: 'x', capabilities, route_targets: ['other/x'], enabled: false, disabled_reason: 'set OTHER_API_KEY' }],
  ]);
  const core = new GatewayCore({ bus, catalog, logger, defaultTimeoutMs: 10_000, apiKeys });
  const server = await startHttpServer(core, { address: '127.0.0.1:0', maxRequestBytes, logger, shutdownGraceMs: 200 });
  return { bus, core, server, requests, cancellations, outcomes };
}

async function stopHarness(harness: Harness): Promise<void> {
  await harness.server.stop();
  await harness.bus.close();
}

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Sends headers and `chunks` but leaves the request open, so a response proves the server did not wait for the rest. */
function sendPartially(port: number, path: string, headers: http.OutgoingHttpHeaders, chunks: string[]): Promise<RawResponse & { request: http.ClientRequest }> {
  return new Promise((resolve, reject) => {
    const request = http.request({ port, host: '127.0.0.1', path, method: 'POST', headers });
    request.on('response', (res) => {
      let body = '';
      res.on('data', (data) => (body += data));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, request }));
    });
    request.on('error', reject);
    request.flushHeaders();
    for (const chunk of chunks) request.write(chunk);
  });
}

interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string };
}

const errorOf = async (response: Response) => ((await response.json()) as OpenAIErrorBody).error;

const post = (server: RunningHttpServer, path: string, body: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });

describe('HTTP front door plumbing', () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await startHarness();
  });

  afterEach(async () => {
    await stopHarness(harness);
  });

  it('refuses a declared Content-Length over the limit before reading any of the body', async () => {
    await harness.core.start();
    const response = await sendPartially(harness.server.port, '/v1/chat/completions', { 'content-length': String(LIMIT + 1), 'content-type': 'application/json' }, []);
    response.request.destroy();
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toEqual({
      error: { message: `the request body is larger than the gateway's limit of ${LIMIT} bytes`, type: 'invalid_request_error', param: null, code: 'request_too_large' },
    });
  });

  it('stops reading a chunked body at the limit and answers 413 while the client is still sending', async () => {
    await harness.core.start();
    const response = await sendPartially(harness.server.port, '/v1/messages', { 'transfer-encoding': 'chunked' }, ['{"model":"echo","pad":"', 'x'.repeat(LIMIT)]);
    response.request.destroy();
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toEqual({ type: 'error', error: { type: 'request_too_large', message: expect.stringContaining(`${LIMIT} bytes`) } });
    expect(harness.requests).toHaveLength(0);
  });

  it('answers malformed JSON and empty bodies with 400, saying what is wrong', async () => {
    await harness.core.start();
    const malformed = await post(harness.server, '/v1/chat/completions', '{"model": "echo",');
    expect(malformed.status).toBe(400);
    expect((await errorOf(malformed))).toMatchObject({ type: 'invalid_request_error', code: 'invalid_request', message: expect.stringMatching(/^the request body is not valid JSON/) });
    const empty = await post(harness.server, '/v1/embeddings', '');
    expect(empty.status).toBe(400);
    expect((await errorOf(empty)).message).toBe('the request body is empty; send a JSON object');
  });

  it('refuses an image quality or style OpenAI does not name with 400 in OpenAI\'s shape, naming the field, before the pipeline', async () => {
    await harness.core.start();
    const quality = await post(harness.server, '/v1/images/generations', '{"model":"dall-e-3","prompt":"a lighthouse","quality":"ultra"}');
    expect(quality.status).toBe(400);
    expect(await errorOf(quality)).toEqual({ type: 'invalid_request_error', code: 'invalid_request', param: 'quality', message: 'quality is "ultra"; expected one of standard, hd, low, medium, high' });
    const style = await post(harness.server, '/v1/images/generations', '{"model":"dall-e-3","prompt":"a lighthouse","style":"cartoon"}');
    expect(await errorOf(style)).toEqual({ type: 'invalid_request_error', code: 'invalid_request', param: 'style', message: 'style is "cartoon"; expected one of vivid, natural' });
    expect(harness.requests).toHaveLength(0);
  });

  it('answers JSON nested too deeply to convert with 400 in either API\'s shape', async () => {
    await stopHarness(harness);
    harness = await startHarness([], 1024 * 1024);
    await harness.core.start();
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const openai = await post(harness.server, '/v1/chat/completions', `{"model":"echo","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"a":${deep}}}}]}`);
    expect(openai.status).toBe(400);
    expect(await errorOf(openai)).toMatchObject({ code: 'invalid_request', message: 'the request body is nested too deeply (thousands of levels) to be read' });
    const anthropic = await post(harness.server, '/v1/messages', `{"model":"echo","max_tokens":8,"messages":[{"role":"user","content":"hi"}],"tools":[{"name":"f","input_schema":{"a":${deep}}}]}`, { 'anthropic-version': '2023-06-01' });
    expect(anthropic.status).toBe(400);
    expect(((await anthropic.json()) as { error: { type: string; message: string } }).error).toEqual({ type: 'invalid_request_error', message: 'the request body is nested too deeply (thousands of levels) to be read' });
  });

  it('answers unknown paths with 404 and wrong methods with 405 and Allow', async () => {
    const unknown = await fetch(`${harness.server.url}/v2/chat`);
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).message).toMatch(/^no route GET \/v2\/chat; this gateway serves .*POST \/v1\/chat\/completions/);
    const wrongMethod = await fetch(`${harness.server.url}/v1/chat/completions`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });

  it('reads a path with trailing slashes as the path without them, and a path of slashes alone as /', async () => {
    expect((await fetch(`${harness.server.url}/healthz//`)).status).toBe(200);
    expect(((await (await fetch(`${harness.server.url}/v1/models/`)).json()) as { object: string }).object).toBe('list');
    // Thousands of slashes (the most a request line may hold) are read in one pass: the root, not found.
    const slashes = await fetch(`${harness.server.url}/${'/'.repeat(12_000)}`);
    expect(slashes.status).toBe(404);
  });

  it('retrieves one served model in each API\'s shape, its id slashes and all, and answers 404 for one it does not serve', async () => {
    const openai = await fetch(`${harness.server.url}/v1/models/team/echo`);
    expect(openai.status).toBe(200);
    const closed = (target: string) => ({ target, state: 'closed', since: 0, open_until: 0, failures: 0 });
    expect(await openai.json()).toEqual({ id: 'team/echo', object: 'model', created: expect.any(Number), owned_by: 'fake', targets: [closed('fake/echo-1'), closed('spare/echo-1')] });
    const anthropic = await fetch(`${harness.server.url}/v1/models/team%2Fecho`, { headers: { 'anthropic-version': '2023-06-01' } });
    expect(await anthropic.json()).toEqual({ type: 'model', id: 'team/echo', display_name: 'team/echo', created_at: expect.any(String) });
    for (const id of ['nope', 'unkeyed']) {
      const missing = await fetch(`${harness.server.url}/v1/models/${id}`);
      expect(missing.status).toBe(404);
      expect(await errorOf(missing)).toMatchObject({ type: 'invalid_request_error', code: 'model_not_found', message: expect.stringContaining(`"${id}" is not served`) });
    }
    const wrongMethod = await fetch(`${harness.server.url}/v1/models/team/echo`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
  });

  it('shows each target\'s breaker as the provider-workers last reported it', async () => {
    await harness.core.start();
    const openUntil = Date.now() + 60_000;
    const opened: BreakerEvent = { target: 'spare/echo-1', state: 'open', since: 1000, open_until: openUntil, openings: 1, failures: 5, worker: 'w1' };
    await harness.bus.publish(BREAKERS_TOPIC, [{ key: opened.target, value: opened }, { key: 'x', value: { target: 'spare/echo-1', state: 'melted' } }]);
    await new Promise(setImmediate);
    const list = (await (await fetch(`${harness.server.url}/v1/models`)).json()) as { data: { id: string; targets: unknown[] }[] };
    expect(list.data.find((model) => model.id === 'team/echo')?.targets).toEqual([
      { target: 'fake/echo-1', state: 'closed', since: 0, open_until: 0, failures: 0 },
      { target: 'spare/echo-1', state: 'open', since: 1000, open_until: openUntil, failures: 5 },
    ]);
  });

  it('reports live always, and ready only while the core is started', async () => {
    const probe = async (path: string) => {
      const response = await fetch(`${harness.server.url}${path}`);
      return { status: response.status, body: await response.json() };
    };
    expect(await probe('/healthz')).toEqual({ status: 200, body: { status: 'ok' } });
    expect(await probe('/readyz')).toEqual({ status: 503, body: { status: 'not ready', reason: 'the gateway core is not running' } });
    await harness.core.start();
    expect(await probe('/readyz')).toEqual({ status: 200, body: { status: 'ready' } });
    await harness.core.stop();
    expect((await probe('/readyz')).status).toBe(503);
    expect((await probe('/healthz')).status).toBe(200);
  });

  it('gives a failure before the first chunk its status, and one after it an in-stream error event', async () => {
    await harness.core.start();
    const early = await post(harness.server, '/v1/chat/completions', JSON.stringify({ model: 'fail', stream: true, messages: [{ role: 'user', content: 'x' }] }));
    expect(early.status).toBe(404);
    expect((await errorOf(early)).code).toBe('model_not_found');

    const late = await post(harness.server, '/v1/chat/completions', JSON.stringify({ model: 'chunk-then-fail', stream: true, messages: [{ role: 'user', content: 'x' }] }));
    expect(late.status).toBe(200);
    const openai = await late.text();
    expect(openai).toContain('"content":"partial"');
    expect(openai).toMatch(/data: {"error":{"message":"the provider stopped mid-answer","type":"server_error","param":null,"code":"provider_bad_response"}}\n\n$/);
    expect(openai).not.toContain('[DONE]');

    const anthropic = await post(harness.server, '/v1/messages', JSON.stringify({ model: 'chunk-then-fail', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'x' }] }));
    expect(await anthropic.text()).toMatch(/event: error\ndata: {"type":"error","error":{"type":"api_error","message":"the provider stopped mid-answer"}}\n\n$/);
  });

  it('ends an OpenAI stream with [DONE] and an Anthropic one with message_stop', async () => {
    await harness.core.start();
    const openai = await (await post(harness.server, '/v1/chat/completions', JSON.stringify({ model: 'echo', stream: true, messages: [{ role: 'user', content: 'x' }] }))).text();
    expect(openai.endsWith('data: [DONE]\n\n')).toBe(true);
    const anthropic = await post(harness.server, '/v1/messages', JSON.stringify({ model: 'echo', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'x' }] }));
    expect(anthropic.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(await anthropic.text()).toMatch(/event: message_stop\ndata: {"type":"message_stop"}\n\n$/);
  });

  it('cancels the call when the client goes away before the answer', async () => {
    await harness.core.start();
    const controller = new AbortController();
    const call = post(harness.server, '/v1/chat/completions', JSON.stringify({ model: 'never-answers', messages: [{ role: 'user', content: 'x' }] }), {});
    void call.catch(() => undefined);
    const aborted = fetch(`${harness.server.url}/v1/messages`, {
      method: 'POST',
      body: JSON.stringify({ model: 'never-answers', max_tokens: 5, stream: true, messages: [{ role: 'user', content: 'x' }] }),
      signal: controller.signal,
    }).catch((error: Error) => error);
    await waitFor(() => harness.requests.length === 2);
    controller.abort();
    expect(await aborted).toMatchObject({ name: 'AbortError' });
    await waitFor(() => harness.cancellations.length === 1);
    const streamed = harness.requests.find((request) => request.stream)!;
    expect(harness.cancellations).toEqual([{ request_id: streamed.request_id, reason: 'client_cancelled' }]);
    expect(harness.outcomes).toEqual([expect.objectContaining({ request_id: streamed.request_id, status: 'cancelled', error_code: 'cancelled' })]);
  });

  it('reports an answer whose client went away before it was all written as cancelled, streamed or not', async () => {
    await harness.core.start();
    for (const stream of [false, true]) {
      await new Promise<void>((resolve, reject) => {
        const request = http.request({ port: harness.server.port, host: '127.0.0.1', path: '/v1/chat/completions', method: 'POST', headers: { 'content-type': 'application/json' } });
        // The headers have come, the answer is being written: the client leaves without reading it.
        request.on('response', () => {
          request.destroy();
          resolve();
        });
        request.on('error', reject);
        request.end(JSON.stringify({ model: 'large', stream, messages: [{ role: 'user', content: 'x' }] }));
      });
    }
    await waitFor(() => harness.outcomes.length === 2);
    expect(harness.outcomes).toEqual(harness.requests.map((request) => expect.objectContaining({ request_id: request.request_id, stream: request.stream, status: 'cancelled', error_code: 'cancelled' })));
    // The pipeline had answered: there is nothing to stop.
    expect(harness.cancellations).toEqual([]);
  });
});

describe('gateway keys over HTTP', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startHarness(['sk-right']);
    await harness.core.start();
  });

  afterAll(async () => {
    await stopHarness(harness);
  });

  it('refuses a missing key with 401 before reading the body', async () => {
    const response = await sendPartially(harness.server.port, '/v1/chat/completions', { 'content-length': '500', 'content-type': 'application/json' }, ['{"mod']);
    response.request.destroy();
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(JSON.parse(response.body).error).toMatchObject({ type: 'authentication_error', code: 'unauthenticated', message: expect.stringMatching(/requires a key/) });
  });

  it('accepts the key as a bearer token or in x-api-key, and refuses a wrong one in each API\'s shape', async () => {
    const body = JSON.stringify({ model: 'echo', messages: [{ role: 'user', content: 'x' }] });
    expect((await post(harness.server, '/v1/chat/completions', body, { authorization: 'Bearer sk-right' })).status).toBe(200);
    expect((await post(harness.server, '/v1/chat/completions', body, { 'x-api-key': 'sk-right' })).status).toBe(200);
    const wrong = await post(harness.server, '/v1/messages', JSON.stringify({ model: 'echo', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }), { 'x-api-key': 'sk-wrong' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'the gateway key is not valid' } });
    const models = await fetch(`${harness.server.url}/v1/models`, { headers: { authorization: 'Bearer sk-wrong' } });
    expect(models.status).toBe(401);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
