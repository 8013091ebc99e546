import { InvalidFieldError, validateImageGenerationRequest } from '@switchyard/contracts';
import { DEFAULT_IMAGE_MODEL, fromOpenAIImagesRequest, toOpenAIImages } from './openai-images';

describe('OpenAI images format', () => {
  it('takes the prompt, count, size, quality, style and user, with OpenAI\'s default model, and size or quality auto as none', () => {
    expect(fromOpenAIImagesRequest({ prompt: 'p' })).toEqual({ model: DEFAULT_IMAGE_MODEL, prompt: 'p' });
    expect(fromOpenAIImagesRequest({ model: 'dall-e-3', prompt: 'p', n: 2, size: '1024x1024', user: 'u', quality: 'hd', style: 'natural', response_format: 'b64_json' })).toEqual({ model: 'dall-e-3', prompt: 'p', n: 2, size: '1024x1024', user: 'u', quality: 'hd', style: 'natural' });
    expect(fromOpenAIImagesRequest({ model: 'gpt-image-1', prompt: 'p', size: 'auto', quality: 'auto' })).toEqual({ model: 'gpt-image-1', prompt: 'p' });
  });

  it('passes a quality or style it does not know on to validation, which refuses it naming the field', () => {
    const request = fromOpenAIImagesRequest({ model: 'dall-e-3', prompt: 'p', quality: 'ultra', style: 'cartoon' });
    expect(request).toEqual({ model: 'dall-e-3', prompt: 'p', quality: 'ultra', style: 'cartoon' });
    expect(() => validateImageGenerationRequest(request)).toThrow(new InvalidFieldError('quality', 'is "ultra"; expected one of standard, hd, low, medium, high'));
  });

  it('refuses a quality that is no string, naming the field', () => {
    expect(() => fromOpenAIImagesRequest({ prompt: 'p', quality: 1 })).toThrow(expect.objectContaining({ code: 'invalid_request', param: 'quality' }));
  });

  it('refuses response_format url, which not every provider can honour', () => {
    expect(() => fromOpenAIImagesRequest({ prompt: 'p', response_format: 'url' })).toThrow(
      new InvalidFieldError('response_format', 'must be b64_json: the gateway returns images inline, as not every provider hosts them'),
    );
  });

  it('answers with created and the images, without the gateway\'s fields', () => {
    const response = { id: 'req-1', model: 'm', provider: 'gemini', created: 1764726000, data: [{ b64_json: 'AAAA', revised_prompt: 'r' }, { url: 'https://x/y.png' }], usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, images: 2 }, cost_usd: 0.06 };
    expect(toOpenAIImages(response)).toEqual({ created: 1764726000, data: [{ b64_json: 'AAAA', revised_prompt: 'r' }, { url: 'https://x/y.png' }] });
  });
});
