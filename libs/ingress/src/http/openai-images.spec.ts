import { InvalidFieldError } from '@switchyard/contracts';
import { DEFAULT_IMAGE_MODEL, fromOpenAIImagesRequest, toOpenAIImages } from './openai-images';

describe('OpenAI images format', () => {
  it('takes the prompt, count, size and user, with OpenAI\'s default model, and size auto as no size', () => {
    expect(fromOpenAIImagesRequest({ prompt: 'p' })).toEqual({ model: DEFAULT_IMAGE_MODEL, prompt: 'p' });
    expect(fromOpenAIImagesRequest({ model: 'dall-e-3', prompt: 'p', n: 2, size: '1024x1024', user: 'u', quality: 'hd', response_format: 'b64_json' })).toEqual({ model: 'dall-e-3', prompt: 'p', n: 2, size: '1024x1024', user: 'u' });
    expect(fromOpenAIImagesRequest({ model: 'gpt-image-1', prompt: 'p', size: 'auto' })).toEqual({ model: 'gpt-image-1', prompt: 'p' });
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
