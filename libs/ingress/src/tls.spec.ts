// TLS and mTLS on both front doors, with certificates the test makes: a call over TLS is answered, a
// plain-text one is refused; with a client CA, a client without a certificate or with one from another
// CA is refused and one with a certificate from that CA is answered.
import * as grpc from '@grpc/grpc-js';
import * as https from 'node:https';
import * as http from 'node:http';
import * as path from 'node:path';
import { InMemoryBus } from '@switchyard/bus';
import type { CatalogEntry } from '@switchyard/config';
import { createTestPki, grpcModelIds, type TestKeyPair, type TestPki } from '@switchyard/testing';
import { createLogger } from '@switchyard/telemetry';
import { GatewayCore } from './gateway-core';
import { startGrpcServer, type RunningGrpcServer } from './grpc-server';
import { startHttpServer, type RunningHttpServer } from './http/http-server';
import { loadTls, type TlsMaterial } from './tls';

const logger = createLogger('tls-test', 'error');
const capabilities = { chat: true, streaming: true, tools: false, vision: false, embeddings: false };
const MODEL_IDS = ['echo'];

interface FrontDoors {
  grpcPort: number;
  httpPort: number;
  stop(): Promise<void>;
}

async function startFrontDoors(tls: TlsMaterial): Promise<FrontDoors> {
  const bus = new InMemoryBus();
  const catalog = new Map<string, CatalogEntry>([['echo', { id: 'echo', provider: 'fake', upstream_model: 'echo-1', capabilities, route_targets: ['fake/echo-1'], enabled: true }]]);
  const core = new GatewayCore({ bus, catalog, logger, defaultTimeoutMs: 10_000 });
  await core.start();
  const options = { address: '127.0.0.1:0', maxRequestBytes: 1024, logger, shutdownGraceMs: 200, tls };
  const grpcServer: RunningGrpcServer = await startGrpcServer(core, options);
  const httpServer: RunningHttpServer = await startHttpServer(core, options);
  expect(httpServer.url).toBe(`https://127.0.0.1:${httpServer.port}`);
  return {
    grpcPort: grpcServer.port,
    httpPort: httpServer.port,
    stop: async () => {
      await Promise.all([grpcServer.stop(), httpServer.stop()]);
      await core.stop();
    },
  };
}

/** The model ids GET /v1/models answers, or the error the request failed with. */
function httpModels(port: number, options: https.RequestOptions, plain = false): Promise<string[] | { error: string }> {
  const get = plain ? http.get : https.get;
  return new Promise((resolve) => {
    const request = get({ host: 'localhost', port, path: '/v1/models', ...options }, (response) => {
      let body = '';
      response.on('data', (data) => (body += data));
      response.on('end', () => resolve(response.statusCode === 200 ? (JSON.parse(body) as { data: { id: string }[] }).data.map((model) => model.id) : { error: `HTTP ${response.statusCode}` }));
      response.on('error', (error) => resolve({ error: error.message }));
    });
    request.on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
  });
}

const withCertificate = (pair: TestKeyPair) => ({ cert: pair.cert, key: pair.key });
// Under TLS 1.3 the client finishes its side of the handshake before the server judges its certificate:
// the server's alert, or the reset that follows it, is what the client sees first.
const refusedByServer = (alert: string) => ({ error: expect.stringMatching(new RegExp(`^(${alert}|ECONNRESET)$`)) });

describe('TLS on both front doors', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = createTestPki();
  });
  afterAll(() => pki.remove());

  describe('without a client CA', () => {
    let doors: FrontDoors;
    beforeAll(async () => {
      doors = await startFrontDoors(loadTls({ certFile: pki.server.certFile, keyFile: pki.server.keyFile, clientCaFile: undefined }));
    });
    afterAll(() => doors.stop());

    it('answers a call over TLS on gRPC and on HTTP', async () => {
      expect(await grpcModelIds(doors.grpcPort, grpc.credentials.createSsl(pki.ca))).toEqual(MODEL_IDS);
      expect(await httpModels(doors.httpPort, { ca: pki.ca })).toEqual(MODEL_IDS);
    });

    it('refuses a plain-text call on gRPC and on HTTP', async () => {
      expect(await grpcModelIds(doors.grpcPort, grpc.credentials.createInsecure())).toEqual({ code: grpc.status.UNAVAILABLE });
      expect(await httpModels(doors.httpPort, {}, true)).toEqual({ error: expect.not.stringMatching(/^HTTP/) });
    });

    it('is not trusted by a client that does not trust its CA', async () => {
      expect(await grpcModelIds(doors.grpcPort, grpc.credentials.createSsl())).toEqual({ code: grpc.status.UNAVAILABLE });
      expect(await httpModels(doors.httpPort, {})).toEqual({ error: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
    });
  });

  describe('with a client CA (mTLS)', () => {
    let doors: FrontDoors;
    beforeAll(async () => {
      doors = await startFrontDoors(loadTls({ certFile: pki.server.certFile, keyFile: pki.server.keyFile, clientCaFile: pki.caFile }));
    });
    afterAll(() => doors.stop());

    it('answers a client whose certificate the CA issued', async () => {
      expect(await grpcModelIds(doors.grpcPort, grpc.credentials.createSsl(pki.ca, pki.client.key, pki.client.cert))).toEqual(MODEL_IDS);
      expect(await httpModels(doors.httpPort, { ca: pki.ca, ...withCertificate(pki.client) })).toEqual(MODEL_IDS);
    });

    it('refuses a client without a certificate', async () => {
      expect(await grpcModelIds(doors.grpcPort, grpc.credentials.createSsl(pki.ca))).toEqual({ code: grpc.status.UNAVAILABLE });
      expect(await httpModels(doors.httpPort, { ca: pki.ca })).toEqual(refusedByServer('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'));
    });

    it('refuses a client whose certificate another CA issued', async () => {
      expect(await grpcModelIds(doors.grpcPort, grpc.credentials.createSsl(pki.ca, pki.strangerClient.key, pki.strangerClient.cert))).toEqual({ code: grpc.status.UNAVAILABLE });
      expect(await httpModels(doors.httpPort, { ca: pki.ca, ...withCertificate(pki.strangerClient) })).toEqual(refusedByServer('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'));
    });

    it('refuses a plain-text call', async () => {
      expect(await grpcModelIds(doors.grpcPort, grpc.credentials.createInsecure())).toEqual({ code: grpc.status.UNAVAILABLE });
      expect(await httpModels(doors.httpPort, {}, true)).toEqual({ error: expect.not.stringMatching(/^HTTP/) });
    });
  });

  describe('loadTls', () => {
    it('names the files that cannot be used', () => {
      expect(() => loadTls({ certFile: pki.server.certFile, keyFile: pki.client.keyFile, clientCaFile: undefined })).toThrow(
        `the front doors' TLS files (${pki.server.certFile}, ${pki.client.keyFile}) cannot be used together: `,
      );
      expect(() => loadTls({ certFile: '/nonexistent/tls.crt', keyFile: pki.server.keyFile, clientCaFile: undefined })).toThrow(
        'GATEWAY_TLS_CERT names /nonexistent/tls.crt, which cannot be read: ENOENT',
      );
      const notPem = path.join(__dirname, '../project.json');
      expect(() => loadTls({ certFile: pki.server.certFile, keyFile: pki.server.keyFile, clientCaFile: notPem })).toThrow(
        `GATEWAY_TLS_CLIENT_CA names ${notPem}, which holds no PEM block (-----BEGIN ...)`,
      );
    });
  });
});
