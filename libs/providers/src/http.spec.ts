import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extractProviderMessage, sendForEvents } from './http';

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
