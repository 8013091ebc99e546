import { ReplayServer, refusedBaseUrl, reply } from './replay-server';

describe('ReplayServer', () => {
  let server: ReplayServer;
  beforeAll(async () => {
    server = await ReplayServer.start();
  });
  afterAll(() => server.close());
  beforeEach(() => server.reset());

  it('records the request and answers with the programmed JSON', async () => {
    server.on('POST', '/v1/things', reply.json({ ok: true }, { status: 201, headers: { 'x-request-id': 'req_1' } }));
    const response = await fetch(`${server.baseUrl}/v1/things?api-version=1&x=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
      body: JSON.stringify({ a: 1 }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-request-id')).toBe('req_1');
    expect(await response.json()).toEqual({ ok: true });
    const request = server.onlyRequest();
    expect(request).toMatchObject({ method: 'POST', path: '/v1/things', query: { 'api-version': '1', x: '2' }, body: { a: 1 }, rawBody: '{"a":1}' });
    expect(request.headers.authorization).toBe('Bearer k');
  });

  it('writes a stream in several pieces, so readers meet split frames', async () => {
    const text = 'data: {"a":1}\n\ndata: {"b":2}\n\ndata: [DONE]\n\n';
    server.on('POST', '/stream', reply.sse(text));
    const response = await fetch(`${server.baseUrl}/stream`, { method: 'POST' });
    const reader = response.body!.getReader();
    const pieces: Uint8Array[] = [];
    for (let next = await reader.read(); !next.done; next = await reader.read()) pieces.push(next.value);
    expect(pieces.length).toBeGreaterThan(1);
    expect(Buffer.concat(pieces).toString('utf8')).toBe(text);
  });

  it('answers programmed replies in turn, repeating the last', async () => {
    server.on('GET', '/n', reply.json(1), reply.json(2));
    const values = [];
    for (let i = 0; i < 3; i++) values.push(await (await fetch(`${server.baseUrl}/n`)).json());
    expect(values).toEqual([1, 2, 2]);
  });

  it('drops the connection mid-body for a truncated reply', async () => {
    server.on('GET', '/cut', reply.truncated(reply.json({ text: 'x'.repeat(1000) })));
    const response = await fetch(`${server.baseUrl}/cut`);
    await expect(response.text()).rejects.toThrow('terminated');
  });

  it('answers 599 for a request no route matches', async () => {
    const response = await fetch(`${server.baseUrl}/nowhere`, { method: 'POST' });
    expect(response.status).toBe(599);
    expect(await response.text()).toContain('no route for POST /nowhere');
  });

  it('gives a base URL on which nothing listens', async () => {
    await expect(fetch(`${await refusedBaseUrl()}/x`)).rejects.toThrow('fetch failed');
  });
});
