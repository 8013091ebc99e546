// The request kinds beyond chat and embeddings (docs/kinds.md), end to end, run against the embedded mode
// (kinds.spec.ts) and the distributed mode (kinds.integration.spec.ts) alike: the official OpenAI SDK
// and the gRPC client call the gateway, whose provider blocks point at replay servers answering with
// each provider's documented wire fixtures; every answer's usage row is read back and checked against it.
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import OpenAI, { toFile } from 'openai';
import { createGatewayClient, type AiGatewayClient } from '@switchyard/client';
import type { ModerationResponse__Output } from '@switchyard/contracts/generated/aigateway/v1/ModerationResponse';
import type { RerankResponse__Output } from '@switchyard/contracts/generated/aigateway/v1/RerankResponse';
import type { ImageGenerationResponse__Output } from '@switchyard/contracts/generated/aigateway/v1/ImageGenerationResponse';
import type { TranscriptionResponse__Output } from '@switchyard/contracts/generated/aigateway/v1/TranscriptionResponse';
import { LIMITS } from '@switchyard/contracts';
import { MOCK_TRANSCRIPT } from '@switchyard/providers';
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
const PROVIDERS_DIR = join(__dirname, '..', '..', '..', 'libs', 'providers', 'src');
const WHISPER_VERBOSE = fixtureJson<{ text: string; language: string; duration: number; segments: { start: number; end: number; text: string }[] }>(OPENAI_FIXTURES_DIR, 'transcription-verbose.json');
const GROQ_VERBOSE = fixtureJson<{ text: string; duration: number; segments: { start: number; end: number; text: string }[] }>(join(PROVIDERS_DIR, 'groq', 'fixtures'), 'transcription-verbose.json');
const DEEPGRAM_LISTEN = fixtureJson<{ metadata: { duration: number }; results: { channels: { alternatives: { transcript: string }[] }[] } }>(join(PROVIDERS_DIR, 'deepgram', 'fixtures'), 'listen.json');
/** The built-in prices per minute of audio: openai/whisper-1, groq/whisper-large-v3, deepgram/nova-3. */
const WHISPER_1_PER_MINUTE = 0.006;
const GROQ_WHISPER_PER_MINUTE = 0.00185;
const NOVA_3_PER_MINUTE = 0.0043;

/** A PCM WAV file of silence: 16 kHz, mono, 16-bit. */
function wavFile(seconds: number): Buffer {
  const sampleRate = 16_000;
  const data = Math.round(seconds * sampleRate) * 2;
  const wav = Buffer.alloc(44 + data);
  wav.write('RIFF', 0, 'latin1');
  wav.writeUInt32LE(36 + data, 4);
  wav.write('WAVEfmt ', 8, 'latin1');
  wav.writeUInt32LE(16, 16);
  wav.writeUInt16LE(1, 20);
  wav.writeUInt16LE(1, 22);
  wav.writeUInt32LE(sampleRate, 24);
  wav.writeUInt32LE(sampleRate * 2, 28);
  wav.writeUInt16LE(2, 32);
  wav.writeUInt16LE(16, 34);
  wav.write('data', 36, 'latin1');
  wav.writeUInt32LE(data, 40);
  return wav;
}

/** A price per minute as metering rounds it, to 1e-10 USD. */
function perMinute(seconds: number, price: number): number {
  return Math.round((seconds / 60) * price * 1e10) / 1e10;
}

function configYaml(openaiUrl: string, mistralUrl: string, cohereUrl: string, jinaUrl: string, geminiUrl: string, groqUrl: string, deepgramUrl: string): string {
  return `
models:
  - { name: mock-echo, provider: mock, capabilities: [chat] }
  - { name: omni-moderation-latest, provider: openai, capabilities: [moderation] }
  - { name: mistral-moderation, provider: mistral, upstream_model: mistral-moderation-latest, capabilities: [moderation] }
  - { name: rerank-v3.5, provider: cohere, capabilities: [rerank] }
  - { name: jina-reranker, provider: jina, upstream_model: jina-reranker-v2-base-multilingual, capabilities: [rerank] }
  - { name: dall-e-3, provider: openai, capabilities: [image_generation] }
  - { name: imagen, provider: gemini, upstream_model: imagen-3.0-generate-002, capabilities: [image_generation] }
  - { name: whisper-1, provider: openai, capabilities: [transcription] }
  - { name: whisper-large-v3, provider: groq, capabilities: [transcription] }
  - { name: nova-3, provider: deepgram, capabilities: [transcription] }
  - { name: mock-transcribe, provider: mock, capabilities: [transcription] }
providers:
  mock: {}
  openai: { base_url: "${openaiUrl}/v1", api_key_env: KINDS_OPENAI_KEY }
  mistral: { base_url: "${mistralUrl}/v1", api_key_env: KINDS_MISTRAL_KEY }
  cohere: { base_url: "${cohereUrl}/v2", api_key_env: KINDS_COHERE_KEY }
  jina: { base_url: "${jinaUrl}/v1", api_key_env: KINDS_JINA_KEY }
  gemini: { base_url: "${geminiUrl}/v1beta", api_key_env: KINDS_GEMINI_KEY }
  groq: { base_url: "${groqUrl}/openai/v1", api_key_env: KINDS_GROQ_KEY }
  deepgram: { base_url: "${deepgramUrl}/v1", api_key_env: KINDS_DEEPGRAM_KEY }
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
    let groqUpstream: ReplayServer;
    let deepgramUpstream: ReplayServer;
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
      [openaiUpstream, mistralUpstream, cohereUpstream, jinaUpstream, geminiUpstream, groqUpstream, deepgramUpstream] = await Promise.all([1, 2, 3, 4, 5, 6, 7].map(() => ReplayServer.start()));
      gateway = await start(configYaml(openaiUpstream.baseUrl, mistralUpstream.baseUrl, cohereUpstream.baseUrl, jinaUpstream.baseUrl, geminiUpstream.baseUrl, groqUpstream.baseUrl, deepgramUpstream.baseUrl), {
        KINDS_OPENAI_KEY: 'sk-upstream-openai',
        KINDS_MISTRAL_KEY: 'upstream-mistral',
        KINDS_COHERE_KEY: 'upstream-cohere',
        KINDS_JINA_KEY: 'upstream-jina',
        KINDS_GEMINI_KEY: 'upstream-gemini',
        KINDS_GROQ_KEY: 'upstream-groq',
        KINDS_DEEPGRAM_KEY: 'upstream-deepgram',
        KINDS_GATEWAY_KEYS: GATEWAY_KEY,
      });
      openai = new OpenAI({ baseURL: `${gateway.httpUrl}/v1`, apiKey: GATEWAY_KEY });
      client = createGatewayClient(gateway.grpcAddress);
    });

    afterEach(() => {
      for (const upstream of [openaiUpstream, mistralUpstream, cohereUpstream, jinaUpstream, geminiUpstream, groqUpstream, deepgramUpstream]) upstream.reset();
    });

    afterAll(async () => {
      client?.close();
      await gateway?.stop();
      await Promise.all([openaiUpstream, mistralUpstream, cohereUpstream, jinaUpstream, geminiUpstream, groqUpstream, deepgramUpstream].map((upstream) => upstream?.close()));
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

    describe('transcription', () => {
      const rowsSince = (since: Date, provider: string) =>
        eventually(async () => {
          const found = await gateway.query(`SELECT *, cost_usd::float8 AS cost FROM usage_events WHERE kind = 'transcription' AND provider = $1 AND ts >= $2`, [provider, since]);
          return found.length > 0 ? found : undefined;
        }, `the ${provider} transcription's row`);
      const transcribe = (request: object) =>
        new Promise<TranscriptionResponse__Output>((resolve, reject) => client.Transcribe(request, credentials(), (error, answer) => (error ? reject(error) : resolve(answer!))));
      const postForm = (form: FormData) => fetch(`${gateway.httpUrl}/v1/audio/transcriptions`, { method: 'POST', headers: { authorization: `Bearer ${GATEWAY_KEY}` }, body: form });

      it('transcribes through the OpenAI SDK on OpenAI\'s whisper-1, verbose_json, priced per minute of the audio it reported', async () => {
        const since = new Date(Date.now() - 1000);
        openaiUpstream.on('POST', '/v1/audio/transcriptions', reply.json(WHISPER_VERBOSE));
        const wav = wavFile(0.5);
        const transcription = await openai.audio.transcriptions.create({ file: await toFile(wav, 'beach.wav'), model: 'whisper-1', response_format: 'verbose_json', language: 'en', temperature: 0.2 });
        expect(transcription).toMatchObject({ task: 'transcribe', text: WHISPER_VERBOSE.text, language: 'english', duration: WHISPER_VERBOSE.duration });
        expect(transcription.segments!.map(({ start, end, text }) => ({ start, end, text }))).toEqual(WHISPER_VERBOSE.segments.map(({ start, end, text }) => ({ start, end, text })));
        const sent = openaiUpstream.onlyRequest();
        expect(sent.headers.authorization).toBe('Bearer sk-upstream-openai');
        // The file reached OpenAI byte for byte, in the form OpenAI documents.
        expect(sent.rawBody).toMatch(/name="file"; filename="beach.wav"/);
        expect(sent.bytes.includes(wav)).toBe(true);
        expect(sent.rawBody).toMatch(/name="response_format"\r\n\r\nverbose_json\r\n/);

        const rows = await rowsSince(since, 'openai');
        expect(rows).toHaveLength(1);
        expect(rows[0]).toMatchObject({ model: 'whisper-1', upstream_model: 'whisper-1', status: 'ok', audio_seconds: WHISPER_VERBOSE.duration, prompt_tokens: 0, tokens_estimated: false });
        expect(rows[0].cost).toBeCloseTo(perMinute(WHISPER_VERBOSE.duration, WHISPER_1_PER_MINUTE), 10);
      });

      it('transcribes through the OpenAI SDK on Groq as SRT subtitles', async () => {
        const since = new Date(Date.now() - 1000);
        groqUpstream.on('POST', '/openai/v1/audio/transcriptions', reply.json(GROQ_VERBOSE));
        const srt = await openai.audio.transcriptions.create({ file: await toFile(wavFile(0.25), 'note.wav'), model: 'whisper-large-v3', response_format: 'srt' });
        expect(srt).toBe(`1\n00:00:00,000 --> 00:00:10,240\n${GROQ_VERBOSE.text.trim()}\n`);
        expect(groqUpstream.onlyRequest().headers.authorization).toBe('Bearer upstream-groq');
        const rows = await rowsSince(since, 'groq');
        expect(rows[0]).toMatchObject({ model: 'whisper-large-v3', status: 'ok', audio_seconds: GROQ_VERBOSE.duration });
        expect(rows[0].cost).toBeCloseTo(perMinute(GROQ_VERBOSE.duration, GROQ_WHISPER_PER_MINUTE), 10);
      });

      it('transcribes over gRPC on Deepgram, its own format, as WebVTT, with the row\'s seconds and cost', async () => {
        deepgramUpstream.on('POST', '/v1/listen', reply.json(DEEPGRAM_LISTEN));
        const wav = wavFile(0.25);
        const response = await transcribe({ model: 'nova-3', audio: wav, filename: 'spacewalk.wav', language: 'en', response_format: 'vtt', metadata: { team: 'voice' } });
        const transcript = DEEPGRAM_LISTEN.results.channels[0].alternatives[0].transcript;
        expect(response).toMatchObject({ model: 'nova-3', provider: 'deepgram', text: transcript, language: 'en', audio_seconds: DEEPGRAM_LISTEN.metadata.duration });
        expect(response.formatted).toBe(`WEBVTT\n\n00:00:00.000 --> 00:00:25.933\n${transcript}\n`);
        const cost = perMinute(DEEPGRAM_LISTEN.metadata.duration, NOVA_3_PER_MINUTE);
        expect(response.cost_usd).toBeCloseTo(cost, 10);
        const sent = deepgramUpstream.onlyRequest();
        expect(sent).toMatchObject({ query: { model: 'nova-3', smart_format: 'true', language: 'en' }, headers: { authorization: 'Token upstream-deepgram', 'content-type': 'audio/wav' } });
        expect(sent.bytes).toEqual(wav);
        const row = await usageRow(response.id);
        expect(row).toMatchObject({ kind: 'transcription', provider: 'deepgram', status: 'ok', audio_seconds: DEEPGRAM_LISTEN.metadata.duration, metadata: { team: 'voice' } });
        expect(row.cost).toBeCloseTo(cost, 10);
      });

      it('serves mock-transcribe offline: a WAV file\'s duration and the fixed text, and a clear 400 for other audio', async () => {
        const since = new Date(Date.now() - 1000);
        const transcription = await openai.audio.transcriptions.create({ file: await toFile(wavFile(2.5), 'silence.wav'), model: 'mock-transcribe', response_format: 'verbose_json' });
        expect(transcription).toMatchObject({ text: MOCK_TRANSCRIPT, duration: 2.5, language: 'en' });
        const json = await openai.audio.transcriptions.create({ file: await toFile(wavFile(1), 'silence.wav'), model: 'mock-transcribe' });
        expect(json.text).toBe(MOCK_TRANSCRIPT);
        const mp3 = await failure(openai.audio.transcriptions.create({ file: await toFile(Buffer.from('ID3\u0004 an mp3 file'), 'song.mp3'), model: 'mock-transcribe' }, NO_RETRY));
        expect(mp3).toMatchObject({ status: 400, error: { code: 'provider_invalid_request', message: expect.stringContaining('mock-transcribe reads WAV files only') } });
        const rows = await eventually(async () => {
          const found = await gateway.query<{ status: string; audio_seconds: number }>(`SELECT status, audio_seconds FROM usage_events WHERE model = 'mock-transcribe' AND ts >= $1 ORDER BY audio_seconds DESC`, [since]);
          return found.length === 3 ? found : undefined;
        }, 'the three mock-transcribe rows');
        expect(rows).toEqual([{ status: 'ok', audio_seconds: 2.5 }, { status: 'ok', audio_seconds: 1 }, { status: 'error', audio_seconds: 0 }]);
      });

      it('refuses a missing file, a file over 25 MB and an unknown response_format alike over HTTP and gRPC, before any provider call', async () => {
        const noFile = new FormData();
        noFile.append('model', 'whisper-1');
        const missing = await postForm(noFile);
        expect(missing.status).toBe(400);
        expect(await missing.json()).toEqual({ error: expect.objectContaining({ code: 'invalid_request', param: 'file', type: 'invalid_request_error' }) });

        const tooLarge = await failure(openai.audio.transcriptions.create({ file: await toFile(Buffer.alloc(LIMITS.audioBytes + 1), 'long.wav'), model: 'whisper-1' }, NO_RETRY));
        expect(tooLarge).toMatchObject({ status: 413, error: { code: 'request_too_large' } });

        const badFormat = await failure(openai.audio.transcriptions.create({ file: await toFile(wavFile(0.1), 'a.wav'), model: 'whisper-1', response_format: 'xml' as never }, NO_RETRY));
        expect(badFormat).toMatchObject({ status: 400, error: { code: 'invalid_request', param: 'response_format' } });

        const grpcMissing = await failure(transcribe({ model: 'nova-3', filename: 'a.wav' }));
        expect(grpcMissing.code).toBe(grpc.status.INVALID_ARGUMENT);
        expect(grpcMissing.details).toContain('file is required');
        const grpcFormat = await failure(transcribe({ model: 'nova-3', audio: wavFile(0.1), filename: 'a.wav', response_format: 'xml' }));
        expect(grpcFormat.code).toBe(grpc.status.INVALID_ARGUMENT);
        expect(grpcFormat.details).toContain('response_format');
        // Larger than the gRPC server takes (limits.max_request_bytes, 4 MiB by default): refused as it arrives.
        const grpcTooLarge = await failure(transcribe({ model: 'nova-3', audio: Buffer.alloc(5 * 1024 * 1024), filename: 'long.wav' }));
        expect(grpcTooLarge.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
        expect([...openaiUpstream.requests, ...deepgramUpstream.requests]).toEqual([]);
      });
    });
  });
}
