// Routed models through the whole embedded gateway, against local upstreams that fail on command: the
// caller gets the answer of the target the plan reached, and its usage row says which and after how many tries.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from '@switchyard/testing';
import type { EmbeddedGateway } from './embedded-gateway';
import { startGatewayUnderTest } from './gateway-under-test.fixtures';

jest.setTimeout(60_000);

/** What an upstream does with its next call: answer, fail with a status, or stream one chunk and drop the connection. */
type Command = 'ok' | 'stream-then-reset' | { status: number; headers?: Record<string, string> };

/** An OpenAI-compatible upstream that obeys the commands queued for it, answering 'ok' when none are left. */
class Upstream {
  readonly commands: Command[] = [];
  calls = 0;
  readonly server: http.Server;

  constructor(readonly name: string) {
    this.server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (piece: Buffer) => (body += piece));
      request.on('end', () => this.answer(JSON.parse(body) as { stream?: boolean }, response));
    });
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  private answer(body: { stream?: boolean }, response: http.ServerResponse): void {
    this.calls++;
    const command = this.commands.shift() ?? 'ok';
    const content = `answered by ${this.name}`;
    if (typeof command === 'object') {
      response.writeHead(command.status, { 'content-type': 'application/json', ...command.headers });
      response.end(JSON.stringify({ error: { message: `${this.name} says ${command.status}`, type: 'server_error' } }));
      return;
    }
    if (!body.stream) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          id: 'up-1',
          object: 'chat.completion',
          choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
          usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10 },
        }),
      );
      return;
    }
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    const chunk = (delta: object, finish: string | null) =>
      `data: ${JSON.stringify({ id: 'up-1', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
    response.write(chunk({ role: 'assistant', content }, null));
    if (command === 'stream-then-reset') {
      // Let the first chunk reach the gateway before the connection drops.
      setTimeout(() => response.socket?.destroy(), 50);
      return;
    }
    response.end(chunk({}, 'stop') + 'data: [DONE]\n\n');
  }
}

describe('routed models in the embedded gateway', () => {
  const upstreams = { a: new Upstream('a'), b: new Upstream('b') };
  let gateway: EmbeddedGateway;

  beforeAll(async () => {
    for (const upstream of Object.values(upstreams)) await new Promise<void>((resolve) => upstream.server.listen(0, '127.0.0.1', resolve));
    // A port that was free a moment ago and that nothing listens on: connections to it are refused.
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const refusedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const config = {
      models: [
        { name: 'fallback', capabilities: ['chat', 'streaming'], route: { fallback: [{ target: 'a/m' }, { target: 'b/m' }] } },
        { name: 'patient', capabilities: ['chat'], route: { fallback: [{ target: 'a/m', retry: { attempts: 2 } }, { target: 'b/m' }] } },
        { name: 'refused', capabilities: ['chat'], route: { fallback: [{ target: 'down/m' }, { target: 'b/m' }] } },
        { name: 'streamed', capabilities: ['chat', 'streaming'], route: { fallback: [{ target: 'a/m', retry: { attempts: 3 } }, { target: 'b/m' }] } },
      ],
      providers: {
        a: { kind: 'ollama', base_url: upstreams.a.baseUrl },
        b: { kind: 'ollama', base_url: upstreams.b.baseUrl },
        down: { kind: 'ollama', base_url: `http://127.0.0.1:${refusedPort}/v1` },
      },
      limits: { default_timeout_ms: 20_000 },
    };
    gateway = await startGatewayUnderTest('routes', config);
  });

  beforeEach(() => {
    for (const upstream of Object.values(upstreams)) {
      upstream.calls = 0;
      upstream.commands.length = 0;
    }
  });

  afterAll(async () => {
    for (const upstream of Object.values(upstreams)) {
      upstream.server.closeAllConnections();
      await new Promise((resolve) => upstream.server.close(resolve));
    }
    await gateway.stop();
  });

  const chat = (model: string, stream = false) =>
    fetch(`${gateway.httpUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream, messages: [{ role: 'user', content: 'who answers?' }] }),
    });

  const rowOf = (model: string) =>
    eventually(async () => {
      const rows = (
        await gateway.db.query(`SELECT provider, upstream_model, status, error_code, attempts, route_path, failed_attempts, prompt_tokens FROM usage_events WHERE model = $1`, [model])
      ).rows;
      return rows.length > 0 ? rows : undefined;
    }, `the usage row of ${model}`);

  it('answers from the fallback when the first target fails 503, and records both tries', async () => {
    upstreams.a.commands.push({ status: 503 });
    const response = await chat('fallback');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ choices: [{ message: { content: 'answered by b' } }], usage: { prompt_tokens: 7 } });
    expect([upstreams.a.calls, upstreams.b.calls]).toEqual([1, 1]);
    expect(await rowOf('fallback')).toEqual([
      {
        provider: 'b',
        upstream_model: 'm',
        status: 'ok',
        error_code: null,
        attempts: 2,
        route_path: 'models.0.route.fallback.1',
        failed_attempts: [{ target: 'a/m', code: 'provider_unavailable', latency_ms: expect.any(Number) }],
        prompt_tokens: 7,
      },
    ]);
  });

  it('retries a 429 on the same target after its Retry-After, which fits the deadline', async () => {
    upstreams.a.commands.push({ status: 429, headers: { 'retry-after': '1' } });
    const response = await chat('patient');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ choices: [{ message: { content: 'answered by a' } }] });
    expect([upstreams.a.calls, upstreams.b.calls]).toEqual([2, 0]);
    expect(await rowOf('patient')).toMatchObject([{ provider: 'a', status: 'ok', attempts: 2, route_path: 'models.1.route.fallback.0', failed_attempts: [{ target: 'a/m', code: 'provider_rate_limited' }] }]);
  });

  it('falls back when the first target refuses the connection', async () => {
    const response = await chat('refused');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ choices: [{ message: { content: 'answered by b' } }] });
    expect(await rowOf('refused')).toMatchObject([{ provider: 'b', status: 'ok', attempts: 2, failed_attempts: [{ target: 'down/m', code: 'provider_unavailable' }] }]);
  });

  it('does not retry nor fall back when a stream fails after its first chunk reached the caller', async () => {
    upstreams.a.commands.push('stream-then-reset');
    const response = await chat('streamed', true);
    expect(response.status).toBe(200);
    const events = (await response.text()).split('\n\n').filter((event) => event.startsWith('data: ') && event !== 'data: [DONE]');
    const parsed = events.map((event) => JSON.parse(event.slice('data: '.length)) as { choices?: { delta: { content?: string } }[]; error?: { code: string } });
    expect(parsed[0].choices?.[0].delta.content).toBe('answered by a');
    expect(parsed.at(-1)?.error).toMatchObject({ code: 'provider_bad_response' });
    expect(parsed.filter((event) => event.choices?.[0]?.delta.content)).toHaveLength(1);
    expect([upstreams.a.calls, upstreams.b.calls]).toEqual([1, 0]);
    expect(await rowOf('streamed')).toMatchObject([{ provider: 'a', status: 'error', error_code: 'provider_bad_response', attempts: 1, failed_attempts: null }]);
  });
});
