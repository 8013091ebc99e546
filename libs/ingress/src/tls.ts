// TLS on the front doors (docs/tls.md): the certificate, its key and the optional client CA are read once
// at start and tried together, so a key that does not match its certificate stops the start with the
// files named, rather than failing every handshake later.
import * as fs from 'node:fs';
import * as tls from 'node:tls';
import type { TlsSettings } from '@switchyard/config';

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  /** Set: every client must present a certificate that chains to one of these CAs (mTLS). */
  clientCa: Buffer | undefined;
}

export function loadTls(settings: TlsSettings): TlsMaterial {
  const material: TlsMaterial = {
    cert: readPem('GATEWAY_TLS_CERT', settings.certFile),
    key: readPem('GATEWAY_TLS_KEY', settings.keyFile),
    clientCa: settings.clientCaFile === undefined ? undefined : readPem('GATEWAY_TLS_CLIENT_CA', settings.clientCaFile),
  };
  try {
    tls.createSecureContext({ cert: material.cert, key: material.key, ca: material.clientCa });
  } catch (error) {
    const files = [settings.certFile, settings.keyFile, settings.clientCaFile].filter(Boolean).join(', ');
    throw new Error(`the front doors' TLS files (${files}) cannot be used together: ${(error as Error).message}`);
  }
  return material;
}

function readPem(variable: string, file: string): Buffer {
  let pem: Buffer;
  try {
    pem = fs.readFileSync(file);
  } catch (error) {
    throw new Error(`${variable} names ${file}, which cannot be read: ${(error as Error).message}`);
  }
  if (!pem.includes('-----BEGIN ')) throw new Error(`${variable} names ${file}, which holds no PEM block (-----BEGIN ...)`);
  return pem;
}
