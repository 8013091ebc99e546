// The checks of the HTTP front door, run against the embedded mode (http-front-door.spec.ts) and the
// distributed mode (http-front-door.integration.spec.ts) alike: the official OpenAI and Anthropic SDKs
// with nothing changed but baseURL and apiKey (error cases also pass maxRetries: 0 per request, so a
// 5xx is seen once instead of retried). A local OpenAI-format upstream stands in for a provider that
// rate-limits, answers garbage, or holds a stream open; a closed port stands in for one that is down.
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { createGatewayClient } from '@switchyard/client';
import { parseGatewayConfig } from '@switchyard/config';
import { apiKeyIdsUnder } from '@switchyard/ingress';
import { mockEmbedding } from '@switchyard/providers';
import { createLogger } from '@switchyard/telemetry';
import { eventually, freePort, startDistributedGateway } from '@switchyard/testing';
import { Client } from 'pg';
import { startEmbeddedGateway } from './embedded-gateway';

export interface HttpGatewayUnderTest {
  /** e.g. http://127.0.0.1:8080 */
  httpUrl: string;
  grpcAddress: string;
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  stop(): Promise<void>;
}

export type StartHttpGateway = (configYaml: string, env: Record<string, string>) => Promise<HttpGatewayUnderTest>;

const GATEWAY_KEY = 'sk-gateway-one';
const KEY_ID_SECRET = 'http-front-door-key-id-secret-0123456789';
// Long enough for a request through Kafka, short enough to wait for the 504.
const REQUEST_TIMEOUT_MS = 5000;
const NO_RETRY = { maxRetries: 0 };

interface Upstream {
  baseUrl: string;
  /** Bodies of the chat requests it received, by upstream model. */
  bodies: Map<string, Record<string, unknown>>;
  /** Resolves when a held stream's connection is closed by the gateway. */
  heldStreamClosed: Promise<void>;
  close(): Promise<void>;
}

// Answers by upstream model: "echo" repeats the last user text, "limited" is rate-limited for 7 s,
// "garbage" answers 200 with a body that is not JSON, "hang" streams one chunk and then holds.
async function startUpstream(): Promise<Upstream> {
  const bodies = new Map<string, Record<string, unknown>>();
  let heldClosed: () => void = () => undefined;
  const heldStreamClosed = new Promise<void>((resolve) => (heldClosed = resolve));
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (data) => (raw += data));
    req.on('end', () => {
      const body = JSON.parse(raw) as { model: string; stream?: boolean; messages: { content: string | { type: string; text?: string }[] }[] };
      bodies.set(body.model, body);
      if (body.model === 'limited') return void res.writeHead(429, { 'retry-after': '7', 'content-type': 'application/json' }).end('{"error":{"message":"slow down"}}');
      if (body.model === 'garbage') return void res.writeHead(200, { 'content-type': 'application/json' }).end('<html>not json</html>');
      const base = { id: 'chatcmpl-up', created: 1, model: body.model };
      const last = body.messages[body.messages.length - 1].content;
      const text = typeof last === 'string' ? last : last.map((part) => part.text ?? '').join('');
      if (!body.stream) {
        const choices = [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }];
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...base, object: 'chat.completion', choices, usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } }));
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: { role: 'assistant', content: 'partial ' }, finish_reason: null }] })}\n\n`);
      if (body.model === 'hang') return void res.on('close', () => heldClosed());
      res.end(`data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    bodies,
    heldStreamClosed,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function configYaml(upstreamUrl: string, closedPort: number): string {
  return `
models:
  - { name: mock-echo, provider: mock, capabilities: [chat, streaming, tools, vision] }
  - { name: mock-embed, provider: mock, capabilities: [embeddings] }
  - { name: mock-slow, provider: mock-slow, upstream_model: mock-echo, capabilities: [chat, streaming] }
  - { name: upstream-echo, provider: fake, upstream_model: echo, capabilities: [chat, streaming, vision] }
  - { name: upstream-hang, provider: fake, upstream_model: hang, capabilities: [chat, streaming] }
  - { name: upstream-limited, provider: fake, upstream_model: limited, capabilities: [chat] }
  - { name: upstream-garbage, provider: fake, upstream_model: garbage, capabilities: [chat] }
  - { name: upstream-down, provider: down, upstream_model: gpt-x, capabilities: [chat] }
providers:
  mock: { latency_ms: 0 }
  mock-slow: { kind: mock, latency_ms: 30000 }
  fake: { kind: openai, base_url: "${upstreamUrl}", api_key_env: FAKE_UPSTREAM_KEY }
  down: { kind: openai, base_url: "http://127.0.0.1:${closedPort}/v1", api_key_env: FAKE_UPSTREAM_KEY }
limits: { max_request_bytes: 65536, default_timeout_ms: ${REQUEST_TIMEOUT_MS} }
auth: { api_keys_env: TEST_GATEWAY_KEYS }
`;
}

/** The status and body of a failed SDK call. */
async function failure(promise: Promise<unknown>): Promise<{ status?: number; error?: unknown; headers?: Headers; message: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { status?: number; error?: unknown; headers?: Headers; message: string };
  }
  throw new Error('expected the call to fail');
}

export function describeHttpFrontDoor(mode: string, start: StartHttpGateway): void {
  describe(`HTTP front door, official SDKs (${mode})`, () => {
    let gateway: HttpGatewayUnderTest;
    let upstream: Upstream;
    let openai: OpenAI;
    let anthropic: Anthropic;
    const usageRow = (requestId: string) =>
      eventually(async () => (await gateway.query(`SELECT * FROM usage_events WHERE request_id = $1`, [requestId]))[0], `usage row ${requestId}`);

    beforeAll(async () => {
      upstream = await startUpstream();
      gateway = await start(configYaml(upstream.baseUrl, await freePort()), { FAKE_UPSTREAM_KEY: 'sk-upstream', TEST_GATEWAY_KEYS: `${GATEWAY_KEY}, sk-gateway-two`, GATEWAY_KEY_ID_SECRET: KEY_ID_SECRET });
      openai = new OpenAI({ baseURL: `${gateway.httpUrl}/v1`, apiKey: GATEWAY_KEY });
      anthropic = new Anthropic({ baseURL: gateway.httpUrl, apiKey: 'sk-gateway-two' });
    });

    afterAll(async () => {
      await gateway?.stop();
      await upstream?.close();
    });

    describe('OpenAI SDK', () => {
      it('chats, and analytics records the call under a keyed hash of the key', async () => {
        const completion = await openai.chat.completions.create({
          model: 'mock-echo',
          messages: [
            { role: 'system', content: 'be brief' },
            { role: 'user', content: 'Hello over HTTP' },
          ],
        });
        expect(completion.object).toBe('chat.completion');
        expect(completion.choices[0].message).toMatchObject({ role: 'assistant', content: 'Hello over HTTP' });
        expect(completion.choices[0].finish_reason).toBe('stop');
        expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
        const row = await usageRow(completion.id);
        expect(row).toMatchObject({ model: 'mock-echo', status: 'ok', stream: false, api_key_id: apiKeyIdsUnder(KEY_ID_SECRET)(GATEWAY_KEY) });
      });

      it('streams text that reassembles to the answer, with usage on a final chunk without choices', async () => {
        const text = 'The quick brown fox jumps over the lazy dog';
        const stream = await openai.chat.completions.create({ model: 'mock-echo', messages: [{ role: 'user', content: text }], stream: true, stream_options: { include_usage: true } });
        const chunks: OpenAI.ChatCompletionChunk[] = [];
        for await (const chunk of stream) chunks.push(chunk);
        expect(chunks.length).toBeGreaterThanOrEqual(4);
        expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(text);
        const last = chunks[chunks.length - 1];
        expect(last.choices).toEqual([]);
        expect(last.usage!.completion_tokens).toBeGreaterThan(0);
        expect(chunks.slice(0, -1).every((chunk) => chunk.usage === null)).toBe(true);
        expect(chunks[chunks.length - 2].choices[0].finish_reason).toBe('stop');

        // The SDK's stream helper checks the chunk sequence (role first, finish reason) as it assembles.
        const helper = openai.chat.completions.stream({ model: 'mock-echo', messages: [{ role: 'user', content: text }] });
        expect((await helper.finalChatCompletion()).choices[0].message.content).toBe(text);
      });

      it('does a tool round trip, unary and streamed', async () => {
        const tools: OpenAI.ChatCompletionTool[] = [
          { type: 'function', function: { name: 'weather', description: 'the weather in a city', parameters: { type: 'object', properties: { text: { type: 'string' } } } } },
        ];
        const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Paris' }];
        const first = await openai.chat.completions.create({ model: 'mock-echo', messages, tools, tool_choice: 'required' });
        const call = first.choices[0].message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
        expect(first.choices[0].finish_reason).toBe('tool_calls');
        expect(first.choices[0].message.content).toBeNull();
        expect(call.function).toEqual({ name: 'weather', arguments: '{"text":"Paris"}' });
        const second = await openai.chat.completions.create({
          model: 'mock-echo',
          messages: [...messages, first.choices[0].message, { role: 'tool', tool_call_id: call.id, content: 'sunny, 21 C' }],
          tools,
        });
        expect(second.choices[0].message.content).toBe('sunny, 21 C');

        const streamed = await openai.chat.completions
          .stream({ model: 'mock-echo', messages, tools, tool_choice: { type: 'function', function: { name: 'weather' } } })
          .finalChatCompletion();
        const streamedCall = streamed.choices[0].message.tool_calls![0] as OpenAI.ChatCompletionMessageFunctionToolCall;
        expect(streamedCall).toMatchObject({ id: call.id, type: 'function', function: { name: 'weather', arguments: '{"text":"Paris"}' } });
        expect(streamed.choices[0].finish_reason).toBe('tool_calls');
      });

      it('carries image parts, response_format, stop, seed and max_completion_tokens to the provider', async () => {
        const completion = await openai.chat.completions.create({
          model: 'upstream-echo',
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'describe these' },
                { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
                { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
              ],
            },
          ],
          response_format: { type: 'json_schema', json_schema: { name: 'description', schema: { type: 'object' }, strict: true } },
          stop: ['END'],
          seed: 42,
          max_completion_tokens: 20,
        });
        expect(completion.choices[0].message.content).toBe('describe these');
        expect(upstream.bodies.get('echo')).toMatchObject({
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'describe these' },
                { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
                { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
              ],
            },
          ],
          response_format: { type: 'json_schema', json_schema: { name: 'description', schema: { type: 'object' }, strict: true } },
          stop: ['END'],
          seed: 42,
          max_completion_tokens: 20,
        });
      });

      it('returns embeddings in base64 (the SDK default) and float, the same vectors', async () => {
        const decoded = await openai.embeddings.create({ model: 'mock-embed', input: ['alpha', 'beta'] });
        const floats = await openai.embeddings.create({ model: 'mock-embed', input: ['alpha', 'beta'], encoding_format: 'float' });
        expect(decoded.object).toBe('list');
        expect(decoded.data.map((item) => item.index)).toEqual([0, 1]);
        expect(floats.data[0].embedding).toEqual(mockEmbedding('alpha', 16));
        // base64 carries float32: the SDK's decoded vector is the float vector rounded to float32.
        expect(decoded.data[0].embedding).toEqual(floats.data[0].embedding.map(Math.fround));
        expect(decoded.data[1].embedding).toEqual(floats.data[1].embedding.map(Math.fround));
        expect(decoded.usage.total_tokens).toBeGreaterThan(0);
      });

      it('lists the served models', async () => {
        const ids: string[] = [];
        for await (const model of openai.models.list()) {
          expect(model).toMatchObject({ object: 'model', owned_by: expect.any(String) });
          ids.push(model.id);
        }
        expect(ids).toEqual(expect.arrayContaining(['mock-echo', 'mock-embed', 'upstream-echo']));
      });

      it('retrieves one model, and an unknown one is NotFoundError', async () => {
        expect(await openai.models.retrieve('mock-echo')).toMatchObject({ id: 'mock-echo', object: 'model', owned_by: expect.any(String) });
        const missing = await failure(openai.models.retrieve('no-such-model'));
        expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
        expect(missing.error).toMatchObject({ code: 'model_not_found' });
      });
    });

    describe('Anthropic SDK', () => {
      it('creates a message from a system prompt and content blocks', async () => {
        const message = await anthropic.messages.create({
          model: 'mock-echo',
          max_tokens: 256,
          system: 'be brief',
          messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello, ' }, { type: 'text', text: 'Claude format' }] }],
        });
        expect(message).toMatchObject({ type: 'message', role: 'assistant', model: 'mock-echo', stop_reason: 'end_turn', content: [{ type: 'text', text: 'Hello, Claude format' }] });
        expect(message.usage.input_tokens).toBeGreaterThan(0);
        expect(message.usage.output_tokens).toBeGreaterThan(0);
      });

      it('streams text, with usage arriving in message_delta', async () => {
        const text = 'Streaming through the Messages API';
        const stream = anthropic.messages.stream({ model: 'mock-echo', max_tokens: 256, messages: [{ role: 'user', content: text }] });
        const pieces: string[] = [];
        stream.on('text', (piece) => pieces.push(piece));
        const final = await stream.finalMessage();
        expect(pieces.length).toBeGreaterThanOrEqual(3);
        expect(pieces.join('')).toBe(text);
        expect(final.content).toEqual([{ type: 'text', text }]);
        expect(final.stop_reason).toBe('end_turn');
        expect(final.usage.input_tokens).toBeGreaterThan(0);
        expect(final.usage.output_tokens).toBeGreaterThan(0);
      });

      it('does a tool round trip, unary and streamed (input_json_delta)', async () => {
        const tools: Anthropic.Tool[] = [{ name: 'weather', description: 'the weather in a city', input_schema: { type: 'object', properties: { text: { type: 'string' } } } }];
        const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'Lyon' }];
        const first = await anthropic.messages.create({ model: 'mock-echo', max_tokens: 256, messages, tools, tool_choice: { type: 'tool', name: 'weather' } });
        expect(first.stop_reason).toBe('tool_use');
        const toolUse = first.content.find((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use')!;
        expect(toolUse).toMatchObject({ name: 'weather', input: { text: 'Lyon' } });
        const second = await anthropic.messages.create({
          model: 'mock-echo',
          max_tokens: 256,
          tools,
          messages: [...messages, { role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: 'rainy, 12 C' }] }],
        });
        expect(second.content).toEqual([{ type: 'text', text: 'rainy, 12 C' }]);

        const streamed = await anthropic.messages.stream({ model: 'mock-echo', max_tokens: 256, messages, tools, tool_choice: { type: 'any' } }).finalMessage();
        expect(streamed.stop_reason).toBe('tool_use');
        expect(streamed.content).toEqual([{ type: 'tool_use', id: toolUse.id, name: 'weather', input: { text: 'Lyon' } }]);
      });

      it('sends image blocks to the provider as image parts', async () => {
        await anthropic.messages.create({
          model: 'upstream-echo',
          max_tokens: 64,
          messages: [{ role: 'user', content: [{ type: 'text', text: 'what is it?' }, { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } }] }],
        });
        expect(upstream.bodies.get('echo')!.messages).toEqual([
          { role: 'user', content: [{ type: 'text', text: 'what is it?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
        ]);
      });

      it('lists models in its own shape', async () => {
        const page = await anthropic.models.list();
        expect(page.data.map((model) => model.id)).toEqual(expect.arrayContaining(['mock-echo', 'mock-embed']));
        expect(page.data[0].type).toBe('model');
        expect(await anthropic.models.retrieve('mock-embed')).toMatchObject({ type: 'model', id: 'mock-embed' });
      });
    });

    describe('errors, in each API\'s own shape and status', () => {
      it('400: malformed JSON, and a missing field named as the param', async () => {
        const raw = await fetch(`${gateway.httpUrl}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${GATEWAY_KEY}` }, body: '{"model":"mock-echo","messages":[' });
        expect(raw.status).toBe(400);
        expect(await raw.json()).toEqual({ error: { message: expect.stringMatching(/^the request body is not valid JSON/), type: 'invalid_request_error', param: null, code: 'invalid_request' } });

        const missing = await failure(openai.chat.completions.create({ model: 'mock-echo' } as OpenAI.ChatCompletionCreateParamsNonStreaming));
        expect(missing).toBeInstanceOf(OpenAI.BadRequestError);
        expect(missing.error).toMatchObject({ param: 'messages', message: 'messages is required' });

        const anthropicMissing = await failure(anthropic.messages.create({ model: 'mock-echo', messages: [{ role: 'user', content: 'hi' }] } as unknown as Anthropic.MessageCreateParamsNonStreaming));
        expect(anthropicMissing).toBeInstanceOf(Anthropic.BadRequestError);
        expect(anthropicMissing.error).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens is required' } });
      });

      it('404: an unknown model', async () => {
        const openaiError = await failure(openai.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }));
        expect(openaiError).toBeInstanceOf(OpenAI.NotFoundError);
        expect(openaiError.error).toMatchObject({ type: 'invalid_request_error', code: 'model_not_found', message: expect.stringContaining('no-such-model') });
        const anthropicError = await failure(anthropic.messages.create({ model: 'no-such-model', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }));
        expect(anthropicError).toBeInstanceOf(Anthropic.NotFoundError);
        expect(anthropicError.error).toMatchObject({ type: 'error', error: { type: 'not_found_error' } });
      });

      it('401: a wrong gateway key, on both HTTP APIs and on gRPC', async () => {
        const wrongOpenAI = new OpenAI({ baseURL: `${gateway.httpUrl}/v1`, apiKey: 'sk-wrong' });
        const openaiError = await failure(wrongOpenAI.chat.completions.create({ model: 'mock-echo', messages: [{ role: 'user', content: 'hi' }] }));
        expect(openaiError).toBeInstanceOf(OpenAI.AuthenticationError);
        expect(openaiError.error).toMatchObject({ type: 'authentication_error', code: 'unauthenticated', message: 'the gateway key is not valid' });
        expect(await failure(wrongOpenAI.models.list())).toBeInstanceOf(OpenAI.AuthenticationError);

        const wrongAnthropic = new Anthropic({ baseURL: gateway.httpUrl, apiKey: 'sk-wrong' });
        const anthropicError = await failure(wrongAnthropic.messages.create({ model: 'mock-echo', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }));
        expect(anthropicError).toBeInstanceOf(Anthropic.AuthenticationError);
        expect(anthropicError.error).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'the gateway key is not valid' } });

        const client = createGatewayClient(gateway.grpcAddress);
        const call = (key: string) =>
          new Promise<grpc.ServiceError | null>((resolve) => {
            const metadata = new grpc.Metadata();
            metadata.set('authorization', `Bearer ${key}`);
            client.Chat({ model: 'mock-echo', messages: [{ role: 'user', content: 'hi' }] }, metadata, (error) => resolve(error));
          });
        const refused = await call('sk-wrong');
        const accepted = await call(GATEWAY_KEY);
        client.close();
        expect(refused?.code).toBe(grpc.status.UNAUTHENTICATED);
        expect(refused?.details).toBe('the gateway key is not valid');
        expect(accepted).toBeNull();
      });

      it('413: a body over limits.max_request_bytes', async () => {
        const tooBig = await failure(openai.chat.completions.create({ model: 'mock-echo', messages: [{ role: 'user', content: 'x'.repeat(70_000) }] }, NO_RETRY));
        expect(tooBig.status).toBe(413);
        expect(tooBig.error).toMatchObject({ code: 'request_too_large', message: "the request body is larger than the gateway's limit of 65536 bytes" });
        const anthropicTooBig = await failure(anthropic.messages.create({ model: 'mock-echo', max_tokens: 5, messages: [{ role: 'user', content: 'x'.repeat(70_000) }] }, NO_RETRY));
        expect(anthropicTooBig.status).toBe(413);
        expect(anthropicTooBig.error).toMatchObject({ error: { type: 'request_too_large' } });
      });

      it('429 with Retry-After when the provider rate-limits', async () => {
        const limited = await failure(openai.chat.completions.create({ model: 'upstream-limited', messages: [{ role: 'user', content: 'hi' }] }, NO_RETRY));
        expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
        expect(limited.headers!.get('retry-after')).toBe('7');
        expect(limited.error).toMatchObject({ type: 'rate_limit_error', code: 'provider_rate_limited' });
      });

      it('503 when the provider cannot be reached, 502 when it answers garbage', async () => {
        const down = await failure(openai.chat.completions.create({ model: 'upstream-down', messages: [{ role: 'user', content: 'hi' }] }, NO_RETRY));
        expect(down.status).toBe(503);
        expect(down.error).toMatchObject({ type: 'server_error', code: 'provider_unavailable', message: expect.stringContaining('could not be reached') });
        const garbage = await failure(anthropic.messages.create({ model: 'upstream-garbage', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }, NO_RETRY));
        expect(garbage.status).toBe(502);
        expect(garbage.error).toMatchObject({ type: 'error', error: { type: 'api_error', message: expect.stringContaining('not JSON') } });
      });

      it('504 when the answer does not come within the request timeout', async () => {
        const started = Date.now();
        const [late, anthropicLate] = await Promise.all([
          failure(openai.chat.completions.create({ model: 'mock-slow', messages: [{ role: 'user', content: 'too slow' }] }, NO_RETRY)),
          failure(anthropic.messages.create({ model: 'mock-slow', max_tokens: 5, messages: [{ role: 'user', content: 'too slow' }] }, NO_RETRY)),
        ]);
        expect(late.status).toBe(504);
        expect(anthropicLate.status).toBe(504);
        expect(anthropicLate.error).toMatchObject({ error: { type: 'timeout_error' } });
        expect(Date.now() - started).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 100);
        expect(Date.now() - started).toBeLessThan(REQUEST_TIMEOUT_MS + 5000);
      });
    });

    it('stops the upstream call when the client disconnects mid-stream, and records it as cancelled', async () => {
      const stream = await openai.chat.completions.create({ model: 'upstream-hang', messages: [{ role: 'user', content: 'never finishes' }], stream: true });
      let requestId = '';
      for await (const chunk of stream) {
        requestId = chunk.id;
        expect(chunk.choices[0].delta.content).toBe('partial ');
        // The client goes away after the first chunk; the upstream is still holding the stream open.
        stream.controller.abort();
        break;
      }
      await upstream.heldStreamClosed;
      const row = await usageRow(requestId);
      expect(row).toMatchObject({ status: 'cancelled', error_code: 'cancelled', model: 'upstream-hang', stream: true });
    });

    it('reports itself live and ready', async () => {
      expect(await (await fetch(`${gateway.httpUrl}/healthz`)).json()).toEqual({ status: 'ok' });
      expect(await (await fetch(`${gateway.httpUrl}/readyz`)).json()).toEqual({ status: 'ready' });
    });
  });
}

/** A gateway with both front doors for the scenario files (this one, guardrails): embedded, with a data folder of its own. */
export async function startEmbeddedHttpGateway(configYaml: string, env: Record<string, string> = {}): Promise<HttpGatewayUnderTest> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-http-'));
  const gateway = await startEmbeddedGateway({
    config: parseGatewayConfig(configYaml),
    grpcAddress: '127.0.0.1:0',
    httpAddress: '127.0.0.1:0',
    dataDir,
    logger: createLogger('http-gateway-test', 'error'),
    env: { ...process.env, ...env },
  });
  return {
    httpUrl: gateway.httpUrl!,
    grpcAddress: `127.0.0.1:${gateway.port}`,
    query: async (sql, params) => (await gateway.db.query(sql, params)).rows as never[],
    stop: async () => {
      await gateway.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The six distributed processes on Kafka and Postgres, with a configuration folder of their own. */
export async function startDistributedHttpGateway(configYaml: string, env: Record<string, string> = {}): Promise<HttpGatewayUnderTest> {
  const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-config-'));
  fs.writeFileSync(path.join(configDir, 'switchyard.yaml'), configYaml);
  // A port of its own, so that it never meets another gateway on the default 127.0.0.1:8080.
  const httpAddress = `127.0.0.1:${await freePort()}`;
  const gateway = await startDistributedGateway({ SWITCHYARD_CONFIG: path.join(configDir, 'switchyard.yaml'), GATEWAY_HTTP_ADDR: httpAddress, ...env });
  const db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  return {
    httpUrl: `http://${httpAddress}`,
    grpcAddress: gateway.grpcAddress,
    query: async (sql, params) => (await db.query(sql, params)).rows,
    stop: async () => {
      await db.end();
      await gateway.stop();
      fs.rmSync(configDir, { recursive: true, force: true });
    },
  };
}
