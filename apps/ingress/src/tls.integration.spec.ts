// The distributed ingress service as Kubernetes runs it (docs/kubernetes.md): front doors that require
// client certificates (GATEWAY_TLS_*), and probes on a plain port of their own (GATEWAY_HEALTH_ADDR)
// that the kubelet, which has no client certificate, can reach. The models list is answered by the
// ingress itself, so no other service is needed.
import * as grpc from '@grpc/grpc-js';
import { spawn, type ChildProcess } from 'node:child_process';
import * as https from 'node:https';
import * as path from 'node:path';
import { createTestPki, eventually, freePort, grpcModelIds, WORKSPACE_ROOT, type TestPki } from '@switchyard/testing';

function httpsStatus(port: number, options: https.RequestOptions): Promise<number | string> {
  return new Promise((resolve) => {
    https
      .get({ host: 'localhost', port, path: '/v1/models', ...options }, (response) => {
        response.resume();
        resolve(response.statusCode!);
      })
      .on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe('the distributed ingress with mTLS and a probe port', () => {
  let pki: TestPki;
  let ingress: ChildProcess;
  let exited: Promise<number | null>;
  let output = '';
  const ports = { grpc: 0, http: 0, health: 0 };
  const probe = (what: string) => fetch(`http://127.0.0.1:${ports.health}/${what}`).then((response) => response.status);

  beforeAll(async () => {
    pki = createTestPki();
    for (const name of ['grpc', 'http', 'health'] as const) ports[name] = await freePort();
    ingress = spawn(path.join(WORKSPACE_ROOT, 'node_modules/.bin/tsx'), [path.join(WORKSPACE_ROOT, 'apps/ingress/src/main.ts')], {
      cwd: WORKSPACE_ROOT,
      env: {
        ...process.env,
        GATEWAY_GRPC_ADDR: `127.0.0.1:${ports.grpc}`,
        GATEWAY_HTTP_ADDR: `127.0.0.1:${ports.http}`,
        GATEWAY_HEALTH_ADDR: `127.0.0.1:${ports.health}`,
        GATEWAY_TLS_CERT: pki.server.certFile,
        GATEWAY_TLS_KEY: pki.server.keyFile,
        GATEWAY_TLS_CLIENT_CA: pki.caFile,
        GATEWAY_KEY_ID_SECRET: 'tls-integration-test-'.padEnd(40, 'x'),
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    ingress.stdout!.on('data', (data) => (output += data));
    ingress.stderr!.on('data', (data) => (output += data));
    exited = new Promise((resolve) => ingress.once('exit', resolve));
    await eventually(() => probe('readyz').then((status) => (status === 200 ? status : undefined)), 'the ingress to be ready', 90_000).catch((error) => {
      throw new Error(`${(error as Error).message}\n${output.slice(-4000)}`);
    });
  });

  afterAll(async () => {
    ingress?.kill('SIGTERM');
    await exited;
    pki?.remove();
  });

  it('answers a client with a certificate from the CA on both front doors, and refuses one without', async () => {
    expect(await grpcModelIds(ports.grpc, grpc.credentials.createSsl(pki.ca, pki.client.key, pki.client.cert))).toEqual(expect.arrayContaining(['mock-echo']));
    expect(await httpsStatus(ports.http, { ca: pki.ca, cert: pki.client.cert, key: pki.client.key })).toBe(200);
    expect(await grpcModelIds(ports.grpc, grpc.credentials.createSsl(pki.ca))).toEqual({ code: grpc.status.UNAVAILABLE });
    expect(await httpsStatus(ports.http, { ca: pki.ca })).toEqual(expect.stringMatching(/^(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED|ECONNRESET)$/));
  });

  it('answers the probes in plain HTTP, says it serves mTLS, and stops cleanly', async () => {
    expect(await probe('healthz')).toBe(200);
    expect(await probe('readyz')).toBe(200);
    ingress.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('"tls":"mtls"');
  });
});
