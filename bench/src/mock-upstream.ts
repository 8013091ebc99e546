// The upstream every gateway under test calls: a node:http server speaking OpenAI's chat completions
// wire format, JSON and server-sent events. The caller picks the think time per request by writing
// `delay_ms=<n>` in its last message; the load generator knows each request's delay and subtracts it,
// so added latency is exact per request even when delays vary (20-60 ms for capacity runs). Gateways
// forward message text untouched, so this works through every one of them.
// Runs as its own process: `node --import tsx bench/src/mock-upstream.ts` with MOCK_PORT set.
import * as http from 'node:http';
import { DELAY_PATTERN, MOCK_REPLY_WORDS } from './mock-protocol';

const usage = { prompt_tokens: 24, completion_tokens: 6, total_tokens: 30 };

function handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string): void {
  if (req.method === 'GET') {
    // /v1/models, and any health probe a gateway makes.
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: 'gpt-bench', object: 'model', owned_by: 'bench' }] }));
    return;
  }
  let body: { model?: string; stream?: boolean; stream_options?: { include_usage?: boolean }; messages?: { content?: unknown }[] };
  try {
    body = JSON.parse(raw);
  } catch {
    res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"body is not JSON","type":"invalid_request_error"}}');
    return;
  }
  const last = body.messages?.[body.messages.length - 1]?.content;
  const delayMs = Number(DELAY_PATTERN.exec(typeof last === 'string' ? last : JSON.stringify(last ?? ''))?.[1] ?? 0);
  const answer = () => (body.stream ? stream(res, body.model ?? 'gpt-bench', body.stream_options?.include_usage === true) : json(res, body.model ?? 'gpt-bench'));
  if (delayMs > 0) setTimeout(answer, delayMs);
  else answer();
}

function json(res: http.ServerResponse, model: string): void {
  const text = JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: MOCK_REPLY_WORDS.join('') }, finish_reason: 'stop' }],
    usage,
  });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) }).end(text);
}

function stream(res: http.ServerResponse, model: string, includeUsage: boolean): void {
  const base = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1_700_000_000, model };
  const events = MOCK_REPLY_WORDS.map((word, i) => ({ ...base, choices: [{ index: 0, delta: i === 0 ? { role: 'assistant', content: word } : { content: word }, finish_reason: null }] }));
  events.push({ ...base, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] } as never);
  if (includeUsage) events.push({ ...base, choices: [], usage } as never);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  // The first chunk goes out on its own, as a model's first token does; the rest follow together.
  res.write(`data: ${JSON.stringify(events[0])}\n\n`);
  setImmediate(() => res.end(events.slice(1).map((event) => `data: ${JSON.stringify(event)}\n\n`).join('') + 'data: [DONE]\n\n'));
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8')));
});
server.keepAliveTimeout = 120_000;
server.listen(Number(process.env.MOCK_PORT), '127.0.0.1', () => process.stdout.write(`mock upstream listening on ${process.env.MOCK_PORT}\n`));
