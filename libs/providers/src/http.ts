// The HTTP side of adapters, shared: JSON calls, server-sent-event streams, and the mapping of every
// way a provider call can fail onto the documented gateway error codes. Messages quote what the provider
// sent as it is: credentials are hidden where errors leave an adapter (see credentials.ts).
import * as http from 'node:http';
import * as https from 'node:https';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import { GatewayError, type ErrorCode } from '@switchyard/contracts';

export interface HttpCall {
  provider: string;
  url: string;
  headers: Record<string, string>;
  /** JSON unless bytes, which go as they are under the content-type the headers give (an audio file, a multipart form). */
  body?: unknown;
  method?: 'POST' | 'GET';
  signal: AbortSignal;
}

/** Sends the request and returns the response when its status is 2xx; throws a GatewayError otherwise. */
export async function send(call: HttpCall): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(call.url, {
      method: call.method ?? 'POST',
      headers: call.body === undefined ? call.headers : { 'content-type': 'application/json', ...call.headers },
      body: call.body === undefined ? undefined : typeof call.body === 'string' ? call.body : JSON.stringify(call.body),
      signal: call.signal,
    });
  } catch (error) {
    throw transportError(call, error);
  }
  if (!response.ok) throw await httpStatusError(call, response);
  return response;
}

// The calls of every adapter go through node:http(s) over kept-alive connections: about 0.07 ms of
// CPU a call, where fetch (undici behind WHATWG streams, Headers and AbortSignals) took about 0.5 ms,
// a fifth of the embedded gateway's CPU per request (see BENCHMARKS.md).
const agents: Record<string, http.Agent> = {
  'http:': new http.Agent({ keepAlive: true, scheduling: 'lifo' }),
  'https:': new https.Agent({ keepAlive: true, scheduling: 'lifo' }),
};

interface Target {
  protocol: string;
  hostname: string;
  port: string;
  path: string;
  auth?: string;
}

// Where a provider URL points, parsed once: a call site sees only a few URLs (one per provider and
// operation, or per model where the model is in the path), and parsing one took ~1% of the embedded
// gateway's CPU at 500 requests/s. Cleared when full, should a provider's URLs be many.
const targets = new Map<string, Target>();

function targetOf(address: string): Target {
  let target = targets.get(address);
  if (!target) {
    const url = new URL(address);
    // hostname keeps an IPv6 literal's brackets, which http.request does not take.
    target = { protocol: url.protocol, hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: url.port, path: url.pathname + url.search };
    if (url.username || url.password) target.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    if (targets.size >= 1024) targets.clear();
    targets.set(address, target);
  }
  return target;
}

/** Sends the request; resolves with the response once its head has arrived, whatever its status. */
function open(call: HttpCall, retryStaleConnection = true): Promise<http.IncomingMessage> {
  const target = targetOf(call.url);
  const body = call.body === undefined || call.body instanceof Uint8Array ? call.body : typeof call.body === 'string' ? call.body : JSON.stringify(call.body);
  const headers: http.OutgoingHttpHeaders = body === undefined ? call.headers : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...call.headers };
  return new Promise((resolve, reject) => {
    if (call.signal.aborted) return reject(transportError(call, call.signal.reason));
    const request = (target.protocol === 'https:' ? https : http).request({ ...target, method: call.method ?? 'POST', headers, agent: agents[target.protocol] }, resolve);
    // The signal is followed here rather than given to http.request, which would also watch the request's
    // end with a stream-finished helper: a listener for the life of the call and one call to remove it.
    const onAbort = () => request.destroy(call.signal.reason);
    call.signal.addEventListener('abort', onAbort, { once: true });
    request.once('close', () => call.signal.removeEventListener('abort', onAbort));
    request.on('error', (error: NodeJS.ErrnoException) => {
      // A kept-alive connection the provider closed while it sat idle fails as soon as it is used, before
      // any answer: the request is sent once more, on a new connection.
      if (retryStaleConnection && request.reusedSocket && error.code === 'ECONNRESET' && !call.signal.aborted) resolve(open(call, false));
      else reject(transportError(call, error));
    });
    request.end(body);
  });
}

const succeeded = (response: http.IncomingMessage) => response.statusCode! >= 200 && response.statusCode! < 300;

/** A body that stops before its end: the provider (or the network) dropped the connection mid-answer. */
function midAnswerError(call: HttpCall, error: unknown): GatewayError {
  if (call.signal.aborted) return transportError(call, error);
  return new GatewayError('provider_bad_response', `${call.provider} closed the connection mid-answer (${(error as Error).message})`);
}

function readText(call: HttpCall, response: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', (error) => reject(midAnswerError(call, error)));
  });
}

function statusErrorOf(call: HttpCall, response: http.IncomingMessage, text: string): GatewayError {
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers)) if (typeof value === 'string') headers.set(name, value);
  return statusError(call, response.statusCode!, response.statusMessage ?? '', headers, text);
}

export async function sendJson<T>(call: HttpCall): Promise<T> {
  const response = await open(call);
  const text = await readText(call, response);
  if (!succeeded(response)) throw statusErrorOf(call, response, text);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new GatewayError('provider_bad_response', `${call.provider} returned a body that is not JSON: ${text.slice(0, 200)}`);
  }
}

/** The server-sent events of a streamed response, in order. */
export async function* sendForEvents(call: HttpCall): AsyncGenerator<EventSourceMessage> {
  const response = await open(call);
  if (!succeeded(response)) throw statusErrorOf(call, response, await readText(call, response));
  const parsed: EventSourceMessage[] = [];
  const parser = createParser({ onEvent: (event) => parsed.push(event) });
  response.setEncoding('utf8');
  try {
    for await (const text of response) {
      parser.feed(text as string);
      while (parsed.length > 0) yield parsed.shift()!;
    }
  } catch (error) {
    throw midAnswerError(call, error);
  } finally {
    // A consumer that stops early must close the upstream connection, or the provider keeps generating
    // (and billing); a connection left mid-answer cannot go back to the pool either.
    if (!response.complete) response.destroy();
  }
}

/** Parses one event's JSON data, failing with provider_bad_response when it is not JSON. */
export function parseEventJson<T>(provider: string, data: string): T {
  try {
    return JSON.parse(data) as T;
  } catch {
    throw new GatewayError('provider_bad_response', `${provider} sent a stream event that is not JSON: ${data.slice(0, 200)}`);
  }
}

export function statusToErrorCode(status: number): ErrorCode {
  if (status === 400 || status === 404 || status === 413 || status === 422) return 'provider_invalid_request';
  if (status === 401 || status === 403) return 'provider_auth_failed';
  if (status === 408 || status === 504) return 'provider_timeout';
  if (status === 429) return 'provider_rate_limited';
  return 'provider_unavailable';
}

async function httpStatusError(call: HttpCall, response: Response): Promise<GatewayError> {
  const text = await response.text().catch(() => '');
  return statusError(call, response.status, response.statusText, response.headers, text);
}

function statusError(call: HttpCall, status: number, statusText: string, headers: Headers, text: string): GatewayError {
  const message = extractProviderMessage(text) || statusText || 'no message';
  return new GatewayError(statusToErrorCode(status), `${call.provider} returned ${status}: ${message}`, {
    providerStatus: status,
    retryAfterMs: parseRetryAfter(headers) ?? parseRetryInfo(text),
  });
}

/** The human message inside the error bodies providers send (OpenAI, Anthropic, Google, Cohere...). */
export function extractProviderMessage(text: string): string {
  try {
    const body = JSON.parse(text) as Record<string, unknown>;
    const error = body.error as Record<string, unknown> | string | undefined;
    if (typeof error === 'string') return error;
    if (error && typeof error.message === 'string') return error.message;
    if (typeof body.message === 'string') return body.message;
    if (typeof body.Message === 'string') return body.Message;
    // Deepgram's: { err_code, err_msg, request_id }.
    if (typeof body.err_msg === 'string') return body.err_msg;
    // FastAPI validation errors (vLLM, and Mistral's 422 wraps them in `message`): { detail: string | [{ loc, msg }] }.
    const detail = validationDetail(body.detail) ?? validationDetail((body.message as Record<string, unknown> | undefined)?.detail);
    if (detail) return detail;
  } catch {
    // Not JSON: the text itself is the message.
  }
  return text.slice(0, 500);
}

function validationDetail(detail: unknown): string | undefined {
  if (typeof detail === 'string') return detail;
  if (!Array.isArray(detail) || detail.length === 0) return undefined;
  return detail
    .map((item: { loc?: unknown[]; msg?: string }) => (Array.isArray(item.loc) ? `${item.loc.join('.')}: ${item.msg}` : String(item.msg)))
    .join('; ');
}

/** Retry-After in seconds or as an HTTP date, and the retry-after-ms some providers add. */
export function parseRetryAfter(headers: Headers): number | undefined {
  const ms = headers.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * The delay of a google.rpc.RetryInfo detail in Google's error model, which Gemini sends on a 429
 * instead of a Retry-After header: {"error":{"details":[{"@type":".../google.rpc.RetryInfo","retryDelay":"37s"}]}}.
 * retryDelay is a protobuf Duration in JSON form: seconds, possibly fractional, suffixed with "s".
 */
export function parseRetryInfo(text: string): number | undefined {
  let details: unknown;
  try {
    details = (JSON.parse(text) as { error?: { details?: unknown } } | null)?.error?.details;
  } catch {
    return undefined;
  }
  if (!Array.isArray(details)) return undefined;
  for (const detail of details as { '@type'?: unknown; retryDelay?: unknown }[]) {
    if (typeof detail?.['@type'] !== 'string' || !detail['@type'].endsWith('google.rpc.RetryInfo')) continue;
    const match = typeof detail.retryDelay === 'string' ? /^(\d+(?:\.\d+)?)s$/.exec(detail.retryDelay) : null;
    if (match) return Math.round(Number(match[1]) * 1000);
  }
  return undefined;
}

export function transportError(call: Pick<HttpCall, 'provider' | 'signal'>, error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  if (call.signal.aborted) {
    const reason = call.signal.reason;
    if (reason instanceof GatewayError) return reason;
    if (reason instanceof DOMException && reason.name === 'TimeoutError') {
      return new GatewayError('provider_timeout', `${call.provider} did not answer before the deadline`);
    }
    return new GatewayError('cancelled', `the call to ${call.provider} was cancelled`);
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  const detail = cause?.code ?? cause?.message ?? (error as Error).message;
  if (cause?.code === 'UND_ERR_HEADERS_TIMEOUT' || cause?.code === 'UND_ERR_BODY_TIMEOUT') {
    return new GatewayError('provider_timeout', `${call.provider} timed out (${detail})`);
  }
  if (cause?.code === 'UND_ERR_SOCKET' || (error as Error).message === 'terminated') {
    return new GatewayError('provider_bad_response', `${call.provider} closed the connection mid-answer (${detail})`);
  }
  return new GatewayError('provider_unavailable', `${call.provider} could not be reached: ${detail}`);
}
