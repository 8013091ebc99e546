import { type ChatRequest } from '@switchyard/contracts';
import type { ChatStreamEvent } from '../provider';
import { StreamAccumulator } from '../stream-accumulator';
import {
  CONVERSE_CACHED_RESPONSE,
  CONVERSE_TEXT_RESPONSE,
  CONVERSE_TOOL_FRAGMENTS,
  CONVERSE_TOOL_STREAM_EVENTS,
  CONVERSE_TOOL_USE_RESPONSE,
  TITAN_EMBED_RESPONSES,
} from './bedrock.fixtures';
import {
  ConverseStreamTranslator,
  bedrockErrorCode,
  bedrockErrorType,
  fromConverseResponse,
  fromConverseStopReason,
  fromTitanEmbedResponses,
  toConverseRequest,
  toTitanEmbedRequests,
} from './translate';
import type { ConverseResponse } from './wire';

const MODEL = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const weatherTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Weather of a city', parameters_json: '{"type":"object","properties":{"city":{"type":"string"}}}' },
};
const weatherSpec = { toolSpec: { name: 'get_weather', description: 'Weather of a city', inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } } } };

describe('toConverseRequest', () => {
  it('a follow-up turn after a tool loop that offers no tools still sends a toolConfig, which Converse requires for toolUse blocks', () => {
    const followUp: ChatRequest = {
      model: 'm',
      messages: [
        { role: 'user', content: 'Weather in Paris and Berlin?' },
        { role: 'assistant', content: '', tool_calls: [
          { id: 'a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Berlin"}' } },
          { id: 'c', type: 'function', function: { name: 'get_time', arguments: '{}' } },
        ] },
        { role: 'tool', tool_call_id: 'a', content: 'sunny' },
        { role: 'tool', tool_call_id: 'b', content: 'rain' },
        { role: 'tool', tool_call_id: 'c', content: '12:00' },
        { role: 'user', content: 'Thanks. Summarise that.' },
      ],
    };
    const declared = (name: string) => ({ toolSpec: { name, description: 'Called earlier in this conversation; not available on this turn.', inputSchema: { json: { type: 'object' } } } });
    expect(toConverseRequest(followUp).toolConfig).toEqual({ tools: [declared('get_weather'), declared('get_time')] });
    expect(toConverseRequest({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }).toolConfig).toBeUndefined();
  });

  const cases: { name: string; request: ChatRequest; body: unknown }[] = [
    {
      name: 'single turn, no inferenceConfig when nothing is set',
      request: { model: MODEL, messages: [{ role: 'user', content: 'Hello' }] },
      body: { messages: [{ role: 'user', content: [{ text: 'Hello' }] }] },
    },
    {
      name: 'system messages go to system; max_tokens, temperature, top_p and stop to inferenceConfig',
      request: {
        model: MODEL,
        messages: [
          { role: 'system', content: 'Be terse.' },
          { role: 'system', content: 'Answer in French.' },
          { role: 'user', content: 'Hi' },
        ],
        max_tokens: 200,
        temperature: 0.5,
        top_p: 0.9,
        stop: ['###'],
      },
      body: {
        messages: [{ role: 'user', content: [{ text: 'Hi' }] }],
        system: [{ text: 'Be terse.' }, { text: 'Answer in French.' }],
        inferenceConfig: { maxTokens: 200, temperature: 0.5, topP: 0.9, stopSequences: ['###'] },
      },
    },
    {
      name: 'consecutive same-role messages merge into one turn',
      request: {
        model: MODEL,
        messages: [
          { role: 'user', content: 'One.' },
          { role: 'user', content: 'Two.' },
          { role: 'assistant', content: 'Yes.' },
        ],
      },
      body: {
        messages: [
          { role: 'user', content: [{ text: 'One.' }, { text: 'Two.' }] },
          { role: 'assistant', content: [{ text: 'Yes.' }] },
        ],
      },
    },
    {
      name: 'inline images and data URLs become image bytes with their format',
      request: {
        model: MODEL,
        messages: [
          {
            role: 'user',
            content_parts: [
              { text: 'Describe.' },
              { image: { mime_type: 'image/jpeg', data: new Uint8Array([255, 216, 255]) } },
              { image_url: { url: 'data:image/webp;base64,UklGRg==' } },
            ],
          },
        ],
      },
      body: {
        messages: [
          {
            role: 'user',
            content: [{ text: 'Describe.' }, { image: { format: 'jpeg', source: { bytes: '/9j/' } } }, { image: { format: 'webp', source: { bytes: 'UklGRg==' } } }],
          },
        ],
      },
    },
    {
      name: 'tools with tool_choice function become toolConfig with a specific tool',
      request: { model: MODEL, messages: [{ role: 'user', content: 'Paris?' }], tools: [weatherTool], tool_choice: { mode: 'function', function_name: 'get_weather' } },
      body: { messages: [{ role: 'user', content: [{ text: 'Paris?' }] }], toolConfig: { tools: [weatherSpec], toolChoice: { tool: { name: 'get_weather' } } } },
    },
    {
      name: 'tool_choice none leaves the tools out, since Converse has no "none"',
      request: { model: MODEL, messages: [{ role: 'user', content: 'Paris?' }], tools: [weatherTool], tool_choice: { mode: 'none' } },
      body: { messages: [{ role: 'user', content: [{ text: 'Paris?' }] }] },
    },
    {
      name: 'tool round trip: toolUse in the assistant turn, tool results merged into one user turn',
      request: {
        model: MODEL,
        messages: [
          { role: 'user', content: 'Paris and Berlin?' },
          {
            role: 'assistant',
            content: 'Looking.',
            tool_calls: [
              { id: 'tooluse_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              { id: 'tooluse_2', type: 'function', function: { name: 'get_weather', arguments: '' } },
            ],
          },
          { role: 'tool', tool_call_id: 'tooluse_1', content: '18C' },
          { role: 'tool', tool_call_id: 'tooluse_2', content: '12C' },
        ],
        tools: [weatherTool],
        tool_choice: { mode: 'none' },
      },
      body: {
        messages: [
          { role: 'user', content: [{ text: 'Paris and Berlin?' }] },
          {
            role: 'assistant',
            content: [
              { text: 'Looking.' },
              { toolUse: { toolUseId: 'tooluse_1', name: 'get_weather', input: { city: 'Paris' } } },
              { toolUse: { toolUseId: 'tooluse_2', name: 'get_weather', input: {} } },
            ],
          },
          {
            role: 'user',
            content: [{ toolResult: { toolUseId: 'tooluse_1', content: [{ text: '18C' }] } }, { toolResult: { toolUseId: 'tooluse_2', content: [{ text: '12C' }] } }],
          },
        ],
        // Earlier turns hold tool blocks, which Converse reads only with a toolConfig, even under "none".
        toolConfig: { tools: [weatherSpec] },
      },
    },
  ];

  it.each(cases)('$name', ({ request, body }) => {
    expect(toConverseRequest(request)).toEqual(body);
  });

  it.each([
    ['auto', { auto: {} }],
    ['required', { any: {} }],
  ])('maps tool_choice %s to %j', (mode, toolChoice) => {
    expect(toConverseRequest({ model: MODEL, messages: [{ role: 'user', content: 'x' }], tools: [weatherTool], tool_choice: { mode } }).toolConfig).toEqual({
      tools: [weatherSpec],
      toolChoice,
    });
  });

  it('asks for a JSON Schema response through outputConfig.textFormat, the schema as text', () => {
    const schema = '{"type":"object","properties":{"city":{"type":"string"}},"required":["city"],"additionalProperties":false}';
    const body = toConverseRequest({ model: MODEL, messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_schema', json_schema_name: 'place', json_schema: schema } });
    expect(body.outputConfig).toEqual({ textFormat: { type: 'json_schema', structure: { jsonSchema: { schema, name: 'place' } } } });
    expect(toConverseRequest({ model: MODEL, messages: [{ role: 'user', content: 'x' }], response_format: { type: 'text' } }).outputConfig).toBeUndefined();
  });

  // Regression: response_format was dropped for Bedrock, and a caller expecting JSON got prose.
  it('refuses a JSON object response without a schema as unsupported_capability', () => {
    const attempt = () => toConverseRequest({ model: MODEL, messages: [{ role: 'user', content: 'x' }], response_format: { type: 'json_object' } });
    expect(attempt).toThrow(expect.objectContaining({ code: 'unsupported_capability' }));
  });

  it.each([
    ['an image by web URL', { role: 'user', content_parts: [{ image_url: { url: 'https://example.com/a.png' } }] }, 'unsupported_capability'],
    ['an image type Converse does not take', { role: 'user', content_parts: [{ image: { mime_type: 'image/tiff', data: 'AAAA' } }] }, 'invalid_request'],
    ['tool arguments that are not JSON', { role: 'assistant', tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{' } }] }, 'invalid_request'],
    ['a tool message without tool_call_id', { role: 'tool', content: 'x' }, 'invalid_request'],
  ])('rejects %s', (_name, message, code) => {
    expect(() => toConverseRequest({ model: MODEL, messages: [message] })).toThrow(expect.objectContaining({ code }));
  });
});

describe('fromConverseResponse', () => {
  it('maps text, stop reason, usage, and the request id as response id', () => {
    expect(fromConverseResponse('bedrock', CONVERSE_TEXT_RESPONSE as ConverseResponse, 'req-1')).toEqual({
      provider_response_id: 'req-1',
      choices: [{ index: 0, message: { role: 'assistant', content: 'The capital of France is Paris.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 14, completion_tokens: 9, total_tokens: 23 },
    });
  });

  it('maps toolUse blocks to tool_calls with JSON-text arguments', () => {
    expect(fromConverseResponse('bedrock', CONVERSE_TOOL_USE_RESPONSE as ConverseResponse).choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: 'I will look up the weather in both cities.',
        tool_calls: [
          { id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
          { id: 'tooluse_6Wk3Mxd9QnGV2iPRz8tN1A', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Berlin"}' } },
        ],
      },
      finish_reason: 'tool_calls',
    });
  });

  it('adds cache reads and writes to prompt_tokens and reports them apart', () => {
    expect(fromConverseResponse('bedrock', CONVERSE_CACHED_RESPONSE as ConverseResponse).usage).toEqual({
      prompt_tokens: 14 + 2048 + 1552,
      completion_tokens: 9,
      total_tokens: 3623,
      cached_prompt_tokens: 2048,
      cache_creation_prompt_tokens: 1552,
    });
  });

  it('rejects an answer without output.message as provider_bad_response', () => {
    expect(() => fromConverseResponse('bedrock', { output: {}, stopReason: 'end_turn' })).toThrow(expect.objectContaining({ code: 'provider_bad_response' }));
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
  ])('maps stopReason %s to %s', (reason, finish) => {
    expect(fromConverseStopReason(reason)).toBe(finish);
  });
});

describe('Bedrock error types', () => {
  it.each([
    ['ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/', undefined, 'ThrottlingException'],
    [null, { __type: 'com.amazon.coral.validate#ValidationException', message: 'x' }, 'ValidationException'],
    ['AccessDeniedException', undefined, 'AccessDeniedException'],
    [null, { message: 'x' }, undefined],
  ])('reads the type from header %s / body %j', (header, body, type) => {
    expect(bedrockErrorType(header, body)).toBe(type);
  });

  it.each([
    ['ThrottlingException', 'provider_rate_limited'],
    ['throttlingException', 'provider_rate_limited'],
    ['ServiceQuotaExceededException', 'provider_rate_limited'],
    ['ModelNotReadyException', 'provider_rate_limited'],
    ['ValidationException', 'provider_invalid_request'],
    ['validationException', 'provider_invalid_request'],
    ['ResourceNotFoundException', 'provider_invalid_request'],
    ['AccessDeniedException', 'provider_auth_failed'],
    ['UnrecognizedClientException', 'provider_auth_failed'],
    ['ExpiredTokenException', 'provider_auth_failed'],
    ['ModelTimeoutException', 'provider_timeout'],
    ['modelStreamErrorException', 'provider_unavailable'],
    ['internalServerException', 'provider_unavailable'],
    ['ServiceUnavailableException', 'provider_unavailable'],
    ['ModelErrorException', 'provider_unavailable'],
    ['SomethingNew', undefined],
  ])('maps %s to %s', (type, code) => {
    expect(bedrockErrorCode(type)).toBe(code);
  });
});

describe('ConverseStreamTranslator', () => {
  const run = (events: [string, unknown][]) => {
    const translator = new ConverseStreamTranslator('bedrock', 'req-9');
    const out: ChatStreamEvent[] = events.flatMap(([type, payload]) => translator.translate(type, payload));
    return { out, translator };
  };

  it('emits role, text, finish reason on messageStop and usage on metadata', () => {
    const { out, translator } = run([
      ['messageStart', { role: 'assistant' }],
      ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hi' } }],
      ['contentBlockStop', { contentBlockIndex: 0 }],
      ['messageStop', { stopReason: 'max_tokens' }],
      ['metadata', { usage: { inputTokens: 3, outputTokens: 1, totalTokens: 4, cacheReadInputTokens: 2 }, metrics: { latencyMs: 10 } }],
    ]);
    expect(out).toEqual([
      { index: 0, provider_response_id: 'req-9', role: 'assistant' },
      { index: 0, provider_response_id: 'req-9', content: 'Hi' },
      { index: 0, provider_response_id: 'req-9', finish_reason: 'length' },
      { index: 0, provider_response_id: 'req-9', usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6, cached_prompt_tokens: 2 } },
    ]);
    expect(translator.finished).toBe(true);
  });

  // Regression: streamed tool input arrives as fragments that are not JSON on their own; they must
  // pass through verbatim and join, per tool call, to the exact arguments.
  it('reassembles toolUse input fragments split mid-token into the exact arguments of each call', () => {
    const { out } = run(CONVERSE_TOOL_STREAM_EVENTS);
    const accumulator = new StreamAccumulator();
    out.forEach((event) => accumulator.add(event));
    const calls = accumulator.result().choices[0].message.tool_calls!;
    expect(calls.map((call) => call.function.arguments)).toEqual(CONVERSE_TOOL_FRAGMENTS.map((fragments) => fragments.join('')));
    expect(calls.map((call) => JSON.parse(call.function.arguments))).toEqual([{ city: 'Paris' }, { city: 'Berlün' }]);
    expect(calls.map((call) => call.id)).toEqual(['tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', 'tooluse_6Wk3Mxd9QnGV2iPRz8tN1A']);
    expect(accumulator.result().choices[0].finish_reason).toBe('tool_calls');
  });

  it('rejects tool input for a block that did not start as toolUse', () => {
    expect(() => run([['contentBlockDelta', { contentBlockIndex: 4, delta: { toolUse: { input: '{' } } }]])).toThrow(expect.objectContaining({ code: 'provider_bad_response' }));
  });

  it('is not finished without messageStop, and ignores events it does not know', () => {
    const { out, translator } = run([
      ['contentBlockDelta', { contentBlockIndex: 0, delta: { reasoningContent: { text: 'hmm' } } }],
      ['someFutureEvent', {}],
    ]);
    expect(out).toEqual([]);
    expect(translator.finished).toBe(false);
  });
});

describe('Titan embeddings', () => {
  it('makes one request body per input, with dimensions when asked', () => {
    expect(toTitanEmbedRequests({ model: 'amazon.titan-embed-text-v2:0', input: ['a', 'b'], dimensions: 256 })).toEqual([
      { inputText: 'a', dimensions: 256 },
      { inputText: 'b', dimensions: 256 },
    ]);
  });

  it('keeps input order and sums token counts', () => {
    expect(fromTitanEmbedResponses('bedrock', TITAN_EMBED_RESPONSES)).toEqual({
      data: [
        { index: 0, embedding: [0.0123, -0.0456, 0.0789] },
        { index: 1, embedding: [-0.021, 0.034, 0.0005] },
      ],
      usage: { prompt_tokens: 16, completion_tokens: 0, total_tokens: 16 },
    });
  });
});
