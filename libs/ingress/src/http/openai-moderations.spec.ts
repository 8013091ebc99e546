import { InvalidFieldError } from '@switchyard/contracts';
import { DEFAULT_MODERATION_MODEL, fromOpenAIModerationsRequest, toOpenAIModerations } from './openai-moderations';

function refusal(run: () => void): { param: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidFieldError) return { param: error.param, message: error.message };
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('OpenAI moderations format', () => {
  it('takes a string, an array of strings, or text parts, and the model OpenAI defaults to when none is named', () => {
    expect(fromOpenAIModerationsRequest({ input: 'hello' })).toEqual({ model: DEFAULT_MODERATION_MODEL, input: ['hello'] });
    expect(fromOpenAIModerationsRequest({ model: 'm', input: ['a', 'b'] })).toEqual({ model: 'm', input: ['a', 'b'] });
    expect(fromOpenAIModerationsRequest({ model: 'm', input: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] })).toEqual({ model: 'm', input: ['a', 'b'] });
  });

  it.each([
    ['no input', { model: 'm' }, 'input', 'input is required'],
    ['a number', { model: 'm', input: 7 }, 'input', 'input must be a string, an array of strings, or an array of text parts'],
    ['an image part', { model: 'm', input: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }, 'input[0]', 'input[0] is an image; the gateway moderates text only'],
  ])('refuses %s with the field named', (_name, body, param, message) => {
    expect(refusal(() => fromOpenAIModerationsRequest(body))).toEqual({ param, message });
  });

  it('answers with OpenAI\'s fields and nothing of the gateway\'s', () => {
    const verdict = { flagged: true, categories: { violence: true }, category_scores: { violence: 0.9 } };
    const response = { id: 'req-1', model: 'm', provider: 'openai', results: [verdict], usage: { prompt_tokens: 3, completion_tokens: 0, total_tokens: 3 }, cost_usd: 0 };
    expect(toOpenAIModerations(response)).toEqual({ id: 'req-1', model: 'm', results: [verdict] });
  });
});
