// OpenAI's Files and Batch API over HTTP (/v1/files, /v1/batches): the wire only. What each call does,
// and every check of what it carries, is BatchService's (libs/batch), which gRPC calls alike.
import type * as http from 'node:http';
import { BATCH_LIMITS, toOpenAIBatch, toOpenAIFile, type BatchPage, type BatchService, type NewFile } from '@switchyard/batch';
import { GatewayError, InvalidFieldError } from '@switchyard/contracts';
import type { GatewayCore } from '../gateway-core';
import { decodedSegment, wrongMethod } from './admin-routes';
import { readMultipart } from './multipart';
import { readJsonBody } from './request-body';
import { RouteError } from './route-error';

export const FILES_PATH = '/v1/files';
export const BATCHES_PATH = '/v1/batches';

/** The answer: JSON, or a file's text (GET /v1/files/{id}/content). */
export type BatchAnswer = { status: number; body: unknown } | { status: number; text: string };

// A batch request's JSON body (POST /v1/batches) is small: ids, an endpoint, metadata.
const BATCH_BODY_BYTES = 64 * 1024;

export function isBatchPath(path: string): boolean {
  return path === FILES_PATH || path.startsWith(FILES_PATH + '/') || path === BATCHES_PATH || path.startsWith(BATCHES_PATH + '/');
}

export async function answerBatch(req: http.IncomingMessage, core: GatewayCore, batches: BatchService | undefined, path: string, query: URLSearchParams, credential: string | undefined): Promise<BatchAnswer> {
  if (!batches) throw new RouteError(404, 'this gateway runs no batches');
  // The key is checked before the body is read: a caller without one cannot make the gateway take in megabytes.
  const owner = core.authenticate(credential);
  const method = req.method ?? '';
  const [collection, id, sub, ...rest] = path.slice(1).split('/').slice(1).map(decodedSegment);
  const json = (body: unknown, status = 200): BatchAnswer => ({ status, body });
  if (rest.length > 0) throw unknownRoute(method, path);
  if (collection === 'files') {
    if (id === undefined) {
      if (method === 'POST') return json(toOpenAIFile(await batches.createFile(owner, await readUpload(req))));
      throw wrongMethod(path, 'POST');
    }
    if (sub === 'content') {
      if (method === 'GET') return { status: 200, text: await batches.fileContent(owner, id) };
      throw wrongMethod(path, 'GET');
    }
    if (sub !== undefined) throw unknownRoute(method, path);
    if (method === 'GET') return json(toOpenAIFile(await batches.getFile(owner, id)));
    if (method === 'DELETE') return json(await batches.deleteFile(owner, id));
    throw wrongMethod(path, 'GET, DELETE');
  }
  if (id === undefined) {
    if (method === 'POST') return json(toOpenAIBatch(await batches.createBatch(owner, objectOf(await readJsonBody(req, BATCH_BODY_BYTES)))));
    if (method === 'GET') return json(toOpenAIBatchPage(await batches.listBatches(owner, { after: query.get('after') ?? undefined, limit: query.get('limit') ?? undefined })));
    throw wrongMethod(path, 'GET, POST');
  }
  if (sub === 'cancel') {
    if (method === 'POST') return json(toOpenAIBatch(await batches.cancelBatch(owner, id)));
    throw wrongMethod(path, 'POST');
  }
  if (sub !== undefined) throw unknownRoute(method, path);
  if (method === 'GET') return json(toOpenAIBatch(await batches.getBatch(owner, id)));
  throw wrongMethod(path, 'GET');
}

function toOpenAIBatchPage(page: BatchPage) {
  return { object: 'list' as const, data: page.data.map(toOpenAIBatch), first_id: page.first_id, last_id: page.last_id, has_more: page.has_more };
}

/** A multipart/form-data upload (OpenAI's): the field `purpose` and the part `file`, within the file size limit. */
async function readUpload(req: http.IncomingMessage): Promise<NewFile> {
  const form = await readMultipart(req, { fileField: 'file', fileBytes: BATCH_LIMITS.fileBytes, fields: 8, fieldBytes: 1024, expected: 'with the fields purpose and file' });
  if (!form.file) throw new InvalidFieldError('file', 'is required: the JSONL file, as the part named file');
  return { purpose: form.fields.purpose, filename: form.file.filename || 'upload.jsonl', content: form.file.content };
}

function objectOf(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new GatewayError('invalid_request', 'the request body must be a JSON object');
  return body as Record<string, unknown>;
}

function unknownRoute(method: string, path: string): RouteError {
  return new RouteError(
    404,
    `no route ${method} ${path}; the Files and Batch API serves POST /v1/files, GET and DELETE /v1/files/{id}, GET /v1/files/{id}/content, GET and POST /v1/batches, GET /v1/batches/{id} and POST /v1/batches/{id}/cancel`,
  );
}
