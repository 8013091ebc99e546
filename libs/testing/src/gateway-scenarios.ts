// The end-to-end checks of the gateway, run against the embedded mode and against the distributed
// mode (six processes on Kafka and Postgres) alike: a generated gRPC client calls the front door, and
// the analytics row is read back with SQL.
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { createGatewayClient, type AiGatewayClient } from '@switchyard/client';
import type { ChatChunk__Output } from '@switchyard/contracts/generated/aigateway/v1/ChatChunk';
import type { ChatRequest } from '@switchyard/contracts/generated/aigateway/v1/ChatRequest';
import type { ChatResponse__Output } from '@switchyard/contracts/generated/aigateway/v1/ChatResponse';
import type { EmbedResponse__Output } from '@switchyard/contracts/generated/aigateway/v1/EmbedResponse';
import type { ListModelsResponse__Output } from '@switchyard/contracts/generated/aigateway/v1/ListModelsResponse';
import { WORKSPACE_ROOT } from './infrastructure';
import { startOpenAIUpstream, type OpenAIUpstream } from './openai-upstream';
import { eventually } from './waiting';

export const E2E_UPSTREAM_KEY = 'sk-e2e-secret-key-123456';

/** The gateway configuration of the end-to-end tests, around a local OpenAI-format upstream. */
export function e2eConfigYaml(upstreamBaseUrl: string): string {
  return `
models:
  - { name: mock-echo, provider: mock, capabilities: [chat, streaming, tools] }
  - { name: mock-embed, provider: mock, capabilities: [embeddings] }
  - { name: mock-slow, provider: mock-slow, upstream_model: mock-echo, capabilities: [chat, streaming] }
  - { name: upstream-gpt, provider: openai-e2e, upstream_model: gpt-test, capabilities: [chat, streaming] }
providers:
  mock: { latency_ms: 0 }
  mock-slow: { kind: mock, latency_ms: 3000 }
  openai-e2e: { kind: openai, base_url: "${upstreamBaseUrl}", api_key_env: E2E_OPENAI_KEY }
limits: { max_request_bytes: 65536, default_timeout_ms: 20000 }
pricing:
  openai-e2e/gpt-test: { input_per_mtok: 1.0, output_per_mtok: 2.0, cached_input_per_mtok: 0.5 }
`;
}

export interface GatewayUnderTest {
  grpcAddress: string;
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  stop(): Promise<void>;
}

export type StartGateway = (configYaml: string, env: Record<string, string>) => Promise<GatewayUnderTest>;

export function chat(client: AiGatewayClient, request: ChatRequest, deadlineMs = 20_000, metadata = new grpc.Metadata()): Promise<ChatResponse__Output> {
  return new Promise((resolve, reject) =>
    client.Chat(request, metadata, { deadline: Date.now() + deadlineMs }, (error, response) => (error ? reject(error) : resolve(response!))),
  );
}

export function chatStream(client: AiGatewayClient, request: ChatRequest, onChunk?: (chunk: ChatChunk__Output) => void, deadlineMs = 20_000): Promise<ChatChunk__Output[]> {
  return new Promise((resolve, reject) => {
    const chunks: ChatChunk__Output[] = [];
    const call = client.ChatStream(request, { deadline: Date.now() + deadlineMs });
    call.on('data', (chunk: ChatChunk__Output) => {
      chunks.push(chunk);
      onChunk?.(chunk);
    });
    call.on('error', reject);
    call.on('end', () => resolve(chunks));
  });
}

function grpcError(promise: Promise<unknown>): Promise<grpc.ServiceError> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: grpc.ServiceError) => error,
  );
}

export function describeGatewayEndToEnd(mode: string, start: StartGateway): void {
  describe(`gateway end to end (${mode})`, () => {
    let gateway: GatewayUnderTest;
    let upstream: OpenAIUpstream;
    let client: AiGatewayClient;
    // The analytics database may hold rows of earlier runs; these tests look only at their own.
    const since = new Date();

    const usageRow = (requestId: string) =>
      eventually(async () => (await gateway.query(`SELECT * FROM usage_events WHERE request_id = $1`, [requestId]))[0], `usage row ${requestId}`);

    beforeAll(async () => {
      upstream = await startOpenAIUpstream({ holdStreams: true });
      gateway = await start(e2eConfigYaml(upstream.baseUrl), { E2E_OPENAI_KEY: E2E_UPSTREAM_KEY });
      client = createGatewayClient(gateway.grpcAddress);
    });

    afterAll(async () => {
      client?.close();
      upstream?.release();
      await gateway?.stop();
      await upstream?.close();
    });

    it('answers Chat with the last user message and records one analytics row under the response id', async () => {
      const response = await chat(client, { model: 'mock-echo', messages: [{ role: 'user', content: 'Hello, Switchyard!' }], metadata: { team: 'search' } });
      expect(response.choices[0].message!.content).toBe('Hello, Switchyard!');
      expect(response.choices[0].finish_reason).toBe('stop');
      expect(response.provider).toBe('mock');
      expect(response.usage!.completion_tokens).toBeGreaterThan(0);
      expect(response.usage!.total_tokens).toBe(response.usage!.prompt_tokens + response.usage!.completion_tokens);

      const row = await usageRow(response.id);
      expect(row).toMatchObject({
        model: 'mock-echo',
        provider: 'mock',
        upstream_model: 'mock-echo',
        status: 'ok',
        error_code: null,
        stream: false,
        prompt_tokens: response.usage!.prompt_tokens,
        completion_tokens: response.usage!.completion_tokens,
        tokens_estimated: true,
        api_key_id: 'anonymous',
        metadata: { team: 'search' },
      });
      expect(Number(row.latency_ms)).toBeGreaterThanOrEqual(Number(row.provider_latency_ms));
    });

    it('streams ChatStream in several chunks that reassemble to the answer, usage on the last', async () => {
      const text = 'The quick brown fox jumps over the lazy dog';
      const chunks = await chatStream(client, { model: 'mock-echo', messages: [{ role: 'user', content: text }] });
      expect(chunks.length).toBeGreaterThanOrEqual(3);
      expect(chunks.map((chunk) => chunk.delta?.content ?? '').join('')).toBe(text);
      const last = chunks[chunks.length - 1];
      expect(last.finish_reason).toBe('stop');
      expect(last.usage!.completion_tokens).toBeGreaterThan(0);
      expect(chunks.slice(0, -1).every((chunk) => !chunk.finish_reason)).toBe(true);
      const row = await usageRow(last.id);
      expect(row).toMatchObject({ stream: true, status: 'ok', completion_tokens: last.usage!.completion_tokens });
    });

    it('stops the provider call when the caller cancels a ChatStream, and records it as cancelled', async () => {
      const started = new Date();
      const call = client.ChatStream({ model: 'mock-slow', messages: [{ role: 'user', content: 'cancel me' }] }, { deadline: Date.now() + 20_000 });
      const ended = new Promise<grpc.ServiceError>((resolve) => call.on('error', resolve));
      // mock-slow answers after 3 s; the call has long reached the provider stage after 1 s.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      call.cancel();
      expect((await ended).code).toBe(grpc.status.CANCELLED);
      const row = await eventually(
        async () => (await gateway.query(`SELECT * FROM usage_events WHERE model = 'mock-slow' AND status = 'cancelled' AND ts >= $1`, [started]))[0],
        'a cancelled usage row',
      );
      expect(row).toMatchObject({ error_code: 'cancelled', stream: true });
    });

    it('delivers streamed chunks while the provider is still producing them', async () => {
      let release: () => void = () => undefined;
      const firstChunk = new Promise<void>((resolve) => (release = resolve));
      const streaming = chatStream(client, { model: 'upstream-gpt', messages: [{ role: 'user', content: 'stream to me' }] }, () => release());
      // The upstream holds the stream open after its first chunk; only a caller that already has that
      // chunk lets it finish. A gateway that buffered the stream would time out here.
      await firstChunk;
      upstream.release();
      const chunks = await streaming;
      expect(chunks.map((chunk) => chunk.delta?.content ?? '').join('')).toBe('upstream says: stream to me');
      const last = chunks[chunks.length - 1];
      expect(last.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7, total_tokens: 18, cached_prompt_tokens: 2 });
      expect(last.cost_usd).toBeCloseTo(0.000024, 12);
    });

    it('prices provider-reported usage, masks personal data before the provider, and never forwards the caller key', async () => {
      const metadata = new grpc.Metadata();
      metadata.set('authorization', 'Bearer caller-key-1');
      const response = await chat(
        client,
        { model: 'upstream-gpt', messages: [{ role: 'user', content: 'mail me at jane.doe@example.com, card 4242 4242 4242 4242' }], temperature: 0.2, max_tokens: 50 },
        20_000,
        metadata,
      );
      expect(response.choices[0].message!.content).toBe('upstream says: mail me at <EMAIL_1>, card <CARD_1>');
      expect(response.usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 7, cached_prompt_tokens: 2 });
      expect(response.cost_usd).toBeCloseTo(0.000024, 12);
      const sent = upstream.requests.find((request) => JSON.stringify(request.body).includes('<EMAIL_1>'))!;
      expect(sent.body).toMatchObject({ model: 'gpt-test', temperature: 0.2, max_completion_tokens: 50 });
      expect(sent.authorization).toBe(`Bearer ${E2E_UPSTREAM_KEY}`);
      const row = await usageRow(response.id);
      expect(Number(row.cost_usd)).toBeCloseTo(0.000024, 12);
      expect(row).toMatchObject({ provider: 'openai-e2e', upstream_model: 'gpt-test', cached_prompt_tokens: 2, tokens_estimated: false });
      expect(row.api_key_id).toMatch(/^key_[0-9a-f]{16}$/);
    });

    it('returns deterministic embeddings from Embed', async () => {
      const embed = (input: string[]) =>
        new Promise<EmbedResponse__Output>((resolve, reject) => client.Embed({ model: 'mock-embed', input }, (error, response) => (error ? reject(error) : resolve(response!))));
      const first = await embed(['alpha', 'beta']);
      const second = await embed(['alpha']);
      expect(first.data).toHaveLength(2);
      expect(first.data[0].embedding).toHaveLength(16);
      expect(second.data[0].embedding).toEqual(first.data[0].embedding);
      expect(first.data[1].embedding).not.toEqual(first.data[0].embedding);
      await usageRow(first.id);
    });

    it('lists the configured models with their capabilities', async () => {
      const response = await new Promise<ListModelsResponse__Output>((resolve, reject) =>
        client.ListModels({}, (error, result) => (error ? reject(error) : resolve(result!))),
      );
      const echo = response.models.find((model) => model.id === 'mock-echo');
      expect(echo).toMatchObject({ provider: 'mock', capabilities: { chat: true, streaming: true, tools: true, embeddings: false } });
      expect(response.models.map((model) => model.id)).toEqual(expect.arrayContaining(['mock-echo', 'mock-embed', 'upstream-gpt']));
    });

    it('answers an unknown model with NOT_FOUND and records the failure', async () => {
      const error = await grpcError(chat(client, { model: 'no-such-model', messages: [{ role: 'user', content: 'hi' }] }));
      expect(error.code).toBe(grpc.status.NOT_FOUND);
      expect(error.details).toContain('no-such-model');
      const rows = await eventually(async () => {
        const found = await gateway.query(`SELECT * FROM usage_events WHERE model = 'no-such-model' AND ts >= $1`, [since]);
        return found.length > 0 ? found : undefined;
      }, 'failure row');
      expect(rows[0]).toMatchObject({ status: 'error', error_code: 'model_not_found', provider: null });
    });

    it('answers bad input with INVALID_ARGUMENT and a message that says what is wrong', async () => {
      const empty = await grpcError(chat(client, { model: 'mock-echo', messages: [] }));
      expect(empty.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(empty.details).toMatch(/at least one message/);
      const role = await grpcError(chat(client, { model: 'mock-echo', messages: [{ role: 'wizard', content: 'hi' }] }));
      expect(role.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(role.details).toMatch(/role is "wizard"/);
    });

    it('refuses a request over the size limit with RESOURCE_EXHAUSTED', async () => {
      const error = await grpcError(chat(client, { model: 'mock-echo', messages: [{ role: 'user', content: 'x'.repeat(70_000) }] }));
      expect(error.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    });

    it('honours the caller deadline with DEADLINE_EXCEEDED and records the request', async () => {
      const started = Date.now();
      const error = await grpcError(chat(client, { model: 'mock-slow', messages: [{ role: 'user', content: 'too slow' }] }, 800));
      expect(error.code).toBe(grpc.status.DEADLINE_EXCEEDED);
      expect(Date.now() - started).toBeLessThan(2900);
      const rows = await eventually(async () => {
        const found = await gateway.query(`SELECT * FROM usage_events WHERE model = 'mock-slow' AND status <> 'cancelled' AND ts >= $1`, [since]);
        return found.length > 0 ? found : undefined;
      }, 'deadline row');
      expect(rows[0].status).toBe('error');
      expect(['provider_timeout', 'deadline_exceeded']).toContain(rows[0].error_code);
    });

    it('serves grpc.health.v1 and server reflection', async () => {
      const { loadSync } = await import('@grpc/proto-loader');
      const modules = path.join(WORKSPACE_ROOT, 'node_modules');
      const healthProto = grpc.loadPackageDefinition(loadSync(path.join(modules, 'grpc-health-check/proto/health/v1/health.proto'), { enums: String })) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
      const health = new healthProto.grpc.health.v1.Health(gateway.grpcAddress, grpc.credentials.createInsecure());
      const status = await new Promise<{ status: string }>((resolve, reject) =>
        health.Check({ service: 'aigateway.v1.AiGateway' }, (error: Error | null, result: { status: string }) => (error ? reject(error) : resolve(result))),
      );
      health.close();
      expect(status.status).toBe('SERVING');

      const reflectionProto = grpc.loadPackageDefinition(
        loadSync(path.join(modules, '@grpc/reflection/build/proto/grpc/reflection/v1alpha/reflection.proto'), { keepCase: true }),
      ) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
      const reflection = new reflectionProto.grpc.reflection.v1alpha.ServerReflection(gateway.grpcAddress, grpc.credentials.createInsecure());
      const services = await new Promise<string[]>((resolve, reject) => {
        const call = reflection.ServerReflectionInfo();
        call.on('data', (message: { list_services_response?: { service: { name: string }[] } }) => {
          resolve((message.list_services_response?.service ?? []).map((service) => service.name));
          call.end();
        });
        call.on('error', reject);
        call.write({ list_services: '' });
      });
      reflection.close();
      expect(services).toContain('aigateway.v1.AiGateway');
    });
  });
}
