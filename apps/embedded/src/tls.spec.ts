// The embedded gateway with mTLS on both front doors (docs/tls.md): a client with a certificate from
// the configured CA is answered through the whole pipeline; one without a certificate is refused.
import * as grpc from '@grpc/grpc-js';
import * as https from 'node:https';
import { createGatewayClient } from '@switchyard/client';
import { loadTls } from '@switchyard/ingress';
import { createTestPki, type TestPki } from '@switchyard/testing';
import type { EmbeddedGateway } from './embedded-gateway';
import { startGatewayUnderTest } from './gateway-under-test.fixtures';

const config = { models: [{ name: 'mock-echo', provider: 'mock', capabilities: ['chat', 'streaming'] }], providers: { mock: { latency_ms: 0 } } };
const messages = [{ role: 'user', content: 'over TLS' }];

function httpsChat(url: string, options: https.RequestOptions): Promise<{ status: number; content: string } | { error: string }> {
  return new Promise((resolve) => {
    const request = https.request(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, ...options }, (response) => {
      let body = '';
      response.on('data', (data) => (body += data));
      response.on('end', () => resolve({ status: response.statusCode!, content: JSON.parse(body).choices?.[0]?.message?.content }));
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
    request.end(JSON.stringify({ model: 'mock-echo', messages }));
  });
}

function grpcChat(port: number, credentials: grpc.ChannelCredentials): Promise<{ content: string } | { code: grpc.status }> {
  const client = createGatewayClient(`localhost:${port}`, credentials);
  return new Promise((resolve) => {
    client.Chat({ model: 'mock-echo', messages }, { deadline: Date.now() + 20_000 }, (error, response) => {
      client.close();
      resolve(error ? { code: error.code } : { content: response!.choices![0].message!.content! });
    });
  });
}

describe('the embedded gateway with mTLS', () => {
  let pki: TestPki;
  let gateway: EmbeddedGateway;
  beforeAll(async () => {
    pki = createTestPki();
    gateway = await startGatewayUnderTest('tls', config, loadTls({ certFile: pki.server.certFile, keyFile: pki.server.keyFile, clientCaFile: pki.caFile }));
  });
  afterAll(async () => {
    await gateway?.stop();
    pki.remove();
  });

  it('answers a chat over gRPC and over HTTP for a client with a certificate from the CA', async () => {
    const client = { ca: pki.ca, cert: pki.client.cert, key: pki.client.key };
    expect(await grpcChat(gateway.port, grpc.credentials.createSsl(pki.ca, pki.client.key, pki.client.cert))).toEqual({ content: 'over TLS' });
    expect(await httpsChat(gateway.httpUrl!.replace('127.0.0.1', 'localhost'), client)).toEqual({ status: 200, content: 'over TLS' });
  });

  it('refuses a client without a certificate on both front doors', async () => {
    expect(await grpcChat(gateway.port, grpc.credentials.createSsl(pki.ca))).toEqual({ code: grpc.status.UNAVAILABLE });
    expect(await httpsChat(gateway.httpUrl!, { ca: pki.ca, servername: 'localhost' })).toEqual({ error: expect.stringMatching(/^(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED|ECONNRESET)$/) });
  });
});
