// A local HTTP server that replays recorded provider answers, for adapter tests. A test programs a
// reply per (method, path); the server records every request it receives so the test can assert the
// exact request an adapter translated. Bodies go out in several small TCP writes so that stream parsers
// meet frames split across reads, as they do on real networks. It listens on 127.0.0.1 only.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** The path without its query string. */
  path: string;
  query: Record<string, string>;
  /** Lower-cased header names, repeated headers joined with ", ". */
  headers: Record<string, string>;
  rawBody: string;
  /** The body's bytes, for one that is not text (an audio file). */
  bytes: Buffer;
  /** The body parsed as JSON; undefined when it is empty or not JSON. */
  body: unknown;
}

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string | Uint8Array;
  /** Bytes per TCP write; the body is written whole when absent. */
  chunkSize?: number;
  /** Milliseconds to wait before the status line is written. */
  delayMs?: number;
  /** Destroys the connection after this many body bytes, mid-answer. */
  truncateAfter?: number;
  /** Destroys the connection without answering at all: a reset before the status line. */
  reset?: boolean;
}

export type ReplyInit = Partial<Pick<Reply, 'status' | 'headers' | 'chunkSize' | 'delayMs'>>;

/** Small enough that every event of a typical stream is split across writes. */
const STREAM_CHUNK_SIZE = 11;

/** Constructors for the kinds of answers providers give. */
export const reply = {
  /** A JSON body; status 200 unless given. */
  json(body: unknown, init: ReplyInit = {}): Reply {
    return { status: 200, ...init, headers: { 'content-type': 'application/json', ...init.headers }, body: JSON.stringify(body) };
  },

  /** Raw server-sent-event text, exactly as the provider sends it, in many small writes. */
  sse(text: string, init: ReplyInit = {}): Reply {
    return {
      status: 200,
      chunkSize: STREAM_CHUNK_SIZE,
      ...init,
      headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', ...init.headers },
      body: text,
    };
  },

  /** Raw binary bytes, e.g. an AWS event stream, in many small writes. */
  binary(bytes: Uint8Array, init: ReplyInit = {}): Reply {
    return {
      status: 200,
      chunkSize: STREAM_CHUNK_SIZE,
      ...init,
      headers: { 'content-type': 'application/vnd.amazon.eventstream', ...init.headers },
      body: bytes,
    };
  },

  /** A provider's error: its status, its documented body (JSON unless a string) and headers such as retry-after. */
  error(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    const contentType = typeof body === 'string' ? 'text/plain' : 'application/json';
    return { status, headers: { 'content-type': contentType, ...headers }, body: text };
  },

  /** A 200 that claims to be JSON but is not, as a misbehaving proxy or load balancer sends. */
  notJson(text = '<html><body><h1>502 Bad Gateway</h1></body></html>', init: ReplyInit = {}): Reply {
    return { status: 200, ...init, headers: { 'content-type': 'application/json', ...init.headers }, body: text };
  },

  /** No answer: the connection is reset as soon as the request has arrived. */
  reset(): Reply {
    return { status: 0, headers: {}, body: '', reset: true };
  },

  /** The same reply, answered only after `ms` milliseconds. */
  delayed(base: Reply, ms: number): Reply {
    return { ...base, delayMs: ms };
  },

  /** The same reply, with the connection destroyed after `bytes` body bytes (half the body by default). */
  truncated(base: Reply, bytes?: number): Reply {
    return { ...base, truncateAfter: bytes ?? Math.floor(byteLength(base.body) / 2) };
  },
};

type Programmed = Reply | ((request: RecordedRequest) => Reply);

export class ReplayServer {
  /** Every request received since the last reset, in order. */
  readonly requests: RecordedRequest[] = [];
  private readonly routes = new Map<string, Programmed[]>();
  /** Answers still being written, dropped on reset so that one test's slow answer never reaches the next. */
  private readonly pending = new Set<ServerResponse>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<ReplayServer> {
    const server = createServer();
    const replay = new ReplayServer(server);
    server.on('request', (request, response) => void replay.handle(request, response));
    server.on('connection', (socket) => socket.setNoDelay(true));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return replay;
  }

  /** e.g. http://127.0.0.1:41234, without a trailing slash. */
  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /**
   * Programs the answers to `method path` (path without query). Given several, they are used in turn
   * and the last one repeats.
   */
  on(method: string, path: string, ...replies: Programmed[]): this {
    if (replies.length === 0) throw new Error('ReplayServer.on needs at least one reply');
    this.routes.set(routeKey(method, path), replies);
    return this;
  }

  /** The one request received; fails when there were none or several. */
  onlyRequest(): RecordedRequest {
    if (this.requests.length !== 1) {
      throw new Error(`expected exactly one request, received ${this.requests.length}: ${this.requests.map((r) => `${r.method} ${r.path}`).join(', ')}`);
    }
    return this.requests[0];
  }

  /** Forgets the routes and the recorded requests, and drops any answer still being written. */
  reset(): void {
    this.routes.clear();
    this.requests.length = 0;
    this.dropPending();
  }

  async close(): Promise<void> {
    this.dropPending();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private dropPending(): void {
    for (const response of this.pending) response.destroy();
    this.pending.clear();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', 'http://replay.invalid');
    const bytes = Buffer.concat(chunks);
    const rawBody = bytes.toString('utf8');
    const recorded: RecordedRequest = {
      method: request.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: flattenHeaders(request.headers),
      rawBody,
      bytes,
      body: parseJson(rawBody),
    };
    this.requests.push(recorded);

    const programmed = this.routes.get(routeKey(recorded.method, recorded.path));
    if (!programmed) {
      // A 599 is no provider's status, so a test that forgot a route fails loudly rather than passing.
      const known = [...this.routes.keys()].join(', ') || 'none';
      await this.write(response, reply.error(599, { error: { message: `replay server: no route for ${recorded.method} ${recorded.path} (routes: ${known})` } }));
      return;
    }
    const next = programmed.length > 1 ? programmed.shift()! : programmed[0];
    this.pending.add(response);
    try {
      await this.write(response, typeof next === 'function' ? next(recorded) : next);
    } finally {
      this.pending.delete(response);
    }
  }

  private async write(response: ServerResponse, answer: Reply): Promise<void> {
    if (answer.delayMs) await waitOrClose(response, answer.delayMs);
    if (response.destroyed) return;
    if (answer.reset) {
      response.socket?.resetAndDestroy();
      return;
    }
    const body = typeof answer.body === 'string' ? Buffer.from(answer.body, 'utf8') : Buffer.from(answer.body);
    const headers = { ...answer.headers };
    // A truncated answer announces its full length, so the client knows it was cut rather than finished.
    if (answer.truncateAfter !== undefined || answer.chunkSize === undefined) headers['content-length'] = String(body.length);
    response.writeHead(answer.status, headers);
    response.flushHeaders();
    const end = answer.truncateAfter ?? body.length;
    const step = answer.chunkSize ?? body.length;
    for (let offset = 0; offset < end && !response.destroyed; offset += step) {
      response.write(body.subarray(offset, Math.min(offset + step, end)));
      // Yield to the event loop so each piece leaves as its own TCP segment.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (answer.truncateAfter !== undefined) {
      await new Promise((resolve) => setImmediate(resolve));
      response.socket?.destroy();
      return;
    }
    if (!response.destroyed) response.end();
  }
}

/** Waits `ms`, or less when the connection goes away first (a client that timed out, or a reset). */
function waitOrClose(response: ServerResponse, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      response.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    response.on('close', done);
  });
}

/** A base URL on which nothing listens, for connection-refused tests. */
export async function refusedBaseUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

function routeKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path}`;
}

function flattenHeaders(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function byteLength(body: string | Uint8Array): number {
  return typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.byteLength;
}

/**
 * The parts of a multipart/form-data request by name: each field's value, and a file part's name; values
 * are latin1 text, byte for byte, so a file's bytes compare as `bytes.toString('latin1')`.
 */
export function formFields(request: RecordedRequest): Record<string, { value: string; filename?: string }> {
  const boundary = /boundary=("?)([^";]+)\1/.exec(request.headers['content-type'] ?? '')?.[2];
  if (!boundary) throw new Error(`not a multipart request: content-type ${request.headers['content-type']}`);
  const parts = request.bytes.toString('latin1').split(`--${boundary}`).slice(1, -1);
  const fields: Record<string, { value: string; filename?: string }> = {};
  for (const part of parts) {
    const headerEnd = part.indexOf('\r\n\r\n');
    const head = part.slice(0, headerEnd);
    const name = /name="([^"]*)"/.exec(head)![1];
    const filename = /filename="([^"]*)"/.exec(head)?.[1];
    fields[name] = { value: part.slice(headerEnd + 4, -2), ...(filename !== undefined ? { filename } : {}) };
  }
  return fields;
}
