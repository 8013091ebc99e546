import { GatewayError, InvalidFieldError } from '@switchyard/contracts';
import { fromCohereRerankRequest, toCohereError, toCohereRerank } from './cohere-rerank';

const usage = (extra: object) => ({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, ...extra });

describe('Cohere rerank format', () => {
  it('takes documents as strings or v1\'s text objects, and top_n', () => {
    expect(fromCohereRerankRequest({ model: 'r', query: 'q', documents: ['a', { text: 'b' }], top_n: 1, max_tokens_per_doc: 512 })).toEqual({ model: 'r', query: 'q', documents: ['a', 'b'], top_n: 1 });
  });

  it('refuses documents that are neither, naming the field', () => {
    expect(() => fromCohereRerankRequest({ model: 'r', query: 'q', documents: [7] })).toThrow(new InvalidFieldError('documents[0]', 'must be a string or an object with text'));
  });

  it('answers with the ranking and what was billed: search units, or input tokens', () => {
    const response = { id: 'req-1', model: 'r', provider: 'cohere', results: [{ index: 1, relevance_score: 0.9 }], cost_usd: 0.002 };
    expect(toCohereRerank({ ...response, usage: usage({ search_units: 1 }) })).toEqual({ id: 'req-1', results: [{ index: 1, relevance_score: 0.9 }], meta: { api_version: { version: '2' }, billed_units: { search_units: 1 } } });
    expect(toCohereRerank({ ...response, usage: usage({ prompt_tokens: 186, total_tokens: 186 }) }).meta.billed_units).toEqual({ input_tokens: 186 });
  });

  it('puts errors in Cohere\'s shape', () => {
    expect(toCohereError(new GatewayError('model_not_found', 'no such model'))).toEqual({ message: 'no such model' });
  });
});
