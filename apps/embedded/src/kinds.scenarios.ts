// The request kinds beyond chat and embeddings (docs/kinds.md), end to end, run against the embedded mode
// (kinds.spec.ts) and the distributed mode (kinds.integration.spec.ts) alike: the official OpenAI SDK
// and the gRPC client call the gateway, whose provider blocks point at replay servers answering with
// each provider's documented wire fixtures; every answer's usage row is read back and checked against it.
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import OpenAI from 'openai';
import { createGatewayClient, type AiGatewayClient } from '@switchyard/client';
import type { ModerationResponse__Output } from '@switchyard/contracts/generated/aigateway/v1/ModerationResponse';
import type { RerankResponse__Output } from '@switchyard/contracts/generated/aigateway/v1/RerankResponse';
import type { ImageGenerationResponse__Output } from '@switchyard/contracts/generated/aigateway/v1/ImageGenerationResponse';
import { countTexts } from '@switchyard/pricing';
import { eventually } from '@switchyard/testing';
/* eslint-disable @nx/enforce-module-boundaries -- test-only: the providers library keeps its replay server and wire fixtures out of its public index */
import { fixtureJson, OPENAI_FIXTURES_DIR } from '../../../libs/providers/src/openai-compatible/testing';
import { COHERE_RERANK_RESPONSE, RERANK_REQUEST } from '../../../libs/providers/src/cohere/cohere.fixtures';
import { IMAGEN_PREDICT_RESPONSE } from '../../../libs/providers/src/gemini/gemini.fixtures';
import { ReplayServer, reply } from '../../../libs/providers/src/testing/replay-server';
/* eslint-enable @nx/enforce-module-boundaries */
import type { HttpGatewayUnderTest, StartHttpGateway } from './http-front-door.scenarios';

const GATEWAY_KEY = 'sk-gateway-kinds';
const NO_RETRY = { maxRetries: 0 };
const MISTRAL_FIXTURES_DIR = join(__dirname, '..', '..', '..', 'libs', 'providers', 'src', 'mistral', 'fixtures');
const OPENAI_MODERATION = fixtureJson<{ results: { flagged: boolean; categories: Record<string, boolean>; category_scores: Record<string, number> }[] }>(OPENAI_FIXTURES_DIR, 'moderations.json');
const MISTRAL_MODERATION = fixtureJson<{ results: { categories: Record<string, boolean>; category_scores: Record<string, number> }[] }>(MISTRAL_FIXTURES_DIR, 'moderations.json');
const TEXTS = ['I am going to hurt you.', 'The weather is lovely today.'];
/** The built-in price of mistral/mistral-moderation-latest, USD per million input tokens. */
const MISTRAL_MODERATION_PER_MTOK = 0.1;
const JINA_RERANK = fixtureJson<{ usage: { total_tokens: number }; results: { index: number; relevance_score: number }[] }>(join(__dirname, '..', '..', '..', 'libs', 'providers', 'src', 'jina', 'fixtures'), 'rerank.json');
/** The built-in prices: cohere/rerank-v3.5 per search unit, jina/jina-reranker-v2-base-multilingual per million tokens. */
const COHERE_PER_SEARCH_UNIT = 0.002;
const JINA_RERANK_PER_MTOK = 0.05;
const OPENAI_IMAGES = fixtureJson<{ data: { b64_json: string; revised_prompt: string }[] }>(OPENAI_FIXTURES_DIR, 'images.json');
/** The built-in prices per image: openai/dall-e-3, gemini/imagen-3.0-generate-002. */
const DALL_E_3_PER_IMAGE = 0.04;
const IMAGEN_3_PER_IMAGE = 0.03;

function configYaml(openaiUrl: string, mistralUrl: string, cohereUrl: string, jinaUrl: string, geminiUrl: string): string {
  return `
models:
  - { name: mock-echo, provider: mock, capabilities: [chat] }
  - { name: omni-moderation-latest, provider: openai, capabilities: [moderation] }
  - { name: mistral-moderation, provider: mistral, upstream_model: mistral-moderation-latest, capabilities: [moderation] }
  - { name: rerank-v3.5, provider: cohere, capabilities: [rerank] }
  - { name: jina-reranker, provider: jina, upstream_model: jina-reranker-v2-base-multilingual, capabilities: [rerank] }
  - { name: dall-e-3, provider: openai, capabilities: [image_generation] }
  - { name: imagen, provider: gemini, upstream_model: imagen-3.0-generate-002, capabilities: [image_generation] }
providers:
  mock: {}
  openai: { base_url: "${openaiUrl}/v1", api_key_env: KINDS_OPENAI_KEY }
  mistral: { base_url: "${mistralUrl}/v1", api_key_env: KINDS_MISTRAL_KEY }
  cohere: { base_url: "${cohereUrl}/v2", api_key_env: KINDS_COHERE_KEY }
  jina: { base_url: "${jinaUrl}/v1", api_key_env: KINDS_JINA_KEY }
  gemini: { base_url: "${geminiUrl}/v1beta", api_key_env: KINDS_GEMINI_KEY }
auth: { api_keys_env: KINDS_GATEWAY_KEYS }
`;
}

async function failure(promise: Promise<unknown>): Promise<{ status?: number; error?: { code?: string; param?: string; message?: string }; code?: number; details?: string; metadata?: grpc.Metadata }> {
  try {
    await promise;
  } catch (error) {
    return error as never;
  }
  throw new Error('expected the call to fail');
}

export function describeKinds(mode: string, start: StartHttpGateway): void {
  describe(`request kinds beyond chat (${mode})`, () => {
    let gateway: HttpGatewayUnderTest;
    let openaiUpstream: ReplayServer;
    let mistralUpstream: ReplayServer;
    let cohereUpstream: ReplayServer;
    let jinaUpstream: ReplayServer;
    let geminiUpstream: ReplayServer;
    let openai: OpenAI;
    let client: AiGatewayClient;
    const usageRow = (requestId: string) =>
      eventually(async () => (await gateway.query(`SELECT *, cost_usd::float8 AS cost FROM usage_events WHERE request_id = $1`, [requestId]))[0], `usage row ${requestId}`);
    const credentials = () => {
      const metadata = new grpc.Metadata();
      metadata.set('authorization', `Bearer ${GATEWAY_KEY}`);
      return metadata;
    };

    beforeAll(async () => {
      [openaiUpstream, mistralUpstream, cohereUpstream, jinaUpstream, geminiUpstream] = await Promise.all([1, 2, 3, 4, 5].map(() => ReplayServer.start()));
      gateway = await start(configYaml(openaiUpstream.baseUrl, mistralUpstream.baseUrl, cohereUpstream.baseUrl, jinaUpstream.baseUrl, geminiUpstream.baseUrl), {
        KINDS_OPENAI_KEY: 'sk-upstream-openai',
        KINDS_MISTRAL_KEY: 'upstream-mistral',
        KINDS_COHERE_KEY: 'upstream-cohere',
        KINDS_JINA_KEY: 'upstream-jina',
        KINDS_GEMINI_KEY: 'upstream-gemini',
        KINDS_GATEWAY_KEYS: GATEWAY_KEY,
      });
      openai = new OpenAI({ baseURL: `${gateway.httpUrl}/v1`, apiKey: GATEWAY_KEY });
      client = createGatewayClient(gateway.grpcAddress);
    });

    afterEach(() => {
      for (const upstream of [openaiUpstream, mistralUpstream, cohereUpstream, jinaUpstream, geminiUpstream]) upstream.reset();
    });

    afterAll(async () => {
      client?.close();
      await gateway?.stop();
      await Promise.all([openaiUpstream, mistralUpstream, cohereUpstream, jinaUpstream, geminiUpstream].map((upstream) => upstream?.close()));
    });

    describe('moderation', () => {
      it('classifies through the OpenAI SDK on OpenAI, at no cost, with the tokens counted on the row', async () => {
        openaiUpstream.on('POST', '/v1/moderations', reply.json(OPENAI_MODERATION));
        const moderation = await openai.moderations.create({ model: 'omni-moderation-latest', input: TEXTS });
        expect(moderation.model).toBe('omni-moderation-latest');
        expect(moderation.results.map((result) => result.flagged)).toEqual([true, false]);
        expect(moderation.results[0].categories.violence).toBe(true);
        expect(moderation.results[0].category_scores.violence).toBe(OPENAI_MODERATION.results[0].category_scores.violence);
        expect(openaiUpstream.onlyRequest().body).toEqual({ model: 'omni-moderation-latest', input: TEXTS });

        const row = await usageRow(moderation.id);
        expect(row).toMatchObject({ kind: 'moderation', model: 'omni-moderation-latest', provider: 'openai', upstream_model: 'omni-moderation-latest', status: 'ok', stream: false });
        expect(row).toMatchObject({ prompt_tokens: countTexts(TEXTS), completion_tokens: 0, tokens_estimated: true, cost: 0 });
      });

      it('classifies through the OpenAI SDK on Mistral, flagged from its categories and priced per input token', async () => {
        mistralUpstream.on('POST', '/v1/moderations', reply.json(MISTRAL_MODERATION));
        const moderation = await openai.moderations.create({ model: 'mistral-moderation', input: TEXTS });
        expect(moderation.results).toEqual([
          { flagged: true, categories: MISTRAL_MODERATION.results[0].categories, category_scores: MISTRAL_MODERATION.results[0].category_scores },
          { flagged: false, categories: MISTRAL_MODERATION.results[1].categories, category_scores: MISTRAL_MODERATION.results[1].category_scores },
        ]);
        expect(mistralUpstream.onlyRequest().body).toEqual({ model: 'mistral-moderation-latest', input: TEXTS });

        const tokens = countTexts(TEXTS);
        const row = await usageRow(moderation.id);
        expect(row).toMatchObject({ kind: 'moderation', model: 'mistral-moderation', provider: 'mistral', upstream_model: 'mistral-moderation-latest', status: 'ok' });
        expect(row).toMatchObject({ prompt_tokens: tokens, tokens_estimated: true, cost: (tokens * MISTRAL_MODERATION_PER_MTOK) / 1e6 });
      });

      it('classifies over gRPC, with the same row', async () => {
        mistralUpstream.on('POST', '/v1/moderations', reply.json(MISTRAL_MODERATION));
        const response = await new Promise<ModerationResponse__Output>((resolve, reject) =>
          client.Moderate({ model: 'mistral-moderation', input: TEXTS, metadata: { team: 'trust' } }, credentials(), (error, answer) => (error ? reject(error) : resolve(answer!))),
        );
        expect(response).toMatchObject({ model: 'mistral-moderation', provider: 'mistral' });
        expect(response.results.map((result) => result.flagged)).toEqual([true, false]);
        expect(response.results[0].category_scores).toEqual(MISTRAL_MODERATION.results[0].category_scores);
        const tokens = countTexts(TEXTS);
        expect(response.usage).toMatchObject({ prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens });
        expect(response.cost_usd).toBeCloseTo((tokens * MISTRAL_MODERATION_PER_MTOK) / 1e6, 12);
        const row = await usageRow(response.id);
        expect(row).toMatchObject({ kind: 'moderation', provider: 'mistral', prompt_tokens: tokens, metadata: { team: 'trust' } });
        expect(row.cost).toBeCloseTo(response.cost_usd, 12);
      });

      it('refuses bad input the same way at both front doors, each in its own shape, before any provider call', async () => {
        const http = await failure(openai.moderations.create({ model: 'omni-moderation-latest', input: [] }, NO_RETRY));
        expect(http.status).toBe(400);
        expect(http.error).toMatchObject({ code: 'invalid_request', param: 'input' });
        const grpcError = await failure(
          new Promise((resolve, reject) => client.Moderate({ model: 'omni-moderation-latest', input: [] }, credentials(), (error, answer) => (error ? reject(error) : resolve(answer)))),
        );
        expect(grpcError.code).toBe(grpc.status.INVALID_ARGUMENT);
        expect(grpcError.details).toContain('input');
        expect(grpcError.metadata!.get('switchyard-error-code')).toEqual(['invalid_request']);
        const image = await failure(openai.moderations.create({ model: 'omni-moderation-latest', input: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }, NO_RETRY));
        expect(image).toMatchObject({ status: 400, error: { param: 'input[0]' } });
        expect(openaiUpstream.requests).toEqual([]);
      });

      it('refuses a model without the moderation capability with unsupported_capability, and records the refusal', async () => {
        // Rows of this call only: a distributed run's database outlives the run.
        const since = new Date(Date.now() - 1000);
        const refused = await failure(openai.moderations.create({ model: 'mock-echo', input: 'hello' }, NO_RETRY));
        expect(refused).toMatchObject({ status: 400, error: { code: 'unsupported_capability' } });
        const rows = await eventually(async () => {
          const found = await gateway.query(`SELECT kind, status, error_code FROM usage_events WHERE model = 'mock-echo' AND kind = 'moderation' AND ts >= $1`, [since]);
          return found.length > 0 ? found : undefined;
        }, 'the refused request\'s row');
        expect(rows).toEqual([{ kind: 'moderation', status: 'error', error_code: 'unsupported_capability' }]);
      });
    });

    describe('rerank', () => {
      const rerank = (body: object, key = GATEWAY_KEY) =>
        fetch(`${gateway.httpUrl}/v1/rerank`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const { query, documents } = RERANK_REQUEST;

      it('ranks over plain HTTP in Cohere\'s format on Cohere, priced per search unit', async () => {
        cohereUpstream.on('POST', '/v2/rerank', reply.json(COHERE_RERANK_RESPONSE));
        const response = await rerank({ model: 'rerank-v3.5', query, documents, top_n: 2 });
        expect(response.status).toBe(200);
        const body = (await response.json()) as { id: string; results: unknown; meta: unknown };
        expect(body.results).toEqual(COHERE_RERANK_RESPONSE.results);
        expect(body.meta).toEqual({ api_version: { version: '2' }, billed_units: { search_units: 1 } });
        expect(cohereUpstream.onlyRequest().body).toEqual({ model: 'rerank-v3.5', query, documents, top_n: 2 });

        const row = await usageRow(body.id);
        expect(row).toMatchObject({ kind: 'rerank', model: 'rerank-v3.5', provider: 'cohere', status: 'ok', search_units: 1, prompt_tokens: 0, tokens_estimated: false, cost: COHERE_PER_SEARCH_UNIT });
      });

      it('ranks over gRPC on Jina, priced per token, with no search units', async () => {
        jinaUpstream.on('POST', '/v1/rerank', reply.json(JINA_RERANK));
        const response = await new Promise<RerankResponse__Output>((resolve, reject) =>
          client.Rerank({ model: 'jina-reranker', query, documents, top_n: 2 }, credentials(), (error, answer) => (error ? reject(error) : resolve(answer!))),
        );
        expect(response).toMatchObject({ model: 'jina-reranker', provider: 'jina', search_units: 0 });
        expect(response.results).toEqual(JINA_RERANK.results);
        expect(response.usage).toMatchObject({ prompt_tokens: JINA_RERANK.usage.total_tokens });
        const cost = (JINA_RERANK.usage.total_tokens * JINA_RERANK_PER_MTOK) / 1e6;
        expect(response.cost_usd).toBeCloseTo(cost, 12);
        expect(jinaUpstream.onlyRequest().body).toEqual({ model: 'jina-reranker-v2-base-multilingual', query, documents, top_n: 2, return_documents: false });
        const row = await usageRow(response.id);
        expect(row).toMatchObject({ kind: 'rerank', provider: 'jina', search_units: 0, prompt_tokens: JINA_RERANK.usage.total_tokens, tokens_estimated: false });
        expect(row.cost).toBeCloseTo(cost, 12);
      });

      it('refuses bad input in Cohere\'s error shape over HTTP and as INVALID_ARGUMENT over gRPC, before any provider call', async () => {
        const tooMany = await rerank({ model: 'rerank-v3.5', query, documents: Array.from({ length: 1001 }, () => 'd') });
        expect(tooMany.status).toBe(400);
        expect(await tooMany.json()).toEqual({ message: 'documents holds 1001 documents; at most 1000 are accepted' });
        const noQuery = await rerank({ model: 'rerank-v3.5', documents });
        expect(noQuery.status).toBe(400);
        expect(await noQuery.json()).toEqual({ message: expect.stringContaining('query') });
        const grpcError = await failure(
          new Promise((resolve, reject) => client.Rerank({ model: 'rerank-v3.5', query: '', documents }, credentials(), (error, answer) => (error ? reject(error) : resolve(answer)))),
        );
        expect(grpcError.code).toBe(grpc.status.INVALID_ARGUMENT);
        expect(grpcError.details).toContain('query');
        const unauthenticated = await rerank({ model: 'rerank-v3.5', query, documents }, 'sk-wrong');
        expect(unauthenticated.status).toBe(401);
        expect(await unauthenticated.json()).toEqual({ message: 'the gateway key is not valid' });
        expect(cohereUpstream.requests).toEqual([]);
      });
    });

    describe('image generation', () => {
      it('generates through the OpenAI SDK on OpenAI, priced per image', async () => {
        const since = new Date(Date.now() - 1000);
        openaiUpstream.on('POST', '/v1/images/generations', reply.json(OPENAI_IMAGES));
        const images = await openai.images.generate({ model: 'dall-e-3', prompt: 'A watercolour lighthouse at dawn', size: '1024x1024', response_format: 'b64_json' });
        expect(images.data).toEqual([{ b64_json: OPENAI_IMAGES.data[0].b64_json, revised_prompt: OPENAI_IMAGES.data[0].revised_prompt }]);
        expect(openaiUpstream.onlyRequest().body).toEqual({ model: 'dall-e-3', prompt: 'A watercolour lighthouse at dawn', size: '1024x1024', response_format: 'b64_json' });
        const rows = await eventually(async () => {
          const found = await gateway.query(`SELECT *, cost_usd::float8 AS cost FROM usage_events WHERE kind = 'image_generation' AND provider = 'openai' AND ts >= $1`, [since]);
          return found.length > 0 ? found : undefined;
        }, 'the generation\'s row');
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ model: 'dall-e-3', status: 'ok', images: 1, search_units: 0, cost: DALL_E_3_PER_IMAGE });
      });

      it('generates over gRPC on Imagen, the images as bytes, priced per image made', async () => {
        geminiUpstream.on('POST', '/v1beta/models/imagen-3.0-generate-002:predict', reply.json(IMAGEN_PREDICT_RESPONSE));
        const response = await new Promise<ImageGenerationResponse__Output>((resolve, reject) =>
          client.GenerateImage({ model: 'imagen', prompt: 'A watercolour lighthouse at dawn', n: 2, size: '1024x1024' }, credentials(), (error, answer) => (error ? reject(error) : resolve(answer!))),
        );
        expect(response.data.map((image) => Buffer.from(image.image).toString('base64'))).toEqual(IMAGEN_PREDICT_RESPONSE.predictions.map((prediction) => prediction.bytesBase64Encoded));
        expect(response).toMatchObject({ model: 'imagen', provider: 'gemini', images: 2 });
        expect(response.cost_usd).toBeCloseTo(2 * IMAGEN_3_PER_IMAGE, 12);
        expect(geminiUpstream.onlyRequest().body).toEqual({ instances: [{ prompt: 'A watercolour lighthouse at dawn' }], parameters: { sampleCount: 2, aspectRatio: '1:1' } });
        const row = await usageRow(response.id);
        expect(row).toMatchObject({ kind: 'image_generation', provider: 'gemini', upstream_model: 'imagen-3.0-generate-002', images: 2, cost: 2 * IMAGEN_3_PER_IMAGE });
      });

      it('refuses bad input alike at both front doors, in each one\'s shape, before any provider call', async () => {
        const tooMany = await failure(openai.images.generate({ model: 'dall-e-3', prompt: 'p', n: 11 }, NO_RETRY));
        expect(tooMany).toMatchObject({ status: 400, error: { code: 'invalid_request', param: 'n' } });
        const url = await failure(openai.images.generate({ model: 'dall-e-3', prompt: 'p', response_format: 'url' }, NO_RETRY));
        expect(url).toMatchObject({ status: 400, error: { param: 'response_format' } });
        const grpcError = await failure(
          new Promise((resolve, reject) => client.GenerateImage({ model: 'imagen', prompt: 'p', size: '1024 by 1024' }, credentials(), (error, answer) => (error ? reject(error) : resolve(answer)))),
        );
        expect(grpcError.code).toBe(grpc.status.INVALID_ARGUMENT);
        expect(grpcError.details).toContain('size');
        expect([...openaiUpstream.requests, ...geminiUpstream.requests]).toEqual([]);
      });
    });
  });
}
