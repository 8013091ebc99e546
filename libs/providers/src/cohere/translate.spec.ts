import type { ChatRequest } from '@switchyard/contracts';
import { StreamAccumulator } from '../stream-accumulator';
import {
  CohereStreamTranslator,
  fromCohereChatResponse,
  fromCohereEmbedResponse,
  fromCohereFinishReason,
  fromCohereUsage,
  toCohereChatRequest,
  toCohereEmbedRequest,
} from './translate';
import type { CohereChatResponse, CohereStreamEvent } from './wire';

const weatherTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Current weather', parameters_json: '{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}' },
};
const timeTool = { type: 'function', function: { name: 'now' } };

describe('toCohereChatRequest', () => {
  const cases: { name: string; request: ChatRequest; stream?: boolean; body: unknown }[] = [
    {
      name: 'a single user turn',
      request: { model: 'command-a-03-2025', messages: [{ role: 'user', content: 'Hello' }] },
      body: { model: 'command-a-03-2025', messages: [{ role: 'user', content: 'Hello' }] },
    },
    {
      name: 'system, user and assistant turns, streamed',
      request: {
        model: 'command-a-03-2025',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello!' },
          { role: 'user', content: 'Again' },
        ],
      },
      stream: true,
      body: {
        model: 'command-a-03-2025',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello!' },
          { role: 'user', content: 'Again' },
        ],
        stream: true,
      },
    },
    {
      name: 'generation settings, top_p as p',
      request: { model: 'm', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 50, temperature: 0.3, top_p: 0.8, stop: ['END'], seed: 42, user: 'not-sent' },
      body: { model: 'm', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 50, temperature: 0.3, p: 0.8, stop_sequences: ['END'], seed: 42 },
    },
    {
      name: 'images by URL and inline, as image_url parts',
      request: {
        model: 'command-a-vision-07-2025',
        messages: [
          {
            role: 'user',
            content_parts: [
              { text: 'Describe' },
              { image_url: { url: 'https://example.com/a.png', detail: 'low' } },
              { image: { mime_type: 'image/png', data: new Uint8Array([1, 2, 3]) } },
            ],
          },
        ],
      },
      body: {
        model: 'command-a-vision-07-2025',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Describe' },
              { type: 'image_url', image_url: { url: 'https://example.com/a.png', detail: 'low' } },
              { type: 'image_url', image_url: { url: 'data:image/png;base64,AQID' } },
            ],
          },
        ],
      },
    },
    {
      name: 'tools, strict, with tool_choice required',
      request: {
        model: 'm',
        messages: [{ role: 'user', content: 'Weather?' }],
        tools: [{ ...weatherTool, function: { ...weatherTool.function, strict: true } }, timeTool],
        tool_choice: { mode: 'required' },
      },
      body: {
        model: 'm',
        messages: [{ role: 'user', content: 'Weather?' }],
        tools: [
          {
            type: 'function',
            function: { name: 'get_weather', description: 'Current weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
          },
          { type: 'function', function: { name: 'now' } },
        ],
        strict_tools: true,
        tool_choice: 'REQUIRED',
      },
    },
    {
      name: 'tool_choice auto as no tool_choice',
      request: { model: 'm', messages: [{ role: 'user', content: 'Time?' }], tools: [timeTool], tool_choice: { mode: 'auto' } },
      body: { model: 'm', messages: [{ role: 'user', content: 'Time?' }], tools: [{ type: 'function', function: { name: 'now' } }] },
    },
    {
      name: 'tool_choice none',
      request: { model: 'm', messages: [{ role: 'user', content: 'Time?' }], tools: [timeTool], tool_choice: { mode: 'none' } },
      body: { model: 'm', messages: [{ role: 'user', content: 'Time?' }], tools: [{ type: 'function', function: { name: 'now' } }], tool_choice: 'NONE' },
    },
    {
      name: 'tool_choice of one function as REQUIRED with only that tool',
      request: { model: 'm', messages: [{ role: 'user', content: 'Time?' }], tools: [weatherTool, timeTool], tool_choice: { mode: 'function', function_name: 'now' } },
      body: { model: 'm', messages: [{ role: 'user', content: 'Time?' }], tools: [{ type: 'function', function: { name: 'now' } }], tool_choice: 'REQUIRED' },
    },
    {
      name: 'a tool round trip',
      request: {
        model: 'm',
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          { role: 'assistant', content: '', tool_calls: [{ id: 'get_weather_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
          { role: 'tool', tool_call_id: 'get_weather_1', content: '{"temp_c":18}' },
        ],
        tools: [weatherTool],
      },
      body: {
        model: 'm',
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          { role: 'assistant', tool_calls: [{ id: 'get_weather_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
          { role: 'tool', tool_call_id: 'get_weather_1', content: '{"temp_c":18}' },
        ],
        tools: [expect.objectContaining({ function: expect.objectContaining({ name: 'get_weather' }) })],
      },
    },
    {
      name: 'response_format json_object, and json_schema as json_object with its schema',
      request: { model: 'm', messages: [{ role: 'user', content: 'JSON' }], response_format: { type: 'json_schema', json_schema: '{"type":"object"}' } },
      body: { model: 'm', messages: [{ role: 'user', content: 'JSON' }], response_format: { type: 'json_object', json_schema: { type: 'object' } } },
    },
    {
      name: 'response_format json_object',
      request: { model: 'm', messages: [{ role: 'user', content: 'JSON' }], response_format: { type: 'json_object' } },
      body: { model: 'm', messages: [{ role: 'user', content: 'JSON' }], response_format: { type: 'json_object' } },
    },
  ];

  it.each(cases)('translates $name', ({ request, stream, body }) => {
    expect(toCohereChatRequest(request, stream ?? false)).toEqual(body);
  });

  it.each([
    ['an unknown role', { model: 'm', messages: [{ role: 'developer', content: 'x' }] }],
    ['a tool message without tool_call_id', { model: 'm', messages: [{ role: 'tool', content: 'x' }] }],
    ['tool_choice naming an unknown tool', { model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [timeTool], tool_choice: { mode: 'function', function_name: 'nope' } }],
    ['tool parameters that are not JSON', { model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'f', parameters_json: '{' } }] }],
  ])('rejects %s as invalid_request', (_name, request) => {
    expect(() => toCohereChatRequest(request, false)).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });
});

describe('fromCohereFinishReason', () => {
  it.each([
    ['COMPLETE', 'stop'],
    ['STOP_SEQUENCE', 'stop'],
    ['MAX_TOKENS', 'length'],
    ['TOOL_CALL', 'tool_calls'],
    ['ERROR', 'error'],
    ['TIMEOUT', 'error'],
    [undefined, 'error'],
  ])('maps %s to %s', (reason, unified) => {
    expect(fromCohereFinishReason(reason)).toBe(unified);
  });
});

describe('fromCohereUsage', () => {
  it.each([
    [undefined, undefined],
    [{}, undefined],
    [{ billed_units: { input_tokens: 17, output_tokens: 12 }, tokens: { input_tokens: 215, output_tokens: 12 } }, { prompt_tokens: 17, completion_tokens: 12, total_tokens: 29 }],
    [{ tokens: { input_tokens: 215, output_tokens: 12 } }, { prompt_tokens: 215, completion_tokens: 12, total_tokens: 227 }],
  ])('translates %j', (usage, unified) => {
    expect(fromCohereUsage(usage)).toEqual(unified);
  });

  it('carries cached_tokens to cached prompt tokens, which it used to drop', () => {
    const usage = { billed_units: { input_tokens: 1843, output_tokens: 8 }, tokens: { input_tokens: 2038, output_tokens: 8 }, cached_tokens: 1792 };
    expect(fromCohereUsage(usage)).toEqual({ prompt_tokens: 1843, completion_tokens: 8, total_tokens: 1851, cached_prompt_tokens: 1792 });
    expect(fromCohereUsage({ ...usage, cached_tokens: 0 })).toEqual({ prompt_tokens: 1843, completion_tokens: 8, total_tokens: 1851 });
    // A cached count over the billed prompt is held to it, so that cost never charges more prompt tokens than there are.
    expect(fromCohereUsage({ ...usage, cached_tokens: 1900 })?.cached_prompt_tokens).toBe(1843);
  });
});

describe('fromCohereChatResponse', () => {
  it('translates text, leaving out thinking', () => {
    const response: CohereChatResponse = {
      id: 'c14c80c3-18eb-4519-9460-6c92edd8cfb4',
      finish_reason: 'COMPLETE',
      message: { role: 'assistant', content: [{ type: 'thinking', thinking: 'Hmm.' }, { type: 'text', text: 'Paris.' }] },
      usage: { billed_units: { input_tokens: 5, output_tokens: 2 }, tokens: { input_tokens: 70, output_tokens: 2 } },
    };
    expect(fromCohereChatResponse('cohere', response)).toEqual({
      provider_response_id: 'c14c80c3-18eb-4519-9460-6c92edd8cfb4',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Paris.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
    });
  });

  it('translates tool calls', () => {
    const response: CohereChatResponse = {
      id: 'x',
      finish_reason: 'TOOL_CALL',
      message: {
        role: 'assistant',
        tool_plan: 'I will look up the weather.',
        tool_calls: [{ id: 'get_weather_abc', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
    };
    expect(fromCohereChatResponse('cohere', response)).toEqual({
      provider_response_id: 'x',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: '', tool_calls: [{ id: 'get_weather_abc', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
          finish_reason: 'tool_calls',
        },
      ],
    });
  });

  it.each([[null], [{ id: 'x' }]])('rejects %j as provider_bad_response', (response) => {
    expect(() => fromCohereChatResponse('cohere', response as unknown as CohereChatResponse)).toThrow(expect.objectContaining({ code: 'provider_bad_response' }));
  });
});

describe('CohereStreamTranslator', () => {
  const translateAll = (events: CohereStreamEvent[]) => {
    const translator = new CohereStreamTranslator();
    return { translator, out: events.flatMap((event) => translator.translate(event)) };
  };

  it('translates a text stream', () => {
    const { translator, out } = translateAll([
      { type: 'message-start', id: 'm1', delta: { message: { role: 'assistant' } } },
      { type: 'content-start', index: 0, delta: { message: { content: { type: 'text', text: '' } } } },
      { type: 'content-delta', index: 0, delta: { message: { content: { text: 'Hel' } } } },
      { type: 'content-delta', index: 0, delta: { message: { content: { text: 'lo' } } } },
      { type: 'content-end', index: 0 },
      { type: 'message-end', delta: { finish_reason: 'COMPLETE', usage: { billed_units: { input_tokens: 3, output_tokens: 2 } } } },
    ]);
    expect(out).toEqual([
      { index: 0, role: 'assistant', provider_response_id: 'm1' },
      { index: 0, content: 'Hel', provider_response_id: 'm1' },
      { index: 0, content: 'lo', provider_response_id: 'm1' },
      { index: 0, finish_reason: 'stop', usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 }, provider_response_id: 'm1' },
    ]);
    expect(translator.finished).toBe(true);
  });

  it('reassembles parallel tool calls streamed in fragments, without the tool plan', () => {
    const { translator, out } = translateAll([
      { type: 'message-start', id: 'm2' },
      { type: 'tool-plan-delta', delta: { message: { tool_plan: 'I will check both.' } } },
      { type: 'tool-call-start', index: 0, delta: { message: { tool_calls: { id: 'get_weather_a', type: 'function', function: { name: 'get_weather', arguments: '' } } } } },
      { type: 'tool-call-delta', index: 0, delta: { message: { tool_calls: { function: { arguments: '{"city":' } } } } },
      { type: 'tool-call-delta', index: 0, delta: { message: { tool_calls: { function: { arguments: '"Paris"}' } } } } },
      { type: 'tool-call-end', index: 0 },
      { type: 'tool-call-start', index: 1, delta: { message: { tool_calls: { id: 'get_weather_b', type: 'function', function: { name: 'get_weather', arguments: '' } } } } },
      { type: 'tool-call-delta', index: 1, delta: { message: { tool_calls: { function: { arguments: '{"city":"Rome"}' } } } } },
      { type: 'tool-call-end', index: 1 },
      { type: 'message-end', delta: { finish_reason: 'TOOL_CALL' } },
    ]);
    expect(translator.finished).toBe(true);
    const accumulator = new StreamAccumulator();
    for (const event of out) accumulator.add(event);
    expect(accumulator.result()).toEqual({
      provider_response_id: 'm2',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: '',
            tool_calls: [
              { id: 'get_weather_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              { id: 'get_weather_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
    });
  });

  it('is not finished before message-end', () => {
    const { translator } = translateAll([{ type: 'message-start', id: 'm3' }, { type: 'content-delta', index: 0, delta: { message: { content: { text: 'Hi' } } } }]);
    expect(translator.finished).toBe(false);
  });

  it('rejects arguments for a tool call that never started', () => {
    const translator = new CohereStreamTranslator();
    expect(() => translator.translate({ type: 'tool-call-delta', index: 3, delta: { message: { tool_calls: { function: { arguments: '{}' } } } } })).toThrow(
      expect.objectContaining({ code: 'provider_bad_response' }),
    );
  });
});

describe('embeddings', () => {
  it('translates the request with float embeddings and the input type', () => {
    expect(toCohereEmbedRequest({ model: 'embed-v4.0', input: ['a', 'b'], dimensions: 512 }, 'search_query')).toEqual({
      model: 'embed-v4.0',
      texts: ['a', 'b'],
      input_type: 'search_query',
      embedding_types: ['float'],
      output_dimension: 512,
    });
  });

  it('translates the response with billed usage', () => {
    expect(
      fromCohereEmbedResponse(
        'cohere',
        { id: 'e', response_type: 'embeddings_by_type', embeddings: { float: [[0.1], [0.2]] }, texts: ['a', 'b'], meta: { billed_units: { input_tokens: 4 } } },
        2,
      ),
    ).toEqual({
      data: [
        { index: 0, embedding: [0.1] },
        { index: 1, embedding: [0.2] },
      ],
      usage: { prompt_tokens: 4, completion_tokens: 0, total_tokens: 4 },
    });
  });

  it.each([
    [{ id: 'e', embeddings: {} }, 1],
    [{ id: 'e', embeddings: { float: [[1]] } }, 2],
  ])('rejects %j for %d inputs as provider_bad_response', (response, inputs) => {
    expect(() => fromCohereEmbedResponse('cohere', response, inputs)).toThrow(expect.objectContaining({ code: 'provider_bad_response' }));
  });
});
