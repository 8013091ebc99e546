// AWS Signature Version 4 for Bedrock calls, by the AWS SDK's own signer (@smithy/signature-v4).
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface AwsSigningInput {
  method: 'GET' | 'POST';
  /** The URL as it is sent, path already percent-encoded (a model id's ':' as %3A). */
  url: string;
  /** Headers to sign besides host, x-amz-date and x-amz-security-token, which are added. */
  headers: Record<string, string>;
  body: string;
  credentials: AwsCredentials;
  region: string;
  service: string;
  signingDate?: Date;
}

/**
 * The request's headers with the signature added: host, x-amz-date, x-amz-security-token (with a
 * session token) and authorization. The signer encodes the path once more for the canonical request,
 * as every service but S3 expects, so %3A is signed as %253A.
 */
export async function signAwsRequest(input: AwsSigningInput): Promise<Record<string, string>> {
  const url = new URL(input.url);
  // The body's hash is part of the signature already; the optional x-amz-content-sha256 header is left out.
  const signer = new SignatureV4({ service: input.service, region: input.region, credentials: input.credentials, sha256: Sha256, applyChecksum: false });
  const signed = await signer.sign(
    {
      method: input.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...lowerCaseKeys(input.headers), host: url.host },
      body: input.body === '' ? undefined : input.body,
    },
    { signingDate: input.signingDate },
  );
  return signed.headers;
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
