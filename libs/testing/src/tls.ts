// Certificates for TLS tests, made by the openssl CLI in a temporary folder: a CA, a server certificate
// for localhost and 127.0.0.1, a client certificate from that CA, and one from another CA.
import type * as grpc from '@grpc/grpc-js';
import { createGatewayClient } from '@switchyard/client';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface TestKeyPair {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
}

export interface TestPki {
  caFile: string;
  ca: Buffer;
  server: TestKeyPair;
  /** Issued by the CA above. */
  client: TestKeyPair;
  /** Issued by a CA of its own, which the gateway does not trust. */
  strangerClient: TestKeyPair;
  remove(): void;
}

export function createTestPki(): TestPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-pki-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  const ca = (name: string) => openssl('req', '-x509', ...newKey, '-keyout', file(`${name}.key`), '-out', file(`${name}.crt`), '-subj', `/CN=${name}`, '-days', '2');
  const issue = (name: string, issuer: string, extensions: string): TestKeyPair => {
    fs.writeFileSync(file(`${name}.ext`), extensions);
    openssl('req', '-new', ...newKey, '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${name}`);
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${issuer}.crt`), '-CAkey', file(`${issuer}.key`), '-CAcreateserial', '-days', '2', '-extfile', file(`${name}.ext`), '-out', file(`${name}.crt`));
    return { certFile: file(`${name}.crt`), keyFile: file(`${name}.key`), cert: fs.readFileSync(file(`${name}.crt`)), key: fs.readFileSync(file(`${name}.key`)) };
  };
  ca('test-ca');
  ca('stranger-ca');
  const leaf = (usage: string) => `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=${usage}\n`;
  return {
    caFile: file('test-ca.crt'),
    ca: fs.readFileSync(file('test-ca.crt')),
    server: issue('localhost', 'test-ca', `${leaf('serverAuth')}subjectAltName=DNS:localhost,IP:127.0.0.1\n`),
    client: issue('client', 'test-ca', leaf('clientAuth')),
    strangerClient: issue('stranger', 'stranger-ca', leaf('clientAuth')),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** The model ids ListModels answers on localhost:`port` with these credentials, or the gRPC status it failed with. */
export function grpcModelIds(port: number, credentials: grpc.ChannelCredentials): Promise<string[] | { code: grpc.status }> {
  const client = createGatewayClient(`localhost:${port}`, credentials);
  return new Promise((resolve) => {
    client.ListModels({}, { deadline: Date.now() + 10_000 }, (error, response) => {
      client.close();
      resolve(error ? { code: error.code } : (response?.models ?? []).map((model) => model.id!));
    });
  });
}
