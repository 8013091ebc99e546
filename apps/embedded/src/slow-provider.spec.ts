// A model whose provider never answers, through the whole embedded gateway: it holds up no other
// model, and once its calls and line are full a caller is told so at once rather than at its deadline.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from '@switchyard/testing';
import type { EmbeddedGateway } from './embedded-gateway';
import { startGatewayUnderTest } from './gateway-under-test.fixtures';

jest.setTimeout(60_000);

describe('a hanging model in the embedded gateway', () => {
  let upstream: http.Server;
  let upstreamCalls = 0;
  let gateway: EmbeddedGateway;
  const callers = new AbortController();

  beforeAll(async () => {
    // Takes every call and never answers it.
    upstream = http.createServer(() => void upstreamCalls++);
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const config = {
      models: [
        { name: 'mock-echo', provider: 'mock', capabilities: ['chat'] },
        { name: 'stalled', provider: 'stalled', capabilities: ['chat'] },
      ],
      providers: { mock: {}, stalled: { kind: 'ollama', base_url: `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1` } },
      provider_calls: { max_in_flight_per_route: 2, max_queued_per_route: 1 },
      limits: { default_timeout_ms: 20_000 },
    };
    gateway = await startGatewayUnderTest('slow-provider', config);
  });

  afterAll(async () => {
    upstream.closeAllConnections();
    await new Promise((resolve) => upstream.close(resolve));
    await gateway.stop();
  });

  const chat = (model: string) =>
    fetch(`${gateway.httpUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'are you there?' }] }),
      signal: callers.signal,
    });

  it('answers mock-echo while the hanging model is full, and answers the caller beyond its line 503 overloaded at once', async () => {
    // Two calls in flight and one waiting fill the route; whichever of the four comes last is refused.
    const stalled = Array.from({ length: 4 }, () => chat('stalled'));
    const refused = await Promise.race(stalled);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(await refused.json()).toMatchObject({ error: { code: 'overloaded', type: 'server_error' } });
    await eventually(async () => (upstreamCalls === 2 ? true : undefined), 'two calls to the hanging upstream');

    const echo = await chat('mock-echo');
    expect(echo.status).toBe(200);
    expect(await echo.json()).toMatchObject({ choices: [{ message: { content: 'are you there?' } }] });
    expect(upstreamCalls).toBe(2);

    const rows = await eventually(async () => {
      const found = (await gateway.db.query(`SELECT model, status, error_code FROM usage_events WHERE model = 'stalled'`)).rows;
      return found.length > 0 ? found : undefined;
    }, 'the refused call\'s usage row');
    expect(rows).toEqual([{ model: 'stalled', status: 'error', error_code: 'overloaded' }]);
  });

  it('records the hanging model\'s callers who leave as cancelled, one row each', async () => {
    callers.abort();
    const rows = await eventually(async () => {
      const found = (await gateway.db.query(`SELECT status, error_code FROM usage_events WHERE model = 'stalled' ORDER BY status`)).rows;
      return found.length === 4 ? found : undefined;
    }, 'a row for each of the four callers');
    expect(rows).toEqual([
      { status: 'cancelled', error_code: 'cancelled' },
      { status: 'cancelled', error_code: 'cancelled' },
      { status: 'cancelled', error_code: 'cancelled' },
      { status: 'error', error_code: 'overloaded' },
    ]);
  });
});
