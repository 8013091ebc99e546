import type { ImageGenerationRequest, ImageGenerationResult } from '@switchyard/contracts';
import { errorFixtures, fixtureJson, OPENAI_ERROR_MESSAGES, OPENAI_FIXTURES_DIR } from '../openai-compatible/testing';
import { ReplayServer, reply, runKindConformanceSuite } from '../testing';
import { openaiProviderFactory } from './index';

const KEY = 'sk-proj-test-images-91b4f0c2';
const REQUEST: ImageGenerationRequest = { model: 'dall-e-3', prompt: 'A watercolour lighthouse at dawn', size: '1024x1024', user: 'u-7' };
const documented = fixtureJson<{ data: { b64_json: string; revised_prompt: string }[] }>(OPENAI_FIXTURES_DIR, 'images.json');
const createAdapter = (baseUrl: string) => openaiProviderFactory({ base_url: `${baseUrl}/v1` }, { OPENAI_API_KEY: KEY });

runKindConformanceSuite<ImageGenerationResult>({
  name: 'openai image generation',
  createAdapter,
  apiKey: KEY,
  call: (adapter, options) => adapter.generateImage!(REQUEST, options),
  route: { path: '/v1/images/generations' },
  answer: {
    reply: reply.json(documented),
    expected: { data: [{ b64_json: documented.data[0].b64_json, revised_prompt: documented.data[0].revised_prompt }], size: '1024x1024', quality: 'standard' },
    expectRequest: (request) => {
      expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
      // DALL-E models are asked for base64, which the gateway returns inline.
      expect(request.body).toEqual({ model: 'dall-e-3', prompt: 'A watercolour lighthouse at dawn', size: '1024x1024', user: 'u-7', response_format: 'b64_json' });
    },
  },
  badAnswers: {
    'an answer without images': reply.json({ created: 1764726000, data: [] }),
    'an image with neither b64_json nor url': reply.json({ created: 1764726000, data: [{ revised_prompt: 'x' }] }),
  },
  errors: errorFixtures(OPENAI_FIXTURES_DIR, 'errors.json', OPENAI_ERROR_MESSAGES, 20_000),
});

describe('openai DALL-E', () => {
  it.each([
    ['dall-e-3', { size: '1792x1024' }, { size: '1792x1024', quality: 'standard' }],
    ['dall-e-3', {}, { size: '1024x1024', quality: 'standard' }],
    ['dall-e-2', { size: '256x256' }, { size: '256x256', quality: 'standard' }],
    ['dall-e-2', {}, { size: '1024x1024', quality: 'standard' }],
    ['dall-e-3', { size: '1792x1024', quality: 'hd' as const, style: 'natural' as const }, { size: '1792x1024', quality: 'hd' }],
    ['dall-e-3', { quality: 'standard' as const, style: 'vivid' as const }, { size: '1024x1024', quality: 'standard' }],
    ['dall-e-2', { size: '512x512', quality: 'standard' as const }, { size: '512x512', quality: 'standard' }],
  ])('says %s was asked for the size %j and the quality it prices the images by', async (model, asked, expected) => {
    const server = await ReplayServer.start();
    try {
      server.on('POST', '/v1/images/generations', reply.json(documented));
      const result = await createAdapter(server.baseUrl).generateImage!({ model, prompt: 'a lighthouse', ...asked }, { signal: AbortSignal.timeout(5000) });
      expect(server.onlyRequest().body).toEqual({ model, prompt: 'a lighthouse', ...asked, response_format: 'b64_json' });
      expect(result).toMatchObject(expected);
    } finally {
      await server.close();
    }
  });
});

describe('openai DALL-E qualities', () => {
  it.each([
    ['dall-e-3', 'low', 'dall-e-3 makes images of quality standard, hd; quality low is not one'],
    ['dall-e-2', 'hd', 'dall-e-2 makes images of quality standard; quality hd is not one'],
  ] as const)('refuses %s a quality %s it does not make, since the image would be billed at a price it has not, and sends nothing', async (model, quality, message) => {
    const server = await ReplayServer.start();
    try {
      server.on('POST', '/v1/images/generations', reply.json(documented));
      const call = createAdapter(server.baseUrl).generateImage!({ model, prompt: 'a lighthouse', quality }, { signal: AbortSignal.timeout(5000) });
      await expect(call).rejects.toMatchObject({ code: 'invalid_request', param: 'quality', message });
      expect(server.requests).toEqual([]);
    } finally {
      await server.close();
    }
  });
});

describe('openai gpt-image-1', () => {
  it('is sent the quality asked, and reports none, since its images are billed in tokens', async () => {
    const server = await ReplayServer.start();
    try {
      server.on('POST', '/v1/images/generations', reply.json({ created: 1764726000, data: [{ b64_json: documented.data[0].b64_json }], usage: { input_tokens: 12, output_tokens: 4160, total_tokens: 4172 } }));
      const result = await createAdapter(server.baseUrl).generateImage!({ model: 'gpt-image-1', prompt: 'a lighthouse', quality: 'high' }, { signal: AbortSignal.timeout(5000) });
      expect(server.onlyRequest().body).toEqual({ model: 'gpt-image-1', prompt: 'a lighthouse', quality: 'high' });
      expect(result).toEqual({ data: [{ b64_json: documented.data[0].b64_json }], usage: { prompt_tokens: 12, completion_tokens: 4160, total_tokens: 4172 } });
    } finally {
      await server.close();
    }
  });

  it('is not sent response_format, which it refuses, and its token usage is read', async () => {
    const server = await ReplayServer.start();
    try {
      server.on('POST', '/v1/images/generations', reply.json({ created: 1764726000, data: [{ b64_json: documented.data[0].b64_json }], usage: { input_tokens: 12, output_tokens: 4160, total_tokens: 4172 } }));
      const result = await createAdapter(server.baseUrl).generateImage!({ model: 'gpt-image-1', prompt: 'a lighthouse', n: 1 }, { signal: AbortSignal.timeout(5000) });
      expect(server.onlyRequest().body).toEqual({ model: 'gpt-image-1', prompt: 'a lighthouse', n: 1 });
      expect(result).toEqual({ data: [{ b64_json: documented.data[0].b64_json }], usage: { prompt_tokens: 12, completion_tokens: 4160, total_tokens: 4172 } });
    } finally {
      await server.close();
    }
  });
});
