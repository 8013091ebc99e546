// Reading a JSON request body within the size limit. A declared Content-Length over the limit is
// refused before a byte is read; a chunked body is counted as it arrives and reading stops at the
// limit, so an oversized body is never held in memory.
import type { IncomingMessage } from 'node:http';
import { GatewayError } from '@switchyard/contracts';

export function tooLarge(limit: number): GatewayError {
  return new GatewayError('request_too_large', `the request body is larger than the gateway's limit of ${limit} bytes`);
}

export function declaredTooLarge(req: IncomingMessage, limit: number): boolean {
  const declared = Number(req.headers['content-length']);
  return Number.isFinite(declared) && declared > limit;
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  if (declaredTooLarge(req, limit)) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        reject(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new GatewayError('invalid_request', `the request body could not be read: ${error.message}`));
    };
    const onClose = () => onError(new Error('the client closed the connection before sending all of it'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

export async function readJsonBody(req: IncomingMessage, limit: number): Promise<unknown> {
  const raw = await readBody(req, limit);
  if (raw.length === 0) throw new GatewayError('invalid_request', 'the request body is empty; send a JSON object');
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new GatewayError('invalid_request', `the request body is not valid JSON: ${(error as Error).message}`);
  }
}
