import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GatewayError } from '@switchyard/contracts';
import { extractProviderMessage, parseRetryInfo, send, sendForEvents, sendJson, statusToErrorCode } from './http';

describe('sendForEvents', () => {
  let server: Server;
  let closed: Promise<void>;

  beforeEach(async () => {
    let markClosed: () => void = () => undefined;
    closed = new Promise((resolve) => (markClosed = resolve));
    // A stream that never ends on its own, like a long generation.
    server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: {"n":1}\n\n');
      response.on('close', markClosed);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('closes the upstream connection when the consumer stops early', async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    for await (const event of sendForEvents({ provider: 'test', url, headers: {}, body: {}, signal: AbortSignal.timeout(5000) })) {
      expect(event.data).toBe('{"n":1}');
      break;
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('upstream connection left open')), 2000)));
    await expect(Promise.race([closed, timeout])).resolves.toBeUndefined();
    clearTimeout(timer);
  });
});

describe('sendJson', () => {
  let server: Server;
  const seen: { url?: string; authorization?: string }[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push({ url: request.url, authorization: request.headers.authorization });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '::', () => resolve()));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => (seen.length = 0));

  const call = (url: string, signal = AbortSignal.timeout(5000)) => sendJson({ provider: 'test', url, headers: {}, body: {}, signal });
  const port = () => (server.address() as AddressInfo).port;

  // Provider URLs are parsed once and kept: each of these forms must reach the server as written.
  it.each([
    ['an IPv6 literal', () => `http://[::1]:${port()}/v1/chat`, '/v1/chat', undefined],
    ['a query string', () => `http://127.0.0.1:${port()}/v1beta/models/m:streamGenerateContent?alt=sse`, '/v1beta/models/m:streamGenerateContent?alt=sse', undefined],
    ['credentials', () => `http://us%40er:p%3Ass@localhost:${port()}/api`, '/api', `Basic ${Buffer.from('us@er:p:ss').toString('base64')}`],
  ])('calls a URL with %s', async (_form, url, path, authorization) => {
    for (let i = 0; i < 2; i++) await expect(call(url())).resolves.toEqual({ ok: true });
    expect(seen).toEqual([{ url: path, authorization }, { url: path, authorization }]);
  });

  it('fails a call whose signal is already aborted without sending it', async () => {
    const controller = new AbortController();
    controller.abort(new GatewayError('cancelled', 'the caller cancelled the request'));
    await expect(call(`http://127.0.0.1:${port()}/`, controller.signal)).rejects.toMatchObject({ code: 'cancelled' });
    expect(seen).toEqual([]);
  });
});

describe('extractProviderMessage', () => {
  it.each([
    ['OpenAI', '{"error":{"message":"Invalid key","type":"invalid_request_error"}}', 'Invalid key'],
    ['Ollama', '{"error":"model \\"llama3\\" not found"}', 'model "llama3" not found'],
    ['Mistral', '{"object":"error","message":"Invalid model","type":"invalid_request_error"}', 'Invalid model'],
    ['FastAPI', '{"detail":"Not Found"}', 'Not Found'],
    ['FastAPI validation', '{"detail":[{"loc":["body","model"],"msg":"Field required"}]}', 'body.model: Field required'],
    [
      'Mistral validation',
      '{"object":"error","message":{"detail":[{"loc":["body","messages"],"msg":"Field required"}]},"type":"invalid_request_message_error"}',
      'body.messages: Field required',
    ],
    ['plain text', 'upstream connect error', 'upstream connect error'],
  ])('reads %s error bodies', (_name, body, message) => {
    expect(extractProviderMessage(body)).toBe(message);
  });
});

describe('statusToErrorCode', () => {
  it.each([
    [408, 'provider_timeout'],
    // A gateway timeout in front of the model (Anthropic's timeout_error, Google's DEADLINE_EXCEEDED).
    [504, 'provider_timeout'],
    [502, 'provider_unavailable'],
    [503, 'provider_unavailable'],
  ])('maps %s to %s', (status, code) => {
    expect(statusToErrorCode(status)).toBe(code);
  });
});

describe('retry delay of an error answer', () => {
  const retryInfo = (retryDelay: string) =>
    JSON.stringify({
      error: {
        code: 429,
        status: 'RESOURCE_EXHAUSTED',
        message: 'You exceeded your current quota.',
        details: [
          { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [] },
          { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay },
        ],
      },
    });

  it.each([
    ['37s', 37_000],
    ['0.5s', 500],
    ['1.000340012s', 1000],
  ])('reads a RetryInfo retryDelay of %s as %s ms', (delay, ms) => {
    expect(parseRetryInfo(retryInfo(delay))).toBe(ms);
  });

  it.each([
    ['no RetryInfo', JSON.stringify({ error: { code: 429, details: [{ '@type': 'type.googleapis.com/google.rpc.QuotaFailure' }] } })],
    ['a delay that is not a Duration', retryInfo('soon')],
    ['no details', '{"error":{"message":"Rate limit reached"}}'],
    ['a body that is not JSON', 'Too Many Requests'],
    ['a JSON null', 'null'],
  ])('finds nothing in a body with %s', (_name, body) => {
    expect(parseRetryInfo(body)).toBeUndefined();
  });

  describe('on a 429 answer', () => {
    let server: Server;
    let answer: { headers: Record<string, string>; body: string };
    beforeAll(async () => {
      server = createServer((_request, response) => {
        response.writeHead(429, { 'content-type': 'application/json', ...answer.headers });
        response.end(answer.body);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    async function failure(): Promise<GatewayError> {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const error = await send({ provider: 'test', url, headers: {}, body: {}, signal: AbortSignal.timeout(5000) }).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(GatewayError);
      return error as GatewayError;
    }

    it('takes the delay from the body when no header gives one', async () => {
      answer = { headers: {}, body: retryInfo('37s') };
      expect((await failure()).toBody()).toMatchObject({ code: 'provider_rate_limited', retry_after_ms: 37_000 });
    });

    it('prefers the Retry-After header to the body', async () => {
      answer = { headers: { 'retry-after': '5' }, body: retryInfo('37s') };
      expect((await failure()).toBody().retry_after_ms).toBe(5000);
    });
  });
});
