// Routed models through the whole embedded gateway, against local upstreams that fail on command: the
// caller gets the answer of the target the plan reached, and its usage row says which and after how many tries.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually, FailingUpstream } from '@switchyard/testing';
import type { EmbeddedGateway } from './embedded-gateway';
import { startGatewayUnderTest } from './gateway-under-test.fixtures';

jest.setTimeout(60_000);

describe('routed models in the embedded gateway', () => {
  const upstreams = { a: new FailingUpstream('a'), b: new FailingUpstream('b') };
  let gateway: EmbeddedGateway;

  beforeAll(async () => {
    for (const upstream of Object.values(upstreams)) await upstream.listen();
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
    for (const upstream of Object.values(upstreams)) upstream.reset();
  });

  afterAll(async () => {
    for (const upstream of Object.values(upstreams)) await upstream.close();
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
