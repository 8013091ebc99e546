import { InvalidFieldError } from '@switchyard/contracts';
import { fromAnalyzeBody, toAnalyzeResultJson } from './analyze-format';

describe('POST /v1/analyze on the wire', () => {
  it('reads the issue\'s request shape, an extraction schema object becoming JSON text', () => {
    expect(
      fromAnalyzeBody({
        text: 'Order 42 for a lamp',
        images: ['data:image/png;base64,AAAA'],
        tasks: [{ type: 'sentiment', model: 'mock-sentiment' }, { type: 'extract', schema: { type: 'object', properties: { order: { type: 'integer' } } } }],
        stream: true,
      }),
    ).toEqual({
      request: {
        text: 'Order 42 for a lamp',
        images: ['data:image/png;base64,AAAA'],
        tasks: [{ type: 'sentiment', model: 'mock-sentiment' }, { type: 'extract', schema: '{"type":"object","properties":{"order":{"type":"integer"}}}' }],
      },
      stream: true,
    });
  });

  it.each([
    [[], undefined],
    [{ text: 'x' }, 'tasks'],
    [{ tasks: [{}] }, 'tasks[0].type'],
    [{ images: 'https://example.com/a.png', tasks: [] }, 'images'],
    [{ tasks: [{ type: 'extract', schema: '{"type":"object"}' }] }, 'tasks[0].schema'],
  ])('refuses the shape of %j, naming %p', (body, param) => {
    const thrown = (() => {
      try {
        fromAnalyzeBody(body);
      } catch (error) {
        return error;
      }
    })();
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as InvalidFieldError).code).toBe('invalid_request');
    expect((thrown as InvalidFieldError).param).toBe(param);
  });

  it('gives a failed task\'s error in OpenAI\'s error shape, and null for what a result does not have', () => {
    const failed = { index: 1, type: 'answer' as const, status: 'error' as const, model: 'nope', request_id: 'r', error: { code: 'model_not_found' as const, message: 'no model nope' }, usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }, cost_usd: 0, latency_ms: 3 };
    expect(toAnalyzeResultJson(failed)).toEqual({ ...failed, output: null, error: { message: 'no model nope', type: 'invalid_request_error', param: null, code: 'model_not_found' } });
  });
});
