// The HTTP front door: OpenAI's and Anthropic's wire formats over the same GatewayCore as gRPC, so
// routing, guardrails and metering happen once, in the pipeline. Built on node:http rather than a
// framework: six routes need no router, and node:http gives the direct control over body reading
// (the size limit while bytes arrive), server-sent events and client disconnects that this needs.
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { parseAddress } from '@switchyard/config';
import { GatewayError, InvalidFieldError, type RateLimitStatus, type UsageQuery, type UsageReport } from '@switchyard/contracts';
import type { BatchService } from '@switchyard/batch';
import type { KeyAdmin } from '@switchyard/keys';
import type { Logger } from '@switchyard/telemetry';
import { CACHE_STATUS_HEADER, Cancellation, type CallOptions, type GatewayCore } from '../gateway-core';
import {
  AnthropicStreamEncoder,
  fromAnthropicRequest,
  toAnthropicError,
  toAnthropicMessage,
  toAnthropicModel,
  toAnthropicModelList,
  type AnthropicEvent,
} from './anthropic-format';
import {
  OpenAIChunkEncoder,
  fromOpenAIChatRequest,
  fromOpenAIEmbeddingsRequest,
  toOpenAIChatCompletion,
  toOpenAIEmbeddings,
  toOpenAIError,
  toOpenAIModel,
  toOpenAIModelList,
} from './openai-format';
import { ADMIN_PATH_PREFIX, answerAdmin } from './admin-routes';
import { fromAnalyzeBody, toAnalyzeDoneJson, toAnalyzeJson, toAnalyzeResultJson } from './analyze-format';
import { answerBatch, isBatchPath } from './batch-routes';
import { fromOpenAIModerationsRequest, toOpenAIModerations } from './openai-moderations';
import { fromCohereRerankRequest, toCohereError, toCohereRerank } from './cohere-rerank';
import { readMultipart } from './multipart';
import { fromOpenAITranscriptionForm, toOpenAITranscription, TRANSCRIPTION_FORM, TRANSCRIPTION_FORM_BYTES, TRANSCRIPTION_PATH } from './openai-transcriptions';
import { fromOpenAIImagesRequest, toOpenAIImages } from './openai-images';
import { DASHBOARD_HEADERS, dashboardFile } from './dashboard-files';
import { declaredTooLarge, readJsonBody, tooLarge } from './request-body';
import type { TlsMaterial } from '../tls';
import { RouteError } from './route-error';
import { rateLimitHeaders } from '../rate-limit-headers';

export interface HttpServerOptions {
  /** host:port; port 0 picks a free one. */
  address: string;
  maxRequestBytes: number;
  logger: Logger;
  /** How long stop() lets running requests finish before closing their connections. */
  shutdownGraceMs?: number;
  /** Unset: plain HTTP. */
  tls?: TlsMaterial;
  /** The admin API (/admin/v1), when the gateway has an admin key. */
  admin?: KeyAdmin;
  /** Answers the admin API's usage queries (/admin/v1/usage), from the analytics database. */
  usage?: (query: UsageQuery) => Promise<UsageReport>;
  /** Serves GET /metrics (Prometheus text) from this, as the embedded gateway does; distributed services serve it on a port of their own. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** The Files and Batch API (/v1/files, /v1/batches, docs/batch.md); without it those routes answer 404. */
  batches?: BatchService;
}

export interface RunningHttpServer {
  port: number;
  /** e.g. http://127.0.0.1:8080, or https:// with TLS */
  url: string;
  stop(): Promise<void>;
}

type Format = 'openai' | 'anthropic' | 'cohere';

export async function startHttpServer(core: GatewayCore, options: HttpServerOptions): Promise<RunningHttpServer> {
  const { host, port } = parseAddress(options.address);
  const startedAt = new Date();
  let draining = false;
  const handler = createHandler(core, options, startedAt, () => draining);
  const listener: http.RequestListener = (req, res) =>
    // The handler answers its own failures; this only keeps a fault in it from taking the process down.
    handler(req, res).catch((error) => {
      options.logger.error('HTTP request handler failed', { error });
      if (res.headersSent) res.end();
      else res.writeHead(500).end();
    });
  const { tls } = options;
  const server = tls
    ? https.createServer({ cert: tls.cert, key: tls.key, ca: tls.clientCa, requestCert: tls.clientCa !== undefined, rejectUnauthorized: true }, listener)
    : http.createServer(listener);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    port: bound,
    url: `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    stop: () =>
      new Promise<void>((resolve) => {
        draining = true;
        // Running requests may finish; streams still open after the grace period are cut, which
        // cancels their calls like any other client that goes away.
        const force = setTimeout(() => server.closeAllConnections(), options.shutdownGraceMs ?? 5000);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

function createHandler(core: GatewayCore, options: HttpServerOptions, startedAt: Date, draining: () => boolean) {
  const { logger, maxRequestBytes } = options;
  const createdSeconds = Math.floor(startedAt.getTime() / 1000);

  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = withoutTrailingSlashes(queryStart < 0 ? url : url.slice(0, queryStart));
    const format = formatOf(path, req);
    // The caller going away (closing the connection before the whole answer was written) cancels the
    // call: GatewayCore broadcasts the cancellation so the provider-worker stops the upstream request,
    // or, when the answer was already being written, records that it was not delivered. A connection
    // that fails while the answer is written still reports the response finished (node 20): its
    // socket's error is what tells.
    const cancellation = new Cancellation();
    res.on('close', () => {
      if (!res.writableFinished || req.socket.errored) cancellation.cancel();
    });
    const call: CallOptions = {
      credential: credentialOf(req),
      cancellation,
      cacheControl: req.headers['cache-control'],
      // Told before anything of the answer is written, so it goes out with the status line.
      onCache: (status) => res.setHeader(CACHE_STATUS_HEADER, status),
    };
    const created = Math.floor(Date.now() / 1000);

    try {
      if (options.metrics && path === '/metrics' && req.method === 'GET') {
        const { contentType, body } = await options.metrics();
        res.writeHead(200, { 'content-type': contentType }).end(body);
        return;
      }
      const dashboard = req.method === 'GET' ? dashboardFile(path) : undefined;
      if (dashboard) {
        res.writeHead(200, { 'content-type': dashboard.contentType, 'content-length': dashboard.body.length, ...DASHBOARD_HEADERS }).end(dashboard.body);
        return;
      }
      if (path.startsWith(ADMIN_PATH_PREFIX)) {
        const admin = options.admin && { keys: options.admin, usage: options.usage };
        const answer = await answerAdmin(req, core, admin, path, new URLSearchParams(queryStart < 0 ? '' : url.slice(queryStart + 1)), call.credential);
        return sendJson(res, answer.status, answer.body);
      }
      if (isBatchPath(path)) {
        const answer = await answerBatch(req, core, options.batches, path, new URLSearchParams(queryStart < 0 ? '' : url.slice(queryStart + 1)), call.credential);
        if ('text' in answer) {
          res.writeHead(answer.status, { 'content-type': 'application/jsonl; charset=utf-8', 'content-length': Buffer.byteLength(answer.text) }).end(answer.text);
          return;
        }
        return sendJson(res, answer.status, answer.body);
      }
      if (path.startsWith(MODEL_PATH_PREFIX) && req.method === 'GET') {
        // The id is the rest of the path: gateway model ids may hold slashes, and SDKs do not escape them.
        core.authenticate(call.credential);
        const model = core.getModel(modelIdOf(path), call);
        return sendJson(res, 200, format === 'anthropic' ? toAnthropicModel(model, startedAt.toISOString()) : toOpenAIModel(model, createdSeconds));
      }
      switch (`${req.method} ${path}`) {
        case 'GET /healthz':
          return sendJson(res, 200, { status: 'ok' });
        case 'GET /readyz':
          return core.ready && !draining()
            ? sendJson(res, 200, { status: 'ready' })
            : sendJson(res, 503, { status: 'not ready', reason: draining() ? 'the HTTP server is shutting down' : 'the gateway core is not running' });
        case 'GET /v1/models': {
          const models = core.listModels(call);
          return sendJson(res, 200, format === 'anthropic' ? toAnthropicModelList(models, startedAt.toISOString()) : toOpenAIModelList(models, createdSeconds));
        }
        case 'POST /v1/chat/completions': {
          const { request, stream, includeUsage } = fromOpenAIChatRequest(await readRequest(req, core, call, maxRequestBytes));
          if (!stream) return sendJson(res, 200, toOpenAIChatCompletion(await core.chat(request, call), created), rateLimitHeaders(call.rateLimit));
          const encoder = new OpenAIChunkEncoder(includeUsage, created);
          const events = new EventStream(res, call);
          const completed = await streamOrFail(events, format, cancellation, () =>
            core.chatStream(request, (chunk) => encoder.encode(chunk).forEach((data) => events.send({ data })), call),
          );
          if (completed) events.end('data: [DONE]\n\n');
          return;
        }
        case 'POST /v1/embeddings': {
          const { request, encoding } = fromOpenAIEmbeddingsRequest(await readRequest(req, core, call, maxRequestBytes));
          return sendJson(res, 200, toOpenAIEmbeddings(await core.embed(request, call), encoding), rateLimitHeaders(call.rateLimit));
        }
        case 'POST /v1/moderations': {
          const request = fromOpenAIModerationsRequest(await readRequest(req, core, call, maxRequestBytes));
          return sendJson(res, 200, toOpenAIModerations(await core.moderate(request, call)), rateLimitHeaders(call.rateLimit));
        }
        case 'POST /v1/images/generations': {
          const request = fromOpenAIImagesRequest(await readRequest(req, core, call, maxRequestBytes));
          return sendJson(res, 200, toOpenAIImages(await core.generateImage(request, call)), rateLimitHeaders(call.rateLimit));
        }
        case `POST ${TRANSCRIPTION_PATH}`: {
          core.authenticate(call.credential);
          if (declaredTooLarge(req, TRANSCRIPTION_FORM_BYTES)) throw tooLarge(TRANSCRIPTION_FORM_BYTES);
          const request = fromOpenAITranscriptionForm(await readMultipart(req, TRANSCRIPTION_FORM));
          const { contentType, body } = toOpenAITranscription(await core.transcribe(request, call), request.response_format);
          res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...rateLimitHeaders(call.rateLimit) }).end(body);
          return;
        }
        case 'POST /v1/rerank': {
          const request = fromCohereRerankRequest(await readRequest(req, core, call, maxRequestBytes));
          return sendJson(res, 200, toCohereRerank(await core.rerank(request, call)), rateLimitHeaders(call.rateLimit));
        }
        case 'POST /v1/messages': {
          const { request, stream } = fromAnthropicRequest(await readRequest(req, core, call, maxRequestBytes));
          if (!stream) return sendJson(res, 200, toAnthropicMessage(await core.chat(request, call)), rateLimitHeaders(call.rateLimit));
          const encoder = new AnthropicStreamEncoder();
          const events = new EventStream(res, call);
          const completed = await streamOrFail(events, format, cancellation, () =>
            core.chatStream(request, (chunk) => encoder.encode(chunk).forEach((event) => events.send(event)), call),
          );
          if (completed) events.end();
          return;
        }
        case 'POST /v1/analyze': {
          const { request, stream } = fromAnalyzeBody(await readRequest(req, core, call, maxRequestBytes));
          if (!stream) return sendJson(res, 200, toAnalyzeJson(await core.analyze(request, call)), rateLimitHeaders(call.rateLimit));
          const events = new EventStream(res, call);
          const completed = await streamOrFail(events, format, cancellation, async () => {
            const response = await core.analyze(request, call, (result) => events.send({ event: 'result', data: toAnalyzeResultJson(result) }));
            events.send({ event: 'done', data: toAnalyzeDoneJson(response) });
          });
          if (completed) events.end();
          return;
        }
        default:
          return sendError(res, format, routeError(req.method ?? '', path));
      }
    } catch (error) {
      if (cancellation.cancelled) return;
      const tooDeep = overflowedStack(error);
      if (!(error instanceof GatewayError) && !tooDeep) logger.error('unexpected failure in an HTTP request', { path, error });
      const failure = tooDeep ? new GatewayError('invalid_request', 'the request body is nested too deeply (thousands of levels) to be read') : GatewayError.from(error);
      sendError(res, format, failure, call.rateLimit);
      if (failure.code === 'request_too_large') discardRest(req);
    }
  };
}

/**
 * The gateway key is checked before the body is read, so that a caller without one cannot make the
 * gateway take in megabytes; GatewayCore holds the one implementation of the check.
 */
async function readRequest(req: http.IncomingMessage, core: GatewayCore, call: CallOptions, limit: number): Promise<unknown> {
  core.authenticate(call.credential);
  if (declaredTooLarge(req, limit)) throw tooLarge(limit);
  return readJsonBody(req, limit);
}

/**
 * Runs a streamed call and says whether it completed. A failure before the first event is thrown, to
 * be answered with its status; a later one ends the stream with the format's error event.
 */
async function streamOrFail(events: EventStream, format: Format, cancellation: Cancellation, run: () => Promise<void>): Promise<boolean> {
  try {
    await run();
    return true;
  } catch (error) {
    if (cancellation.cancelled || !events.started) throw error;
    const failure = GatewayError.from(error);
    if (format === 'anthropic') events.send({ event: 'error', data: toAnthropicError(failure) });
    else events.send({ data: toOpenAIError(failure) });
    events.end();
    return false;
  }
}

/** Server-sent events; the 200 and its headers go out with the first event, so earlier failures can still be an error status. */
class EventStream {
  started = false;

  constructor(
    private readonly res: http.ServerResponse,
    private readonly call: CallOptions,
  ) {}

  send(event: { event?: string; data: object } | AnthropicEvent): void {
    this.start();
    // No back-pressure to apply: the pipeline produces at the provider's pace, and node buffers a slow reader.
    this.res.write(`${event.event ? `event: ${event.event}\n` : ''}data: ${JSON.stringify(event.data)}\n\n`);
  }

  end(last?: string): void {
    this.start();
    this.res.end(last);
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    // x-accel-buffering: proxies such as nginx would otherwise hold events back.
    this.res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no', ...rateLimitHeaders(this.call.rateLimit) });
  }
}

/** Whose error shape a route answers in; shared routes follow the SDK that calls them (Anthropic's sends anthropic-version). */
function formatOf(path: string, req: http.IncomingMessage): Format {
  if (path === '/v1/messages') return 'anthropic';
  if (path === '/v1/rerank') return 'cohere';
  if (path === '/v1/chat/completions' || path === '/v1/embeddings' || path === '/v1/moderations' || path === '/v1/images/generations' || path === TRANSCRIPTION_PATH) return 'openai';
  return req.headers['anthropic-version'] !== undefined ? 'anthropic' : 'openai';
}

/**
 * JSON nested thousands of levels deep (a tool's parameters, a response schema) parses, but writing it
 * back as text, as the request's conversion does, overflows the stack: the caller's input, not a fault.
 */
function overflowedStack(error: unknown): boolean {
  return error instanceof RangeError && error.message.includes('call stack');
}

/**
 * `/v1/models/` is `/v1/models`; `/` stays `/`. A loop, not `/\/+$/`: that pattern is tried again from
 * each slash of a run, quadratic in its length (0.3 s of the event loop for a 16 KB path of slashes).
 */
function withoutTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 0x2f) end--;
  return end === 0 ? '/' : path.slice(0, end);
}

function credentialOf(req: http.IncomingMessage): string | undefined {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (bearer) return bearer[1];
  const apiKey = req.headers['x-api-key'];
  return typeof apiKey === 'string' && apiKey ? apiKey : undefined;
}

const MODEL_PATH_PREFIX = '/v1/models/';

/** The model id of a /v1/models/{model} path; invalid_request when its percent-encoding is broken. */
function modelIdOf(path: string): string {
  try {
    return decodeURIComponent(path.slice(MODEL_PATH_PREFIX.length));
  } catch {
    throw new InvalidFieldError('model', 'in the path is not valid percent-encoding');
  }
}

const ROUTES: Record<string, string> = {
  '/healthz': 'GET',
  '/dashboard': 'GET',
  '/readyz': 'GET',
  '/v1/models': 'GET',
  '/v1/models/{model}': 'GET',
  '/v1/chat/completions': 'POST',
  '/v1/embeddings': 'POST',
  '/v1/moderations': 'POST',
  '/v1/rerank': 'POST',
  [TRANSCRIPTION_PATH]: 'POST',
  '/v1/images/generations': 'POST',
  '/v1/messages': 'POST',
  '/v1/analyze': 'POST',
  '/v1/files': 'POST',
  '/v1/batches': 'GET, POST',
};

function routeError(method: string, path: string): RouteError {
  const allowed = ROUTES[path] ?? (path.startsWith(MODEL_PATH_PREFIX) ? ROUTES['/v1/models/{model}'] : undefined);
  if (allowed) return new RouteError(405, `${path} takes ${allowed}, not ${method}`, allowed);
  return new RouteError(404, `no route ${method} ${path}; this gateway serves ${Object.entries(ROUTES).map(([route, verb]) => `${verb} ${route}`).join(', ')}`);
}

/**
 * After a 413, reads and throws away whatever the client is still uploading, for a few seconds at most.
 * Closing at once would reset the connection under a client that is mid-upload, and it would report a
 * network error instead of the 413.
 */
function discardRest(req: http.IncomingMessage): void {
  const socket = req.socket;
  const giveUp = setTimeout(() => socket.destroy(), DISCARD_MS);
  // The request object is detached once its response is sent, so the end of the upload or of the
  // connection is what ends the wait.
  const done = () => {
    clearTimeout(giveUp);
    socket.off('close', done);
  };
  req.once('end', done);
  socket.once('close', done);
  req.on('data', () => undefined);
  req.resume();
}

const DISCARD_MS = 5000;

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
}

function sendError(res: http.ServerResponse, format: Format, error: GatewayError, rateLimit?: RateLimitStatus): void {
  // A response already under way cannot change its status; ending it is all that is left.
  if (res.headersSent) {
    res.end();
    return;
  }
  const headers: http.OutgoingHttpHeaders = rateLimitHeaders(rateLimit);
  if (error.retryAfterMs !== undefined) {
    headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
    headers['retry-after-ms'] = String(Math.round(error.retryAfterMs));
  }
  if (error.code === 'unauthenticated') headers['www-authenticate'] = 'Bearer';
  if (error instanceof RouteError && error.allow) headers.allow = error.allow;
  sendJson(res, error.httpStatus, format === 'anthropic' ? toAnthropicError(error) : format === 'cohere' ? toCohereError(error) : toOpenAIError(error), headers);
}
