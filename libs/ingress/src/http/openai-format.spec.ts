import { GatewayError, InvalidFieldError, type ChatChunk } from '@switchyard/contracts';
import {
  OpenAIChunkEncoder,
  float32Base64,
  fromOpenAIChatRequest,
  fromOpenAIEmbeddingsRequest,
  toOpenAIChatCompletion,
  toOpenAIEmbeddings,
  toOpenAIError,
  toOpenAIModelList,
} from './openai-format';

function invalid(body: unknown): InvalidFieldError | GatewayError {
  try {
    fromOpenAIChatRequest(body);
  } catch (error) {
    return error as GatewayError;
  }
  throw new Error('expected the request to be refused');
}

describe('fromOpenAIChatRequest', () => {
  it('maps every supported field onto the unified request', () => {
    const { request, stream, includeUsage } = fromOpenAIChatRequest({
      model: 'gpt-4o',
      messages: [
        { role: 'developer', content: 'be brief' },
        {
          role: 'user',
          name: 'ann',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"cat"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'a cat' },
      ],
      max_completion_tokens: 64,
      max_tokens: 999,
      temperature: 0.3,
      top_p: 0.9,
      stop: 'END',
      seed: 7,
      user: 'u-1',
      metadata: { team: 'search' },
      tools: [{ type: 'function', function: { name: 'lookup', description: 'finds things', parameters: { type: 'object' }, strict: true } }],
      tool_choice: { type: 'function', function: { name: 'lookup' } },
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
      stream: true,
      stream_options: { include_usage: true },
      frequency_penalty: 0.5,
    });
    expect(stream).toBe(true);
    expect(includeUsage).toBe(true);
    expect(request).toEqual({
      model: 'gpt-4o',
      messages: [
        { role: 'system', content: 'be brief' },
        {
          role: 'user',
          name: 'ann',
          content_parts: [
            { text: 'what is this?' },
            { image_url: { url: 'https://example.com/cat.png', detail: 'low' } },
            { image: { mime_type: 'image/png', data: 'iVBORw0KGgo=' } },
          ],
        },
        { role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"cat"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: 'a cat' },
      ],
      max_tokens: 64,
      temperature: 0.3,
      top_p: 0.9,
      stop: ['END'],
      seed: 7,
      user: 'u-1',
      metadata: { team: 'search' },
      tools: [{ type: 'function', function: { name: 'lookup', description: 'finds things', parameters_json: '{"type":"object"}', strict: true } }],
      tool_choice: { mode: 'function', function_name: 'lookup' },
      response_format: { type: 'json_schema', json_schema_name: 'answer', json_schema: '{"type":"object"}', strict: true },
    });
  });

  it('takes max_tokens when max_completion_tokens is absent, and string tool choices as modes', () => {
    const { request, stream } = fromOpenAIChatRequest({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 10,
      tool_choice: 'required',
      tools: [{ type: 'function', function: { name: 'f' } }],
      response_format: { type: 'json_object' },
    });
    expect(stream).toBe(false);
    expect(request.max_tokens).toBe(10);
    expect(request.tool_choice).toEqual({ mode: 'required' });
    expect(request.response_format).toEqual({ type: 'json_object' });
  });

  it('names the field that is wrong', () => {
    expect(invalid({ messages: [{ role: 'user', content: 'hi' }] })).toMatchObject({ code: 'invalid_request', param: 'model', message: 'model is required' });
    expect(invalid({ model: 'm', messages: [] })).toMatchObject({ param: 'messages', message: expect.stringContaining('at least one message') });
    expect(invalid({ model: 'm', messages: [{ role: 'wizard', content: 'hi' }] })).toMatchObject({ param: 'messages[0].role' });
    expect(invalid({ model: 'm', messages: [{ role: 'user', content: 42 }] })).toMatchObject({ param: 'messages[0].content', message: expect.stringContaining('string or an array') });
    // A union reports the alternative that got furthest: the text part without its text.
    expect(invalid({ model: 'm', messages: [{ role: 'user', content: [{ type: 'text' }] }] })).toMatchObject({ param: 'messages[0].content[0].text' });
    expect(invalid({ model: 'm', messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }] }).message).toMatch(/audio and file parts are not supported/);
    expect(invalid([1, 2]).message).toBe('the request body must be a JSON object');
  });

  it('refuses what the gateway cannot honour rather than ignoring it', () => {
    expect(invalid({ model: 'm', messages: [{ role: 'user', content: 'hi' }], n: 2 })).toMatchObject({ param: 'n' });
    const http = invalid({ model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'http://example.com/x.png' } }] }] });
    expect(http).toMatchObject({ param: 'messages[0].content[0].image_url.url', message: expect.stringContaining('https:// or data: URL') });
    const notBase64 = invalid({ model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'data:image/png,rawbytes' } }] }] });
    expect(notBase64.message).toMatch(/must be a base64 data: URL/);
  });
});

describe('toOpenAIChatCompletion', () => {
  it('answers in chat.completion shape, with null content beside tool calls', () => {
    const body = toOpenAIChatCompletion(
      {
        id: 'req-1',
        model: 'mock-echo',
        provider: 'mock',
        choices: [{ index: 0, message: { role: 'assistant', content: '', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] }, finish_reason: 'tool_calls' }],
        usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, cached_prompt_tokens: 3 },
        cost_usd: 0,
      },
      1_700_000_000,
    );
    expect(body).toEqual({
      id: 'req-1',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'mock-echo',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: null, refusal: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
          logprobs: null,
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, prompt_tokens_details: { cached_tokens: 3 } },
    });
  });
});

describe('OpenAIChunkEncoder', () => {
  const chunk = (delta: ChatChunk['delta'], extra: Partial<ChatChunk> = {}): ChatChunk => ({ id: 'req-2', model: 'mock-echo', provider: 'mock', index: 0, delta, ...extra });
  const usage = { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 };

  it('sends the role once, passes tool-call deltas with their type, and ends with a usage chunk when asked', () => {
    const encoder = new OpenAIChunkEncoder(true, 1);
    const out = [
      ...encoder.encode(chunk({ role: 'assistant' })),
      ...encoder.encode(chunk({ tool_calls: [{ index: 0, id: 'c1', function: { name: 'f', arguments: '' } }] })),
      ...encoder.encode(chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] })),
      ...encoder.encode(chunk({}, { finish_reason: 'tool_calls', usage })),
    ] as { choices: { delta: Record<string, unknown>; finish_reason: string | null }[]; usage: unknown }[];
    expect(out.map((c) => c.choices[0]?.delta ?? null)).toEqual([
      { role: 'assistant' },
      { tool_calls: [{ type: 'function', index: 0, id: 'c1', function: { name: 'f', arguments: '' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] },
      {},
      null,
    ]);
    expect(out[3].choices[0].finish_reason).toBe('tool_calls');
    expect(out.slice(0, 4).every((c) => c.usage === null)).toBe(true);
    expect(out[4]).toMatchObject({ object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 } });
  });

  it('omits usage entirely unless include_usage was set, and adds the role when the provider sent none', () => {
    const encoder = new OpenAIChunkEncoder(false, 1);
    const out = [...encoder.encode(chunk({ content: 'hi' })), ...encoder.encode(chunk({}, { finish_reason: 'error', usage }))] as Record<string, unknown>[];
    expect(out).toHaveLength(2);
    expect(out.every((c) => !('usage' in c))).toBe(true);
    expect(out[0]).toMatchObject({ choices: [{ delta: { role: 'assistant', content: 'hi' } }] });
    expect(out[1]).toMatchObject({ choices: [{ finish_reason: 'stop' }] });
  });
});

describe('embeddings', () => {
  it('accepts a string or strings, float by default', () => {
    expect(fromOpenAIEmbeddingsRequest({ model: 'e', input: 'one' })).toEqual({ request: { model: 'e', input: ['one'] }, encoding: 'float' });
    expect(fromOpenAIEmbeddingsRequest({ model: 'e', input: ['a', 'b'], encoding_format: 'base64', dimensions: 8 })).toEqual({
      request: { model: 'e', input: ['a', 'b'], dimensions: 8 },
      encoding: 'base64',
    });
    expect(() => fromOpenAIEmbeddingsRequest({ model: 'e', input: [1, 2, 3] })).toThrow(/token arrays are not supported/);
  });

  it('encodes base64 as little-endian float32, as the OpenAI SDK decodes it', () => {
    const values = [0.25, -1.5, 0.1];
    const bytes = Buffer.from(float32Base64(values), 'base64');
    expect(bytes).toHaveLength(12);
    expect([0, 4, 8].map((offset) => bytes.readFloatLE(offset))).toEqual(values.map(Math.fround));
    const body = toOpenAIEmbeddings(
      { id: 'r', model: 'e', provider: 'mock', data: [{ index: 0, embedding: values }], usage: { prompt_tokens: 2, completion_tokens: 0, total_tokens: 2 }, cost_usd: 0 },
      'float',
    );
    expect(body).toEqual({ object: 'list', data: [{ object: 'embedding', index: 0, embedding: values }], model: 'e', usage: { prompt_tokens: 2, total_tokens: 2 } });
  });
});

describe('models and errors', () => {
  it('lists models in OpenAI shape', () => {
    const targets = [{ target: 'mock/mock-echo', state: 'open' as const, since: 1000, open_until: 6000, failures: 5 }];
    const list = toOpenAIModelList([{ id: 'mock-echo', provider: 'mock', upstream_model: 'mock-echo', capabilities: { chat: true, streaming: true, tools: true, vision: false, embeddings: false }, targets }], 5);
    expect(list).toEqual({ object: 'list', data: [{ id: 'mock-echo', object: 'model', created: 5, owned_by: 'mock', targets }] });
  });

  it('gives each gateway error OpenAI error JSON with a fitting type', () => {
    expect(toOpenAIError(new GatewayError('model_not_found', 'no such model'))).toEqual({
      error: { message: 'no such model', type: 'invalid_request_error', param: null, code: 'model_not_found' },
    });
    expect(toOpenAIError(new GatewayError('unauthenticated', 'x')).error.type).toBe('authentication_error');
    expect(toOpenAIError(new GatewayError('provider_rate_limited', 'x')).error.type).toBe('rate_limit_error');
    expect(toOpenAIError(new GatewayError('deadline_exceeded', 'x')).error.type).toBe('server_error');
    expect(toOpenAIError(new InvalidFieldError('messages[0].role', 'is wrong')).error).toMatchObject({ param: 'messages[0].role', code: 'invalid_request' });
  });
});
