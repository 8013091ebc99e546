import { GatewayError, type ImageGenerationRequest, type ImageGenerationResult } from '@switchyard/contracts';
import { reply, runKindConformanceSuite } from '../testing';
import { geminiProviderFactory } from './adapter';
import { geminiErrors, IMAGEN_PREDICT_RESPONSE } from './gemini.fixtures';
import { toImagenRequest } from './imagen';

const KEY = 'AIzaSy-test-imagen-0d3f5a';
const REQUEST: ImageGenerationRequest = { model: 'imagen-3.0-generate-002', prompt: 'A watercolour lighthouse at dawn', n: 2, size: '1920x1080' };

runKindConformanceSuite<ImageGenerationResult>({
  name: 'gemini imagen',
  createAdapter: (baseUrl) => geminiProviderFactory({ base_url: `${baseUrl}/v1beta` }, { GEMINI_API_KEY: KEY }),
  apiKey: KEY,
  call: (adapter, options) => adapter.generateImage!(REQUEST, options),
  route: { path: '/v1beta/models/imagen-3.0-generate-002:predict' },
  answer: {
    reply: reply.json(IMAGEN_PREDICT_RESPONSE),
    expected: { data: IMAGEN_PREDICT_RESPONSE.predictions.map((prediction) => ({ b64_json: prediction.bytesBase64Encoded })) },
    expectRequest: (request) => {
      expect(request.headers['x-goog-api-key']).toBe(KEY);
      // 1920x1080 goes as Imagen's 16:9.
      expect(request.body).toEqual({ instances: [{ prompt: 'A watercolour lighthouse at dawn' }], parameters: { sampleCount: 2, aspectRatio: '16:9' } });
    },
  },
  badAnswers: {
    'an answer whose every image was filtered out': reply.json({}),
    'predictions without image bytes': reply.json({ predictions: [{ mimeType: 'image/png' }] }),
  },
  errors: geminiErrors(),
});

describe('Imagen sizes', () => {
  it('sends a size as its aspect ratio, and refuses one Imagen does not make, naming the field', () => {
    expect(toImagenRequest({ model: 'imagen', prompt: 'p', size: '1024x1024' }).parameters).toEqual({ sampleCount: 1, aspectRatio: '1:1' });
    expect(toImagenRequest({ model: 'imagen', prompt: 'p', size: '768x1024' }).parameters).toEqual({ sampleCount: 1, aspectRatio: '3:4' });
    expect(() => toImagenRequest({ model: 'imagen', prompt: 'p', size: '1792x1024' })).toThrow(new GatewayError('invalid_request', 'Imagen makes images of aspect ratio 1:1, 3:4, 4:3, 9:16, 16:9; size 1792x1024 is 7:4'));
  });
});

describe('Imagen quality and style', () => {
  it.each([
    ['quality', { quality: 'hd' as const }],
    ['style', { style: 'natural' as const }],
  ])('refuses a %s, which Imagen\'s parameters have no place for, naming the field', (param, asked) => {
    expect(() => toImagenRequest({ model: 'imagen', prompt: 'p', ...asked })).toThrow(expect.objectContaining({ code: 'invalid_request', param, message: `Imagen takes no ${param}; send the request without it` }));
  });
});
