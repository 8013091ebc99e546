// The HTTP side of adapters, shared: JSON calls, server-sent-event streams, and the mapping of every
// way a provider call can fail onto the documented gateway error codes.
import { EventSourceParserStream, type EventSourceMessage } from 'eventsource-parser/stream';
import { GatewayError, type ErrorCode } from '@switchyard/contracts';

export interface HttpCall {
  provider: string;
  url: string;
  headers: Record<string, string>;
  body?: unknown;
  method?: 'POST' | 'GET';
  signal: AbortSignal;
  /** Credentials to scrub from any message that could reach a caller or a log. */
  secrets?: string[];
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

export async function sendJson<T>(call: HttpCall): Promise<T> {
  const response = await send(call);
  let text: string;
  try {
    text = await response.text();
  } catch (error) {
    throw transportError(call, error);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new GatewayError('provider_bad_response', `${call.provider} returned a body that is not JSON: ${scrub(text.slice(0, 200), call.secrets)}`);
  }
}

/** The server-sent events of a streamed response, in order. */
export async function* sendForEvents(call: HttpCall): AsyncGenerator<EventSourceMessage> {
  const response = await send(call);
  if (!response.body) throw new GatewayError('provider_bad_response', `${call.provider} returned no stream body`);
  const events = response.body.pipeThrough(new TextDecoderStream()).pipeThrough(new EventSourceParserStream());
  const reader = events.getReader();
  let done = false;
  try {
    for (;;) {
      let next: Awaited<ReturnType<typeof reader.read>>;
      try {
        next = await reader.read();
      } catch (error) {
        done = true;
        throw transportError(call, error);
      }
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    // A consumer that stops early must close the upstream connection, or the provider keeps generating
    // (and billing). The body is locked by the pipes, so the cancel goes through the reader.
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
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
  const message = scrub(extractProviderMessage(text) || response.statusText || 'no message', call.secrets);
  return new GatewayError(statusToErrorCode(response.status), `${call.provider} returned ${response.status}: ${message}`, {
    providerStatus: response.status,
    retryAfterMs: parseRetryAfter(response.headers) ?? parseRetryInfo(text),
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

export function transportError(call: Pick<HttpCall, 'provider' | 'signal' | 'secrets'>, error: unknown): GatewayError {
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
    return new GatewayError('provider_bad_response', `${call.provider} closed the connection mid-answer (${scrub(detail, call.secrets)})`);
  }
  return new GatewayError('provider_unavailable', `${call.provider} could not be reached: ${scrub(detail, call.secrets)}`);
}

/** Removes credentials from text; a key is never shown, even in part. */
export function scrub(text: string, secrets: string[] = []): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join('[REDACTED]');
  return out;
}
