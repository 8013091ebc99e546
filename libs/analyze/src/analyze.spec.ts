import { GatewayError, InvalidFieldError, type ChatResponse } from '@switchyard/contracts';
import { ANALYZE_LIMITS, validateAnalyzeRequest, type AnalyzeRequest, type AnalyzeTask } from './analyze-request';
import { analyzeResponse, answeredTaskResult, failedTaskResult } from './results';
import { DEFAULT_ANALYZE_MODELS, taskChatRequest, taskModel, taskOutput } from './tasks';

const PNG_DATA = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const PNG_URL = `data:image/png;base64,${PNG_DATA}`;

function problem(request: unknown): { param?: string; message: string } {
  try {
    validateAnalyzeRequest(request as AnalyzeRequest);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidFieldError);
    return { param: (error as InvalidFieldError).param, message: (error as Error).message };
  }
  throw new Error('expected the request to be refused');
}

function answer(content: string, usage = { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 }, cost = 0.00002): ChatResponse {
  return { id: 'req-1', model: 'm', provider: 'p', choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }], usage, cost_usd: cost };
}

describe('validateAnalyzeRequest', () => {
  it('accepts text, images and every task type with what it needs', () => {
    expect(() =>
      validateAnalyzeRequest({
        text: 'Great product, slow delivery.',
        images: [PNG_URL, 'https://example.com/cat.jpg'],
        tasks: [
          { type: 'answer' },
          { type: 'describe_image', model: 'mock-vision' },
          { type: 'sentiment' },
          { type: 'moderation' },
          { type: 'summarize' },
          { type: 'translate', target_language: 'French' },
          { type: 'extract', schema: '{"type":"object","properties":{"product":{"type":"string"}}}' },
        ],
        metadata: { team: 'search' },
      }),
    ).not.toThrow();
  });

  it.each([
    [{ text: 'x', tasks: [] }, 'tasks', 'tasks must contain at least one task'],
    [{ text: 'x', tasks: Array.from({ length: ANALYZE_LIMITS.tasks + 1 }, () => ({ type: 'sentiment' })) }, 'tasks', `holds ${ANALYZE_LIMITS.tasks + 1} items; at most ${ANALYZE_LIMITS.tasks}`],
    [{ text: 'x', tasks: [{ type: 'poetry' }] }, 'tasks[0].type', 'is "poetry"; expected one of answer, describe_image'],
    [{ text: 'x', tasks: [{ type: 'describe_image' }] }, 'tasks[0].type', 'is describe_image, but the request has no images'],
    [{ images: [PNG_URL], tasks: [{ type: 'sentiment' }] }, 'tasks[0].type', 'is sentiment, which reads the text, but the request has no text'],
    [{ tasks: [{ type: 'answer' }] }, 'tasks[0].type', 'neither text nor images'],
    [{ text: 'x', tasks: [{ type: 'translate' }] }, 'tasks[0].target_language', 'is required for translate'],
    [{ text: 'x', tasks: [{ type: 'sentiment', target_language: 'French' }] }, 'tasks[0].target_language', 'is only for translate'],
    [{ text: 'x', tasks: [{ type: 'extract' }] }, 'tasks[0].schema', 'is required for extract'],
    [{ text: 'x', tasks: [{ type: 'extract', schema: '[1,2]' }] }, 'tasks[0].schema', 'must be a JSON object'],
    [{ text: 'x', tasks: [{ type: 'sentiment', model: 'm'.repeat(257) }] }, 'tasks[0].model', 'at most 256'],
    [{ text: 'x'.repeat(ANALYZE_LIMITS.textChars + 1), tasks: [{ type: 'sentiment' }] }, 'text', `at most ${ANALYZE_LIMITS.textChars}`],
    [{ text: 'x', images: Array.from({ length: ANALYZE_LIMITS.images + 1 }, () => PNG_URL), tasks: [{ type: 'answer' }] }, 'images', `at most ${ANALYZE_LIMITS.images}`],
    [{ text: 'x', images: ['http://example.com/a.png'], tasks: [{ type: 'answer' }] }, 'images[0]', 'must be an https:// URL'],
    [{ text: 'x', images: ['https://127.0.0.1/a.png'], tasks: [{ type: 'answer' }] }, 'images[0]', 'loopback, private or link-local'],
    [{ text: 'x', images: ['data:image/tiff;base64,AAAA'], tasks: [{ type: 'answer' }] }, 'images[0] media type', 'expected one of image/png'],
    [{ text: 'x', images: ['data:image/png;base64,'], tasks: [{ type: 'answer' }] }, 'images[0]', "must hold the image's bytes in base64"],
    [{ text: 'x', images: ['data:image/png,raw'], tasks: [{ type: 'answer' }] }, 'images[0]', 'must be a base64 data: URL'],
    [{ text: 'x', tasks: [{ type: 'sentiment' }], metadata: { k: 7 } }, 'metadata.k', 'must be a string'],
  ])('refuses %#, naming %s', (request, param, message) => {
    const found = problem(request);
    expect(found.param).toBe(param);
    expect(found.message).toContain(message);
  });

  it('refuses an inline image over the byte limit, counting decoded bytes', () => {
    const base64 = 'A'.repeat(Math.ceil(((ANALYZE_LIMITS.imageBytes + 3) * 4) / 3 / 4) * 4);
    expect(problem({ text: 'x', images: [`data:image/png;base64,${base64}`], tasks: [{ type: 'answer' }] }).message).toContain(`at most ${ANALYZE_LIMITS.imageBytes} are accepted`);
    const fits = 'A'.repeat((ANALYZE_LIMITS.imageBytes / 3) * 4);
    expect(() => validateAnalyzeRequest({ text: 'x', images: [`data:image/png;base64,${fits}`], tasks: [{ type: 'answer' }] })).not.toThrow();
  });
});

describe('taskChatRequest', () => {
  const request: AnalyzeRequest = { text: 'I love it', images: [PNG_URL, 'https://example.com/cat.jpg'], tasks: [], user: 'u-1', metadata: { team: 'search' } };
  const chat = (task: AnalyzeTask, vision = false) => taskChatRequest(request, task, taskModel(task, DEFAULT_ANALYZE_MODELS), vision);

  it('sends an answer task the text alone to a model without vision, and the images too to one with it', () => {
    expect(chat({ type: 'answer' })).toEqual({ model: 'mock-echo', messages: [{ role: 'user', content: 'I love it' }], user: 'u-1', metadata: { team: 'search' } });
    expect(chat({ type: 'answer', model: 'gpt-4o' }, true).messages).toEqual([
      { role: 'user', content_parts: [{ text: 'I love it' }, { image: { mime_type: 'image/png', data: PNG_DATA } }, { image_url: { url: 'https://example.com/cat.jpg' } }] },
    ]);
  });

  it('asks the vision model to describe each image', () => {
    const describe = chat({ type: 'describe_image' });
    expect(describe.model).toBe('mock-vision');
    expect(describe.messages[0].content_parts![0]).toEqual({ text: 'Describe each of these 2 images, one paragraph each, in order.' });
    expect(describe.messages[0].content_parts!.slice(1)).toEqual([{ image: { mime_type: 'image/png', data: PNG_DATA } }, { image_url: { url: 'https://example.com/cat.jpg' } }]);
  });

  it('asks for JSON where the task reads JSON, with the text as the user message', () => {
    const sentiment = chat({ type: 'sentiment' });
    expect(sentiment).toMatchObject({ model: 'mock-sentiment', temperature: 0, response_format: { type: 'json_object' } });
    expect(sentiment.messages[0].role).toBe('system');
    expect(sentiment.messages[1]).toEqual({ role: 'user', content: 'I love it' });
    expect(chat({ type: 'moderation' })).toMatchObject({ model: 'mock-moderation', response_format: { type: 'json_object' } });
    const schema = '{"type":"object","properties":{"feeling":{"type":"string"}}}';
    expect(chat({ type: 'extract', schema })).toMatchObject({ model: 'mock-echo', response_format: { type: 'json_schema', json_schema_name: 'extraction', json_schema: schema } });
  });

  it('names the target language in the translation prompt', () => {
    expect(chat({ type: 'translate', target_language: 'German' }).messages[0]).toEqual({ role: 'system', content: "Translate the user's text into German. Answer with the translation only." });
  });
});

describe('taskOutput', () => {
  it('reads sentiment, moderation and extraction JSON, fenced or not', () => {
    expect(taskOutput('sentiment', answer('{"label":"Positive","score":0.9}'))).toEqual({ label: 'positive', score: 0.9 });
    expect(taskOutput('moderation', answer('```json\n{"flagged":true,"categories":["violence"]}\n```'))).toEqual({ flagged: true, categories: ['violence'] });
    expect(taskOutput('extract', answer('{"product":"lamp"}'))).toEqual({ product: 'lamp' });
    expect(taskOutput('summarize', answer('Short.'))).toBe('Short.');
  });

  it.each([
    ['sentiment', 'I think it is positive', 'it is not JSON: "I think it is positive"'],
    ['sentiment', '{"label":"happy","score":0.5}', 'its label is "happy", not one of positive, negative, neutral, mixed'],
    ['sentiment', '{"label":"positive","score":1.5}', 'its score is 1.5, not a number from 0 to 1'],
    ['moderation', '{"flagged":"yes"}', 'its flagged is "yes", not true or false'],
    ['extract', '[1]', 'it is not a JSON object'],
  ] as const)('refuses a %s answer %j as provider_bad_response', (type, content, message) => {
    const thrown = (() => {
      try {
        taskOutput(type, answer(content));
      } catch (error) {
        return error as GatewayError;
      }
    })();
    expect(thrown?.code).toBe('provider_bad_response');
    expect(thrown?.message).toContain(message);
  });
});

describe('results', () => {
  it('keeps the usage and cost of an answer that is not what the task asked for, as the row does', () => {
    expect(answeredTaskResult(1, { type: 'sentiment' }, 'm', answer('nope'), 40)).toMatchObject({
      index: 1,
      status: 'error',
      request_id: 'req-1',
      error: { code: 'provider_bad_response' },
      usage: { prompt_tokens: 12, completion_tokens: 4, total_tokens: 16 },
      cost_usd: 0.00002,
      latency_ms: 40,
    });
  });

  it('orders the results by task and sums their usage and cost', () => {
    const results = [
      answeredTaskResult(2, { type: 'summarize' }, 'm', answer('s', { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 }, 0.1), 5),
      failedTaskResult(1, { type: 'answer' }, 'nope', 'req-2', new GatewayError('model_not_found', 'model "nope" is not served'), 2),
      answeredTaskResult(0, { type: 'sentiment' }, 'm', answer('{"label":"neutral","score":1}', { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 }, 0.2), 7),
    ];
    const response = analyzeResponse('an-1', results, 9);
    expect(response.results.map((result) => [result.index, result.status])).toEqual([
      [0, 'ok'],
      [1, 'error'],
      [2, 'ok'],
    ]);
    expect(response.results[1]).toMatchObject({ request_id: 'req-2', error: { code: 'model_not_found', message: 'model "nope" is not served' }, cost_usd: 0 });
    expect(response).toMatchObject({ id: 'an-1', usage: { prompt_tokens: 13, completion_tokens: 3, total_tokens: 16 }, cost_usd: 0.3, latency_ms: 9 });
  });
});
