// A batch's input file: OpenAI's JSONL, one request a line ({custom_id, method, url, body}). Read and
// checked whole at upload, so that a file the gateway took is one it can run; a refusal names the line.
import { GatewayError, InvalidFieldError } from '@switchyard/contracts';

/** The endpoints a batch may run, as OpenAI names them. */
export const BATCH_ENDPOINTS = ['/v1/chat/completions', '/v1/embeddings'] as const;
export type BatchEndpoint = (typeof BATCH_ENDPOINTS)[number];

/** The bounds of files and batches (docs/batch.md). */
export const BATCH_LIMITS = {
  /** An uploaded file, in bytes. The file is held in the database, so the bound is well below OpenAI's 200 MB. */
  fileBytes: 50 * 1024 * 1024,
  /** Requests (lines) in one file, as OpenAI allows. */
  lines: 50_000,
  /** A custom_id, in characters. */
  customIdChars: 512,
  /** A filename, in characters. */
  filenameChars: 256,
  /** Batches one page of GET /v1/batches holds, at most (OpenAI's bound), and by default. */
  pageMax: 100,
  pageDefault: 20,
  /** metadata on a batch: OpenAI's 16 pairs, keys up to 64 and values up to 512 characters. */
  metadataPairs: 16,
  metadataKeyChars: 64,
  metadataValueChars: 512,
} as const;

/** The only completion window, as OpenAI offers: the batch expires 24 hours after it is made. */
export const COMPLETION_WINDOW = '24h';
export const COMPLETION_WINDOW_MS = 24 * 60 * 60 * 1000;

/** One request of a batch's input file. */
export interface BatchInputLine {
  /** From 1, as an editor numbers the file's lines. */
  line: number;
  custom_id: string;
  url: BatchEndpoint;
  body: Record<string, unknown>;
}

/**
 * Checks a request's body for its endpoint the way the front door does (the ingress passes its own
 * check), so a line that the front door would refuse is refused at upload.
 */
export type BodyCheck = (url: BatchEndpoint, body: Record<string, unknown>) => void;

/**
 * The requests of an input file; invalid_request naming the line and field of the first problem: not
 * JSON, a missing or repeated custom_id, a method other than POST, an endpoint a batch cannot run, a
 * body its endpoint refuses, or two endpoints in one file (a batch runs one). Blank lines are skipped.
 */
export function parseBatchInput(content: string, checkBody: BodyCheck): BatchInputLine[] {
  const lines: BatchInputLine[] = [];
  const seen = new Set<string>();
  const texts = content.split('\n');
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i].trim();
    if (text === '') continue;
    const number = i + 1;
    const refuse = (message: string) => new GatewayError('invalid_request', `line ${number}: ${message}`, { param: `line ${number}` });
    if (lines.length === BATCH_LIMITS.lines) throw refuse(`the file holds more than ${BATCH_LIMITS.lines} requests, the most one batch runs`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw refuse(`not valid JSON (${(error as Error).message})`);
    }
    if (!isObject(value)) throw refuse('a request line must be a JSON object with custom_id, method, url and body');
    const { custom_id, method, url, body } = value;
    if (typeof custom_id !== 'string' || custom_id.length === 0) throw refuse('custom_id must be a non-empty string');
    if (custom_id.length > BATCH_LIMITS.customIdChars) throw refuse(`custom_id is longer than ${BATCH_LIMITS.customIdChars} characters`);
    if (seen.has(custom_id)) throw refuse(`custom_id ${JSON.stringify(custom_id)} is used by an earlier line; each request needs its own`);
    if (method !== 'POST') throw refuse(`method must be "POST", not ${JSON.stringify(method)}`);
    if (!isEndpoint(url)) throw refuse(`url must be one of ${BATCH_ENDPOINTS.join(', ')}, not ${JSON.stringify(url)}`);
    if (lines.length > 0 && url !== lines[0].url) throw refuse(`url ${url} differs from line ${lines[0].line}'s ${lines[0].url}; a batch runs one endpoint`);
    if (!isObject(body)) throw refuse('body must be a JSON object, the request as its endpoint takes it');
    if (body.stream === true) throw refuse('body.stream must not be true: a batch answers each request whole');
    try {
      checkBody(url, body);
    } catch (error) {
      throw refuse(`body: ${(error as Error).message}`);
    }
    seen.add(custom_id);
    lines.push({ line: number, custom_id, url, body });
  }
  if (lines.length === 0) throw new GatewayError('invalid_request', 'the file holds no requests; a batch file has one JSON request a line');
  return lines;
}

export function isEndpoint(value: unknown): value is BatchEndpoint {
  return (BATCH_ENDPOINTS as readonly unknown[]).includes(value);
}

/** A batch's metadata: at most 16 string pairs, as OpenAI bounds it. */
export function parseBatchMetadata(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isObject(value)) throw new InvalidFieldError('metadata', 'must be an object of strings');
  const entries = Object.entries(value);
  if (entries.length > BATCH_LIMITS.metadataPairs) throw new InvalidFieldError('metadata', `holds ${entries.length} pairs; at most ${BATCH_LIMITS.metadataPairs} are accepted`);
  for (const [key, text] of entries) {
    if (key.length > BATCH_LIMITS.metadataKeyChars) throw new InvalidFieldError('metadata', `key ${JSON.stringify(key.slice(0, 20))}... is longer than ${BATCH_LIMITS.metadataKeyChars} characters`);
    if (typeof text !== 'string') throw new InvalidFieldError(`metadata.${key}`, 'must be a string');
    if (text.length > BATCH_LIMITS.metadataValueChars) throw new InvalidFieldError(`metadata.${key}`, `is longer than ${BATCH_LIMITS.metadataValueChars} characters`);
  }
  return value as Record<string, string>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
