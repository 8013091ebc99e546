// A local server that answers as OpenAI's chat completions API does (JSON, and server-sent events
// ending in `data: [DONE]`), for end-to-end tests through the whole gateway. A stream can be held open
// after its first chunk until the test releases it, which proves chunks reach the caller as they are
// produced rather than when the provider finishes. Answers can be held too, until the test has seen how
// many requests are in flight at once: a count, not a time, tells calls made in parallel.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OpenAIUpstream {
  baseUrl: string;
  /** answered: the whole answer was written; false while it is, or if the caller went first. */
  requests: { path: string; body: Record<string, unknown>; authorization?: string; at: number; answered: boolean; endedAt?: number }[];
  /** Requests received and not yet answered (or given up by their caller). */
  inFlight(): number;
  /** Lets streams that are waiting after their first chunk, and held answers, finish. */
  release(): void;
  close(): Promise<void>;
}

/**
 * holdStreams, holdAnswers (unstreamed): see release(). latencyMs: how long each answer takes, and each
 * streamed chunk after the first. answer: the answer's text for the last message's (by default
 * `upstream says: <it>`).
 */
export async function startOpenAIUpstream(options: { holdStreams?: boolean; holdAnswers?: boolean; latencyMs?: number; answer?: (last: string) => string } = {}): Promise<OpenAIUpstream> {
  const pause = () => new Promise((resolve) => setTimeout(resolve, options.latencyMs ?? 0));
  const requests: OpenAIUpstream['requests'] = [];
  let releaseAll: () => void = () => undefined;
  let released = new Promise<void>((resolve) => (releaseAll = resolve));
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (data) => (raw += data));
    req.on('end', async () => {
      const body = JSON.parse(raw || '{}') as Record<string, unknown>;
      const request = { path: req.url ?? '', body, authorization: req.headers.authorization, at: Date.now(), answered: false, endedAt: undefined as number | undefined };
      requests.push(request);
      res.on('finish', () => Object.assign(request, { answered: true, endedAt: Date.now() }));
      res.on('close', () => (request.endedAt ??= Date.now()));
      const messages = (body.messages as { role: string; content: string }[]) ?? [];
      const last = messages[messages.length - 1]?.content ?? '';
      const text = options.answer ? options.answer(last) : `upstream says: ${last}`;
      const usage = { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18, prompt_tokens_details: { cached_tokens: 2 } };
      const base = { id: 'chatcmpl-e2e', created: 1_700_000_000, model: body.model };
      if (!body.stream) {
        if (options.holdAnswers) await released;
        await pause();
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ...base, object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }], usage }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const send = (chunk: unknown) => res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      const chunk = (delta: unknown, finish: string | null = null) => ({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish }] });
      send(chunk({ role: 'assistant', content: text.slice(0, 8) }));
      if (options.holdStreams) await released;
      await pause();
      send(chunk({ content: text.slice(8) }));
      send(chunk({}, 'stop'));
      send({ ...base, object: 'chat.completion.chunk', choices: [], usage });
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    inFlight: () => requests.filter((request) => request.endedAt === undefined).length,
    release: () => {
      releaseAll();
      released = Promise.resolve();
    },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
