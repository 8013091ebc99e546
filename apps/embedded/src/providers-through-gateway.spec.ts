// Every provider adapter end to end: one embedded gateway configured with a model on each provider,
// each provider's base_url on its own replay server that answers with the adapter's documented wire
// fixtures. Calls go through the generated gRPC client; the analytics row is read back with SQL.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { createGatewayClient, type AiGatewayClient } from '@switchyard/client';
import { CAPABILITIES, parseGatewayConfig } from '@switchyard/config';
import type { Usage } from '@switchyard/contracts';
import type { EmbedRequest } from '@switchyard/contracts/generated/aigateway/v1/EmbedRequest';
import type { EmbedResponse__Output } from '@switchyard/contracts/generated/aigateway/v1/EmbedResponse';
import type { ListModelsResponse__Output } from '@switchyard/contracts/generated/aigateway/v1/ListModelsResponse';
import * as providers from '@switchyard/providers';
import { createLogger } from '@switchyard/telemetry';
import { chat, chatStream, eventually } from '@switchyard/testing';
import { stringify } from 'yaml';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway';
import {
  EMBED_INPUT,
  FAKE_ENV,
  FAKE_SECRETS,
  PROVIDER_CASES,
  QUESTION,
  ReplayServer,
  type Exchange,
  type ProviderCase,
} from './providers-through-gateway.fixtures';

jest.setTimeout(60_000);

/** One price for every model, so that each expected cost follows from the usage alone. */
const PRICE = { input_per_mtok: 1, output_per_mtok: 2, cached_input_per_mtok: 0.5 };

const chatModel = (testCase: ProviderCase) => `${testCase.provider}-chat`;
const embedModel = (testCase: ProviderCase) => `${testCase.provider}-embed`;

function expectedCost(usage: Usage): number {
  const cached = usage.cached_prompt_tokens ?? 0;
  return ((usage.prompt_tokens - cached) * PRICE.input_per_mtok + cached * PRICE.cached_input_per_mtok + usage.completion_tokens * PRICE.output_per_mtok) / 1e6;
}

/** Usage as the gRPC client decodes it: every field present. */
function wireUsage(usage: Usage) {
  return {
    prompt_tokens: usage.prompt_tokens,
    completion_tokens: usage.completion_tokens,
    total_tokens: usage.total_tokens,
    cached_prompt_tokens: usage.cached_prompt_tokens ?? 0,
    cache_creation_prompt_tokens: 0,
  };
}

function capabilities(list: string[]) {
  return Object.fromEntries(CAPABILITIES.map((name) => [name, list.includes(name)]));
}

function configYaml(servers: Map<string, ReplayServer>): string {
  const models: object[] = [];
  const blocks: Record<string, object> = {};
  const pricing: Record<string, typeof PRICE> = {};
  for (const testCase of PROVIDER_CASES) {
    models.push({ name: chatModel(testCase), provider: testCase.provider, upstream_model: testCase.chat.model, capabilities: testCase.capabilities });
    pricing[`${testCase.provider}/${testCase.chat.model}`] = PRICE;
    if (testCase.embed) {
      models.push({ name: embedModel(testCase), provider: testCase.provider, upstream_model: testCase.embed.model, capabilities: ['embeddings'] });
      pricing[`${testCase.provider}/${testCase.embed.model}`] = PRICE;
    }
    const [keyEnv] = Object.keys(testCase.env);
    blocks[testCase.provider] = {
      base_url: `${servers.get(testCase.provider)!.baseUrl}${testCase.basePath}`,
      ...(keyEnv ? { api_key_env: keyEnv } : {}),
      ...testCase.block,
    };
  }
  return stringify({ models, providers: blocks, pricing, limits: { default_timeout_ms: 20_000 } });
}

describe('every provider adapter through the embedded gateway', () => {
  const servers = new Map<string, ReplayServer>();
  let gateway: EmbeddedGateway;
  let client: AiGatewayClient;
  let dataDir: string;

  beforeAll(async () => {
    for (const testCase of PROVIDER_CASES) servers.set(testCase.provider, await ReplayServer.start());
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-providers-'));
    gateway = await startEmbeddedGateway({
      config: parseGatewayConfig(configYaml(servers), 'providers-through-gateway'),
      grpcAddress: '127.0.0.1:0',
      dataDir,
      logger: createLogger('providers-through-gateway', 'error'),
      // Only the fake credentials: real keys in the developer's environment must play no part.
      env: FAKE_ENV,
    });
    client = createGatewayClient(`127.0.0.1:${gateway.port}`);
  });

  afterAll(async () => {
    client?.close();
    await gateway?.stop();
    await Promise.all([...servers.values()].map((server) => server.close()));
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const usageRow = (requestId: string) =>
    eventually(async () => (await gateway.db.query<Record<string, unknown>>('SELECT * FROM usage_events WHERE request_id = $1', [requestId])).rows[0], `usage row ${requestId}`);

  /** Programs the provider's replay server with the exchange's answers, forgetting earlier requests. */
  function program(testCase: ProviderCase, exchange: Exchange): ReplayServer {
    const server = servers.get(testCase.provider)!;
    server.reset();
    server.on('POST', exchange.path, ...exchange.replies);
    return server;
  }

  /** The provider received the requests its API documents, with the credentials where it documents them and nowhere else. */
  function expectProviderRequests(testCase: ProviderCase, server: ReplayServer, exchange: Exchange): void {
    expect(server.requests.map((request) => `${request.method} ${request.path}`)).toEqual(exchange.replies.map(() => `POST ${exchange.path}`));
    for (const request of server.requests) {
      expect(request.query).toEqual(exchange.query ?? {});
      testCase.expectAuth(request);
      for (const secret of FAKE_SECRETS) expect(request.rawBody + JSON.stringify(request.query)).not.toContain(secret);
    }
    expect(server.requests[0].body).toMatchObject(exchange.body);
  }

  async function expectUsageRow(requestId: string, expected: Record<string, unknown>, usage: Usage, estimated = false): Promise<void> {
    const row = await usageRow(requestId);
    expect(row).toMatchObject({
      ...expected,
      status: 'ok',
      error_code: null,
      prompt_tokens: usage.prompt_tokens,
      completion_tokens: usage.completion_tokens,
      cached_prompt_tokens: usage.cached_prompt_tokens ?? 0,
      tokens_estimated: estimated,
      api_key_id: 'anonymous',
    });
    expect(Number(row.cost_usd)).toBeCloseTo(expectedCost(usage), 10);
  }

  it('has a case for every chat adapter in the registry, and the package exports every adapter factory', () => {
    // An adapter without chat (Jina's reranker) goes through the gateway in kinds.scenarios.ts.
    const offersChat = (name: string) => typeof providers.PROVIDER_FACTORIES[name]({ base_url: 'http://127.0.0.1:9' }, FAKE_ENV).chat === 'function';
    const adapters = Object.keys(providers.PROVIDER_FACTORIES).filter((name) => name !== 'mock' && offersChat(name));
    expect(PROVIDER_CASES.map((testCase) => testCase.provider).sort()).toEqual(adapters.sort());
    const exported = new Set<unknown>(Object.values(providers));
    const missing = Object.entries(providers.PROVIDER_FACTORIES).filter(([, factory]) => !exported.has(factory));
    expect(missing.map(([name]) => name)).toEqual([]);
  });

  it('tests Embed on exactly the providers whose adapter offers embeddings', () => {
    const offered = PROVIDER_CASES.map((testCase) => {
      const adapter = providers.PROVIDER_FACTORIES[testCase.provider]({ base_url: 'http://127.0.0.1:9', ...testCase.block }, FAKE_ENV);
      return [testCase.provider, typeof adapter.embed === 'function'];
    });
    expect(PROVIDER_CASES.map((testCase) => [testCase.provider, testCase.embed !== undefined])).toEqual(offered);
  });

  it('lists every configured model with its provider, upstream model, capabilities and its one target, its breaker closed', async () => {
    const response = await new Promise<ListModelsResponse__Output>((resolve, reject) =>
      client.ListModels({}, (error, result) => (error ? reject(error) : resolve(result!))),
    );
    const closed = (provider: string, model: string) => [{ target: `${provider}/${model}`, state: 'closed', since: 0, open_until: 0, failures: 0 }];
    const expected = PROVIDER_CASES.flatMap((testCase) => [
      { id: chatModel(testCase), provider: testCase.provider, upstream_model: testCase.chat.model, capabilities: capabilities(testCase.capabilities), targets: closed(testCase.provider, testCase.chat.model) },
      ...(testCase.embed
        ? [{ id: embedModel(testCase), provider: testCase.provider, upstream_model: testCase.embed.model, capabilities: capabilities(['embeddings']), targets: closed(testCase.provider, testCase.embed.model) }]
        : []),
    ]);
    const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
    expect([...response.models].sort(byId)).toEqual(expected.sort(byId));
  });

  describe.each(PROVIDER_CASES)('$provider', (testCase) => {
    const question = { model: chatModel(testCase), messages: [{ role: 'user', content: QUESTION }], max_tokens: 100 };

    it('answers Chat with the fixture text, the provider and priced usage, and records one analytics row', async () => {
      const server = program(testCase, testCase.chat);
      const response = await chat(client, question);
      expect(response).toMatchObject({ model: chatModel(testCase), provider: testCase.provider, usage: wireUsage(testCase.chat.usage) });
      expect(response.choices.map((choice) => [choice.message?.content, choice.finish_reason])).toEqual([[testCase.chat.text, 'stop']]);
      expect(response.cost_usd).toBeCloseTo(expectedCost(testCase.chat.usage), 12);
      expectProviderRequests(testCase, server, testCase.chat);
      expect(server.requests[0].rawBody).toContain(QUESTION);
      await expectUsageRow(
        response.id,
        { kind: 'chat', stream: false, model: chatModel(testCase), provider: testCase.provider, upstream_model: testCase.chat.model, finish_reason: 'stop' },
        testCase.chat.usage,
      );
    });

    it('streams ChatStream in chunks that reassemble to the fixture text, usage and cost on the last', async () => {
      const server = program(testCase, testCase.stream);
      const chunks = await chatStream(client, question);
      expect(chunks.filter((chunk) => chunk.delta?.content).length).toBeGreaterThan(1);
      expect(chunks.map((chunk) => chunk.delta?.content ?? '').join('')).toBe(testCase.stream.text);
      expect(new Set(chunks.map((chunk) => `${chunk.model} ${chunk.provider}`))).toEqual(new Set([`${chatModel(testCase)} ${testCase.provider}`]));
      const last = chunks[chunks.length - 1];
      expect(last).toMatchObject({ finish_reason: 'stop', usage: wireUsage(testCase.stream.usage) });
      expect(last.cost_usd).toBeCloseTo(expectedCost(testCase.stream.usage), 12);
      expect(chunks.slice(0, -1).filter((chunk) => chunk.usage || chunk.finish_reason)).toEqual([]);
      expectProviderRequests(testCase, server, testCase.stream);
      expect(server.requests[0].rawBody).toContain(QUESTION);
      await expectUsageRow(
        last.id,
        { kind: 'chat', stream: true, model: chatModel(testCase), provider: testCase.provider, upstream_model: testCase.chat.model, finish_reason: 'stop' },
        testCase.stream.usage,
      );
    });

    // Regression: Anthropic and Bedrock dropped response_format, answering prose to a caller expecting JSON.
    if (testCase.provider === 'anthropic' || testCase.provider === 'bedrock') {
      it('refuses a JSON object response format, which it has no mode for, as unsupported_capability, calling nothing', async () => {
        const server = servers.get(testCase.provider)!;
        server.reset();
        const error = await chat(client, { ...question, response_format: { type: 'json_object' } }).then(
          () => undefined,
          (thrown: grpc.ServiceError) => thrown,
        );
        expect(error).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: expect.stringContaining('no JSON mode without a schema') });
        expect(error!.metadata.get('switchyard-error-code')).toEqual(['unsupported_capability']);
        expect(server.requests).toHaveLength(0);
      });

      it('passes a JSON Schema response format on in its own API\'s field', async () => {
        const server = program(testCase, testCase.chat);
        const schema = '{"type":"object","properties":{"answer":{"type":"string"}},"required":["answer"],"additionalProperties":false}';
        await chat(client, { ...question, response_format: { type: 'json_schema', json_schema_name: 'reply', json_schema: schema } });
        const body = server.requests[0].body as Record<string, unknown>;
        if (testCase.provider === 'anthropic') expect(body.output_config).toEqual({ format: { type: 'json_schema', schema: JSON.parse(schema) } });
        else expect(body.outputConfig).toEqual({ textFormat: { type: 'json_schema', structure: { jsonSchema: { schema, name: 'reply' } } } });
      });
    }

    const embed = testCase.embed;
    if (embed) {
      it('answers Embed with one vector per input, in order, and records it', async () => {
        const server = program(testCase, embed);
        const request: EmbedRequest = { model: embedModel(testCase), input: EMBED_INPUT };
        const response = await new Promise<EmbedResponse__Output>((resolve, reject) =>
          client.Embed(request, { deadline: Date.now() + 20_000 }, (error, result) => (error ? reject(error) : resolve(result!))),
        );
        expect(response).toMatchObject({ model: embedModel(testCase), provider: testCase.provider });
        expect(response.data.map((item) => item.index)).toEqual([0, 1]);
        // The vectors travel as protobuf floats (32-bit).
        expect(response.data.map((item) => item.embedding)).toEqual(embed.vectors.map((vector) => vector.map(Math.fround)));
        expectProviderRequests(testCase, server, embed);
        for (const input of EMBED_INPUT) expect(server.requests.some((sent) => sent.rawBody.includes(input))).toBe(true);
        // A provider that reports no usage (Gemini's batchEmbedContents) is counted by the gateway.
        const usage = embed.usage ?? { prompt_tokens: response.usage!.prompt_tokens, completion_tokens: 0, total_tokens: response.usage!.prompt_tokens };
        if (!embed.usage) expect(usage.prompt_tokens).toBeGreaterThan(0);
        expect(response.usage).toEqual(wireUsage(usage));
        expect(response.cost_usd).toBeCloseTo(expectedCost(usage), 12);
        await expectUsageRow(
          response.id,
          { kind: 'embed', stream: false, model: embedModel(testCase), provider: testCase.provider, upstream_model: embed.model, finish_reason: null },
          usage,
          embed.usage === undefined,
        );
      });
    }
  });
});
