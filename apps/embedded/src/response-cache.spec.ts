// The response cache through the whole embedded gateway, against a local OpenAI-format upstream that
// counts its calls: a hit is answered without the provider, over every front door, with the same answer
// (streamed in the same chunks), and each answer has one usage row saying what the cache did.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { createGatewayClient } from '@switchyard/client';
import { eventually, startOpenAIUpstream, type OpenAIUpstream } from '@switchyard/testing';
import type { EmbeddedGateway } from './embedded-gateway';
import { startGatewayUnderTest } from './gateway-under-test.fixtures';

jest.setTimeout(60_000);

// The test upstream bills 11 prompt tokens (2 cached) and 7 completion tokens for every answer: at these prices, 0.000024 USD.
const COST_USD = '0.0000240000';
const NO_COST = '0.0000000000';
// The embedder bills 5 tokens for every prompt it embeds: at 2 USD a million, 0.00001 USD, on the request's row.
const EMBED_COST_USD = '0.0000100000';
const COST_WITH_EMBED_USD = '0.0000340000';

/** The parts of an answer (OpenAI's or Anthropic's) the tests read. */
interface Answer {
  id: string;
  choices: { message: { content: string } }[];
  usage: unknown;
  content?: unknown;
}

const answerOf = async (response: Response) => (await response.json()) as Answer;

// The embeddings the semantic tests' embedder gives each prompt: with the first, the second has a cosine
// similarity of 0.995 (above the 0.95 threshold), the third 0.9 (below it). Any other prompt: [0, 0, 1].
const EMBEDDINGS: Record<string, number[]> = {
  'user: what is the capital of France?': [1, 0, 0],
  'user: which city is the capital of France?': [1, 0.1, 0],
  'user: what is the capital of Spain?': [0.9, Math.sqrt(1 - 0.81), 0],
};

/** An OpenAI-format embeddings server answering from EMBEDDINGS, counting its calls. */
async function startEmbedder(): Promise<{ baseUrl: string; calls: () => number; close(): Promise<void> }> {
  let calls = 0;
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (data) => (raw += data));
    req.on('end', () => {
      calls++;
      const { input } = JSON.parse(raw) as { input: string[] };
      const data = input.map((text, index) => ({ object: 'embedding', index, embedding: EMBEDDINGS[text] ?? [0, 0, 1] }));
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data, model: 'embed-test', usage: { prompt_tokens: 5, total_tokens: 5 } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, calls: () => calls, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('response cache in the embedded gateway', () => {
  let gateway: EmbeddedGateway;
  let upstream: OpenAIUpstream;
  let embedder: Awaited<ReturnType<typeof startEmbedder>>;
  let client: ReturnType<typeof createGatewayClient>;

  beforeAll(async () => {
    upstream = await startOpenAIUpstream();
    embedder = await startEmbedder();
    process.env.E2E_OPENAI_KEY = 'sk-upstream';
    gateway = await startGatewayUnderTest('response-cache', {
      models: [
        { name: 'cached', provider: 'up', upstream_model: 'gpt-test', capabilities: ['chat', 'streaming', 'tools'], cache: { ttl_s: 3600 } },
        { name: 'short-lived', provider: 'up', upstream_model: 'gpt-test', capabilities: ['chat'], cache: { ttl_s: 1 } },
        { name: 'uncached', provider: 'up', upstream_model: 'gpt-test', capabilities: ['chat'] },
        { name: 'semantic', provider: 'up', upstream_model: 'gpt-test', capabilities: ['chat', 'tools'], cache: { mode: 'semantic', embed_model: 'embedder', threshold: 0.95 } },
        { name: 'embedder', provider: 'emb', upstream_model: 'embed-test', capabilities: ['embeddings'] },
        // No input rules: the prompt's deny word reaches the upstream, whose answer repeats it for the output rule to flag.
        { name: 'guarded', provider: 'up', upstream_model: 'gpt-test', capabilities: ['chat'], cache: {}, guardrails: { input: [], output: [{ type: 'deny', words: ['falcon'], action: 'flag' }] } },
      ],
      providers: { up: { kind: 'openai', base_url: upstream.baseUrl, api_key_env: 'E2E_OPENAI_KEY' }, emb: { kind: 'openai', base_url: embedder.baseUrl, api_key_env: 'E2E_OPENAI_KEY' } },
      limits: { default_timeout_ms: 20_000 },
      pricing: { 'up/gpt-test': { input_per_mtok: 1.0, output_per_mtok: 2.0, cached_input_per_mtok: 0.5 }, 'emb/embed-test': { input_per_mtok: 2.0, output_per_mtok: 0 } },
    });
    client = createGatewayClient(`127.0.0.1:${gateway.port}`);
  });

  afterAll(async () => {
    client?.close();
    await gateway?.stop();
    await upstream?.close();
    await embedder?.close();
  });

  const calls = () => upstream.requests.length;

  function openai(body: Record<string, unknown>, headers: Record<string, string> = {}) {
    return fetch(`${gateway.httpUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ model: 'cached', temperature: 0, ...body }),
    });
  }

  const ask = (content: string, tag: string, extra: Record<string, unknown> = {}) => ({ messages: [{ role: 'user', content }], metadata: { test: tag }, ...extra });

  /** The streamed answer's events, [DONE] left out. */
  async function streamedEvents(response: Response): Promise<Record<string, unknown>[]> {
    const text = await response.text();
    return text
      .split('\n\n')
      .filter((event) => event.startsWith('data: ') && event !== 'data: [DONE]')
      .map((event) => JSON.parse(event.slice('data: '.length)) as Record<string, unknown>);
  }

  /** The usage rows of the requests tagged `tag`, once `count` are written, oldest first. */
  const rowsTagged = (tag: string, count: number) =>
    eventually(async () => {
      const { rows } = await gateway.db.query<{
        request_id: string;
        cache: string | null;
        cost_usd: string;
        cost_saved_usd: string;
        cache_embed_tokens: number;
        cache_embed_cost_usd: string;
        attempts: number;
        provider: string;
        prompt_tokens: number;
        stream: boolean;
      }>(
        `SELECT request_id, cache, cost_usd::text AS cost_usd, cost_saved_usd::text AS cost_saved_usd, cache_embed_tokens, cache_embed_cost_usd::text AS cache_embed_cost_usd,
                attempts, provider, prompt_tokens, stream
         FROM usage_events WHERE metadata->>'test' = $1 ORDER BY ts, latency_ms`,
        [tag],
      );
      return rows.length >= count ? rows : undefined;
    }, `${count} usage rows tagged ${tag}`);

  it('answers an identical second request from the cache, without the provider, at no cost, saying so in its header and row', async () => {
    const before = calls();
    const first = await openai(ask('what is the capital of France?', 'hit'));
    const second = await openai(ask('what is the capital of France?', 'hit'));
    expect([first.status, second.status]).toEqual([200, 200]);
    expect([first.headers.get('x-switchyard-cache'), second.headers.get('x-switchyard-cache')]).toEqual(['miss', 'hit']);
    const [answered, replayed] = [await answerOf(first), await answerOf(second)];
    expect(replayed.choices).toEqual(answered.choices);
    expect(replayed.choices[0].message.content).toBe('upstream says: what is the capital of France?');
    expect(replayed.usage).toEqual(answered.usage);
    expect(replayed.id).not.toBe(answered.id);
    expect(calls() - before).toBe(1);
    const rows = await rowsTagged('hit', 2);
    expect(rows).toEqual([
      expect.objectContaining({ request_id: answered.id, cache: 'miss', cost_usd: COST_USD, cost_saved_usd: NO_COST, attempts: 1, provider: 'up', prompt_tokens: 11 }),
      expect.objectContaining({ request_id: replayed.id, cache: 'hit', cost_usd: NO_COST, cost_saved_usd: COST_USD, attempts: 0, provider: 'up', prompt_tokens: 11 }),
    ]);
  });

  it('replays a streamed answer as the same chunks in the same order, usage on the last', async () => {
    const before = calls();
    const first = await openai(ask('stream me a story', 'stream', { stream: true, stream_options: { include_usage: true } }));
    const second = await openai(ask('stream me a story', 'stream', { stream: true, stream_options: { include_usage: true } }));
    expect([first.headers.get('x-switchyard-cache'), second.headers.get('x-switchyard-cache')]).toEqual(['miss', 'hit']);
    const [streamed, replayed] = [await streamedEvents(first), await streamedEvents(second)];
    const pieces = (events: Record<string, unknown>[]) => events.map((event) => ({ choices: event.choices, usage: event.usage }));
    expect(pieces(replayed)).toEqual(pieces(streamed));
    // The upstream sends its answer in two pieces: both come back, in order, and usage last.
    const text = replayed.flatMap((event) => (event.choices as { delta: { content?: string } }[]).map((choice) => choice.delta.content ?? '')).join('');
    expect(text).toBe('upstream says: stream me a story');
    expect(replayed.at(-1)!.usage).toEqual({ prompt_tokens: 11, completion_tokens: 7, total_tokens: 18, prompt_tokens_details: { cached_tokens: 2 } });
    expect(calls() - before).toBe(1);
    expect((await rowsTagged('stream', 2)).map((row) => [row.cache, row.stream])).toEqual([['miss', true], ['hit', true]]);
  });

  it('replays an answer that was not streamed to a caller that streams', async () => {
    const before = calls();
    await openai(ask('first whole, then streamed', 'whole-then-stream'));
    const streamed = await openai(ask('first whole, then streamed', 'whole-then-stream', { stream: true }));
    expect(streamed.headers.get('x-switchyard-cache')).toBe('hit');
    const events = await streamedEvents(streamed);
    expect(events.map((event) => (event.choices as { delta: { content?: string } }[])[0]?.delta.content ?? '').join('')).toBe('upstream says: first whole, then streamed');
    expect(calls() - before).toBe(1);
  });

  it.each<[string, Record<string, unknown>]>([
    ['max_tokens', { max_tokens: 5 }],
    ['the seed', { seed: 42 }],
    ['stop sequences', { stop: ['\n'] }],
    ['the response format', { response_format: { type: 'json_object' } }],
    ['the tools', { tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }] }],
  ])('misses when %s changed', async (_what, change) => {
    const tag = `changed-${Object.keys(change)[0]}`;
    const before = calls();
    const first = await openai(ask(`a question about ${tag}`, tag));
    const changed = await openai(ask(`a question about ${tag}`, tag, change));
    expect([first.headers.get('x-switchyard-cache'), changed.headers.get('x-switchyard-cache')]).toEqual(['miss', 'miss']);
    expect(calls() - before).toBe(2);
  });

  it('misses once the TTL has passed', async () => {
    const before = calls();
    expect((await openai(ask('short-lived question', 'ttl', { model: 'short-lived' }))).headers.get('x-switchyard-cache')).toBe('miss');
    expect((await openai(ask('short-lived question', 'ttl', { model: 'short-lived' }))).headers.get('x-switchyard-cache')).toBe('hit');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await openai(ask('short-lived question', 'ttl', { model: 'short-lived' }))).headers.get('x-switchyard-cache')).toBe('miss');
    expect(calls() - before).toBe(2);
  });

  it('bypasses on Cache-Control: no-store (nothing stored) and refreshes on no-cache (answer stored)', async () => {
    const before = calls();
    const status = async (headers: Record<string, string> = {}) => (await openai(ask('bypass me', 'bypass'), headers)).headers.get('x-switchyard-cache');
    expect(await status({ 'cache-control': 'no-store' })).toBe('bypass');
    expect(await status()).toBe('miss');
    expect(await status({ 'cache-control': 'no-cache' })).toBe('bypass');
    expect(await status({ 'cache-control': 'max-age=0, No-Store' })).toBe('bypass');
    expect(await status()).toBe('hit');
    expect(calls() - before).toBe(4);
    expect((await rowsTagged('bypass', 5)).map((row) => row.cache)).toEqual(['bypass', 'miss', 'bypass', 'bypass', 'hit']);
  });

  it('bypasses a request that is not deterministic', async () => {
    const before = calls();
    for (let i = 0; i < 2; i++) expect((await openai(ask('be creative', 'creative', { temperature: 0.9 }))).headers.get('x-switchyard-cache')).toBe('bypass');
    expect(calls() - before).toBe(2);
  });

  it('refuses a Cache-Control it cannot read, in the API\'s error shape', async () => {
    const response = await openai(ask('hello', 'refused'), { 'cache-control': `no-cache, ${'x'.repeat(300)}` });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.objectContaining({ type: 'invalid_request_error', param: 'cache-control', message: expect.stringMatching(/^cache-control is 310 characters long; at most 256/) }) });
  });

  it('says nothing of a cache for a model without one, and its row\'s cache is null', async () => {
    const response = await openai(ask('no cache here', 'uncached', { model: 'uncached' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('x-switchyard-cache')).toBeNull();
    expect((await rowsTagged('uncached', 1)).map((row) => [row.cache, row.cost_saved_usd, row.cache_embed_tokens])).toEqual([[null, NO_COST, 0]]);
  });

  it('gives a hit\'s row the output guardrails\' findings of the answer it replays', async () => {
    const before = calls();
    for (let i = 0; i < 2; i++) expect((await openai(ask('tell me about project falcon', 'guarded', { model: 'guarded' }))).headers.get('x-switchyard-cache')).toBe(i === 0 ? 'miss' : 'hit');
    expect(calls() - before).toBe(1);
    const rows = await eventually(async () => {
      const { rows } = await gateway.db.query<{ cache: string; guardrail_findings: unknown }>(`SELECT cache, guardrail_findings FROM usage_events WHERE metadata->>'test' = 'guarded' ORDER BY ts`);
      return rows.length === 2 ? rows : undefined;
    }, 'the rows of the guarded requests');
    const flagged = [{ rule: 'deny', entity: 'denied', action: 'flag', direction: 'output', count: 1 }];
    expect(rows).toEqual([{ cache: 'miss', guardrail_findings: flagged }, { cache: 'hit', guardrail_findings: flagged }]);
  });

  it('answers a prompt close enough to a stored one from the cache (semantic_hit), and one just below the threshold from the provider', async () => {
    const before = calls();
    const status = async (content: string, extra: Record<string, unknown> = {}) => {
      const response = await openai(ask(content, 'semantic', { model: 'semantic', ...extra }));
      return [response.headers.get('x-switchyard-cache'), (await answerOf(response)).choices[0].message.content];
    };
    expect(await status('what is the capital of France?')).toEqual(['miss', 'upstream says: what is the capital of France?']);
    // 0.995 similar: the stored answer, without the provider.
    expect(await status('which city is the capital of France?')).toEqual(['semantic_hit', 'upstream says: what is the capital of France?']);
    expect(calls() - before).toBe(1);
    // 0.9 similar: below the threshold, a miss.
    expect(await status('what is the capital of Spain?')).toEqual(['miss', 'upstream says: what is the capital of Spain?']);
    // As similar as can be, but with tools the request is another one: never a semantic hit across tools.
    expect(await status('which city is the capital of France?', { tools: [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } }] })).toEqual(['miss', 'upstream says: which city is the capital of France?']);
    expect(calls() - before).toBe(3);
    expect(embedder.calls()).toBe(4);
    // Every one of them was embedded: the embedding's tokens and cost are on its row, and in its cost.
    const rows = await rowsTagged('semantic', 4);
    expect(rows.map((row) => [row.cache, row.cost_usd, row.cost_saved_usd, row.cache_embed_tokens, row.cache_embed_cost_usd])).toEqual([
      ['miss', COST_WITH_EMBED_USD, NO_COST, 5, EMBED_COST_USD],
      ['semantic_hit', EMBED_COST_USD, COST_USD, 5, EMBED_COST_USD],
      ['miss', COST_WITH_EMBED_USD, NO_COST, 5, EMBED_COST_USD],
      ['miss', COST_WITH_EMBED_USD, NO_COST, 5, EMBED_COST_USD],
    ]);
  });

  it('answers the Anthropic API from the cache too', async () => {
    const before = calls();
    const messages = () =>
      fetch(`${gateway.httpUrl}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
        body: JSON.stringify({ model: 'cached', max_tokens: 100, temperature: 0, messages: [{ role: 'user', content: 'anthropic asks' }] }),
      });
    const [first, second] = [await messages(), await messages()];
    expect([first.headers.get('x-switchyard-cache'), second.headers.get('x-switchyard-cache')]).toEqual(['miss', 'hit']);
    expect((await answerOf(second)).content).toEqual((await answerOf(first)).content);
    expect(calls() - before).toBe(1);
  });

  it('says what the cache did in gRPC response metadata, and takes cache-control from gRPC metadata', async () => {
    const before = calls();
    const grpcChat = (cacheControl?: string) =>
      new Promise<{ status: string | undefined; content: string }>((resolve, reject) => {
        const metadata = new grpc.Metadata();
        if (cacheControl) metadata.set('cache-control', cacheControl);
        let status: string | undefined;
        const call = client.Chat({ model: 'cached', temperature: 0, messages: [{ role: 'user', content: 'over gRPC' }] }, metadata, { deadline: Date.now() + 20_000 }, (error, response) =>
          error ? reject(error) : resolve({ status, content: response!.choices[0].message!.content! }),
        );
        call.on('metadata', (received) => (status = received.get('x-switchyard-cache')[0] as string | undefined));
      });
    expect(await grpcChat('no-store')).toEqual({ status: 'bypass', content: 'upstream says: over gRPC' });
    expect(await grpcChat()).toEqual({ status: 'miss', content: 'upstream says: over gRPC' });
    expect(await grpcChat()).toEqual({ status: 'hit', content: 'upstream says: over gRPC' });
    expect(calls() - before).toBe(2);
  });

  it('sends the status before the first chunk of a gRPC stream, and replays the chunks in order', async () => {
    const before = calls();
    const grpcStream = () =>
      new Promise<{ status: string | undefined; chunks: { content: string; usage: unknown }[] }>((resolve, reject) => {
        let status: string | undefined;
        const chunks: { content: string; usage: unknown }[] = [];
        const call = client.ChatStream({ model: 'cached', temperature: 0, messages: [{ role: 'user', content: 'stream over gRPC' }] }, { deadline: Date.now() + 20_000 });
        call.on('metadata', (received) => (status = received.get('x-switchyard-cache')[0] as string | undefined));
        call.on('data', (chunk: { delta?: { content?: string }; usage?: unknown }) => {
          // The status came with the response metadata, before any chunk.
          if (status === undefined) reject(new Error('a chunk came before the cache status'));
          chunks.push({ content: chunk.delta?.content ?? '', usage: chunk.usage ?? null });
        });
        call.on('error', reject);
        call.on('end', () => resolve({ status, chunks }));
      });
    const streamed = await grpcStream();
    const replayed = await grpcStream();
    expect([streamed.status, replayed.status]).toEqual(['miss', 'hit']);
    expect(replayed.chunks).toEqual(streamed.chunks);
    expect(replayed.chunks.map((chunk) => chunk.content).join('')).toBe('upstream says: stream over gRPC');
    expect(replayed.chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7 });
    expect(calls() - before).toBe(1);
  });

  // Last: the store stays down for this gateway.
  it('answers every request from the provider when the cache store fails, one row each', async () => {
    await gateway.db.exec('DROP TABLE response_cache');
    const before = calls();
    const answers = [await openai(ask('the store is down', 'store-down')), await openai(ask('the store is down', 'store-down'))];
    expect(answers.map((answer) => [answer.status, answer.headers.get('x-switchyard-cache')])).toEqual([[200, 'miss'], [200, 'miss']]);
    for (const answer of answers) expect((await answerOf(answer)).choices[0].message.content).toBe('upstream says: the store is down');
    expect(calls() - before).toBe(2);
    expect((await rowsTagged('store-down', 2)).map((row) => [row.cache, row.cost_usd])).toEqual([['miss', COST_USD], ['miss', COST_USD]]);
  });
});
