import { GatewayError, type ChatRequest } from '@switchyard/contracts';
import { StreamAccumulator } from '../stream-accumulator';
import type { ChatStreamEvent } from '../provider';
import {
  ANTHROPIC_CACHED_RESPONSE,
  ANTHROPIC_TEXT_RESPONSE,
  ANTHROPIC_TOOL_STREAM_ARGUMENTS,
  ANTHROPIC_TOOL_STREAM_FRAGMENTS,
  ANTHROPIC_TOOL_USE_RESPONSE,
} from './anthropic.fixtures';
import {
  AnthropicStreamTranslator,
  anthropicErrorCode,
  fromAnthropicResponse,
  fromAnthropicStopReason,
  fromAnthropicUsage,
  toAnthropicRequest,
} from './translate';
import type { AnthropicResponse, AnthropicStreamEvent } from './wire';

const MODEL = 'claude-sonnet-4-5';
const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather in a given location',
    parameters_json: '{"type":"object","properties":{"location":{"type":"string"}},"required":["location"]}',
  },
};
const weatherSchema = { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] };

describe('toAnthropicRequest', () => {
  it('a follow-up turn after a tool loop that offers no tools defines the tools it called, with tool_choice none, as Anthropic requires', () => {
    const followUp: ChatRequest = {
      model: 'm',
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: '', tool_calls: [{ id: 'a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 'a', content: 'sunny' },
        { role: 'user', content: 'Thanks. Summarise that.' },
      ],
    };
    const body = toAnthropicRequest(followUp, false);
    expect({ tools: body.tools, tool_choice: body.tool_choice }).toEqual({
      tools: [{ name: 'get_weather', description: 'Called earlier in this conversation; not available on this turn.', input_schema: { type: 'object' } }],
      tool_choice: { type: 'none' },
    });
    const plain = toAnthropicRequest({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }, false);
    expect({ tools: plain.tools, tool_choice: plain.tool_choice }).toEqual({ tools: undefined, tool_choice: undefined });
  });

  const cases: { name: string; request: ChatRequest; stream?: boolean; body: unknown }[] = [
    {
      name: 'single turn gets the default max_tokens Anthropic requires',
      request: { model: MODEL, messages: [{ role: 'user', content: 'Hello' }] },
      body: { model: MODEL, max_tokens: 4096, messages: [{ role: 'user', content: 'Hello' }] },
    },
    {
      name: 'system prompt moves to the top-level field, sampling fields are renamed',
      request: {
        model: MODEL,
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'Hi' },
        ],
        max_tokens: 100,
        temperature: 0.2,
        top_p: 0.9,
        stop: ['END'],
        user: 'user-42',
        seed: 7,
      },
      stream: true,
      body: {
        model: MODEL,
        max_tokens: 100,
        messages: [{ role: 'user', content: 'Hi' }],
        system: 'You are terse.',
        temperature: 0.2,
        top_p: 0.9,
        stop_sequences: ['END'],
        metadata: { user_id: 'user-42' },
        stream: true,
      },
    },
    {
      name: 'several system messages become system text blocks, in order',
      request: {
        model: MODEL,
        messages: [
          { role: 'system', content: 'Rule one.' },
          { role: 'user', content: 'Hi' },
          { role: 'system', content_parts: [{ text: 'Rule ' }, { text: 'two.' }] },
        ],
      },
      body: {
        model: MODEL,
        max_tokens: 4096,
        messages: [{ role: 'user', content: 'Hi' }],
        system: [
          { type: 'text', text: 'Rule one.' },
          { type: 'text', text: 'Rule two.' },
        ],
      },
    },
    {
      name: 'consecutive same-role messages are merged into one turn',
      request: {
        model: MODEL,
        messages: [
          { role: 'user', content: 'First.' },
          { role: 'user', content: 'Second.' },
          { role: 'assistant', content: 'Reply.' },
          { role: 'user', content: 'Third.' },
        ],
      },
      body: {
        model: MODEL,
        max_tokens: 4096,
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'First.' }, { type: 'text', text: 'Second.' }] },
          { role: 'assistant', content: 'Reply.' },
          { role: 'user', content: 'Third.' },
        ],
      },
    },
    {
      name: 'images: URL source, data URL and inline bytes become base64 sources',
      request: {
        model: MODEL,
        messages: [
          {
            role: 'user',
            content_parts: [
              { text: 'Compare these.' },
              { image_url: { url: 'https://upload.wikimedia.org/ant.jpg' } },
              { image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
              { image: { mime_type: 'image/gif', data: new Uint8Array([71, 73, 70]) } },
            ],
          },
        ],
      },
      body: {
        model: MODEL,
        max_tokens: 4096,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Compare these.' },
              { type: 'image', source: { type: 'url', url: 'https://upload.wikimedia.org/ant.jpg' } },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
              { type: 'image', source: { type: 'base64', media_type: 'image/gif', data: 'R0lG' } },
            ],
          },
        ],
      },
    },
    {
      name: 'tools and tool_choice "required" become tools and {type:"any"}',
      request: {
        model: MODEL,
        messages: [{ role: 'user', content: 'Weather in SF?' }],
        tools: [weatherTool, { type: 'function', function: { name: 'now' } }],
        tool_choice: { mode: 'required' },
      },
      body: {
        model: MODEL,
        max_tokens: 4096,
        messages: [{ role: 'user', content: 'Weather in SF?' }],
        tools: [
          { name: 'get_weather', description: 'Get the current weather in a given location', input_schema: weatherSchema },
          { name: 'now', input_schema: { type: 'object', properties: {} } },
        ],
        tool_choice: { type: 'any' },
      },
    },
    {
      name: 'tool round trip: tool_calls become tool_use, consecutive tool results share one user turn',
      request: {
        model: MODEL,
        messages: [
          { role: 'user', content: 'Weather in SF and NYC?' },
          {
            role: 'assistant',
            content: '',
            tool_calls: [
              { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA"}' } },
              { id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: '{"location":"New York, NY"}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'toolu_1', content: '15 degrees' },
          { role: 'tool', tool_call_id: 'toolu_2', content: '22 degrees' },
        ],
        tools: [weatherTool],
      },
      body: {
        model: MODEL,
        max_tokens: 4096,
        messages: [
          { role: 'user', content: 'Weather in SF and NYC?' },
          {
            role: 'assistant',
            content: [
              { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'San Francisco, CA' } },
              { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { location: 'New York, NY' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_1', content: '15 degrees' },
              { type: 'tool_result', tool_use_id: 'toolu_2', content: '22 degrees' },
            ],
          },
        ],
        tools: [{ name: 'get_weather', description: 'Get the current weather in a given location', input_schema: weatherSchema }],
      },
    },
  ];

  it.each(cases)('$name', ({ request, stream, body }) => {
    expect(toAnthropicRequest(request, stream ?? false)).toEqual(body);
  });

  it.each([
    [{ mode: 'auto' }, { type: 'auto' }],
    [{ mode: 'required' }, { type: 'any' }],
    [{ mode: 'none' }, { type: 'none' }],
    [{ mode: 'function', function_name: 'get_weather' }, { type: 'tool', name: 'get_weather' }],
  ])('maps tool_choice %j to %j', (choice, expected) => {
    const body = toAnthropicRequest({ model: MODEL, messages: [{ role: 'user', content: 'x' }], tools: [weatherTool], tool_choice: choice }, false);
    expect(body.tool_choice).toEqual(expected);
  });

  it('asks for a JSON Schema response through output_config, and sends nothing for text', () => {
    const format = { type: 'json_schema', json_schema_name: 'weather', json_schema: JSON.stringify(weatherSchema), strict: true };
    const body = toAnthropicRequest({ model: MODEL, messages: [{ role: 'user', content: 'x' }], response_format: format }, false);
    expect(body.output_config).toEqual({ format: { type: 'json_schema', schema: weatherSchema } });
    expect(toAnthropicRequest({ model: MODEL, messages: [{ role: 'user', content: 'x' }], response_format: { type: 'text' } }, false).output_config).toBeUndefined();
  });

  // Regression: response_format was dropped for Anthropic, and a caller expecting JSON got prose.
  it.each([[{ type: 'json_object' }], [{ type: 'json_schema', json_schema_name: 'weather' }], [{ type: 'grammar' }]])(
    'refuses response_format %j, which Anthropic cannot honour, as unsupported_capability',
    (format) => {
      const attempt = () => toAnthropicRequest({ model: MODEL, messages: [{ role: 'user', content: 'x' }], response_format: format }, false);
      expect(attempt).toThrow(expect.objectContaining({ code: 'unsupported_capability' }));
    },
  );

  it('uses the configured default max_tokens', () => {
    expect(toAnthropicRequest({ model: MODEL, messages: [{ role: 'user', content: 'x' }] }, false, { defaultMaxTokens: 1024 }).max_tokens).toBe(1024);
  });

  it.each([
    ['tool arguments that are not JSON', { role: 'assistant', tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{oops' } }] }],
    ['a tool message without tool_call_id', { role: 'tool', content: 'x' }],
    ['an unknown role', { role: 'narrator', content: 'x' }],
  ])('rejects %s as invalid_request', (_name, message) => {
    const attempt = () => toAnthropicRequest({ model: MODEL, messages: [{ role: 'user', content: 'x' }, message] }, false);
    expect(attempt).toThrow(GatewayError);
    expect(attempt).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });
});

describe('fromAnthropicResponse', () => {
  it('maps a text message, its stop reason and usage', () => {
    expect(fromAnthropicResponse('anthropic', ANTHROPIC_TEXT_RESPONSE as AnthropicResponse)).toEqual({
      provider_response_id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi! My name is Claude.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 2095, completion_tokens: 503, total_tokens: 2598 },
    });
  });

  it('maps tool_use blocks to tool_calls with JSON-text arguments', () => {
    expect(fromAnthropicResponse('anthropic', ANTHROPIC_TOOL_USE_RESPONSE as AnthropicResponse).choices).toEqual([
      {
        index: 0,
        message: {
          role: 'assistant',
          content: "I'll check the current weather in San Francisco for you.",
          tool_calls: [
            { id: 'toolu_01A09q90qw90lq917835lq9', type: 'function', function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' } },
          ],
        },
        finish_reason: 'tool_calls',
      },
    ]);
  });

  it('counts cache reads and writes into prompt_tokens and reports them apart', () => {
    expect(fromAnthropicResponse('anthropic', ANTHROPIC_CACHED_RESPONSE as AnthropicResponse).usage).toEqual({
      prompt_tokens: 21 + 1024 + 188086,
      completion_tokens: 393,
      total_tokens: 21 + 1024 + 188086 + 393,
      cached_prompt_tokens: 1024,
      cache_creation_prompt_tokens: 188086,
    });
  });

  it('rejects a body without content as provider_bad_response', () => {
    expect(() => fromAnthropicResponse('anthropic', { id: 'x' } as AnthropicResponse)).toThrow(expect.objectContaining({ code: 'provider_bad_response' }));
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    ['pause_turn', 'stop'],
    [null, undefined],
  ])('maps stop_reason %s to %s', (reason, finish) => {
    expect(fromAnthropicStopReason(reason)).toBe(finish);
  });

  it('reports no usage when Anthropic sent none', () => {
    expect(fromAnthropicUsage(undefined)).toBeUndefined();
  });
});

describe('anthropicErrorCode', () => {
  it.each([
    ['invalid_request_error', 'provider_invalid_request'],
    ['not_found_error', 'provider_invalid_request'],
    ['request_too_large', 'provider_invalid_request'],
    ['authentication_error', 'provider_auth_failed'],
    ['permission_error', 'provider_auth_failed'],
    ['rate_limit_error', 'provider_rate_limited'],
    ['timeout_error', 'provider_timeout'],
    ['api_error', 'provider_unavailable'],
    ['overloaded_error', 'provider_unavailable'],
  ])('maps %s to %s', (type, code) => {
    expect(anthropicErrorCode(type)).toBe(code);
  });
});

describe('AnthropicStreamTranslator', () => {
  const run = (events: AnthropicStreamEvent[]) => {
    const translator = new AnthropicStreamTranslator('anthropic');
    const out: ChatStreamEvent[] = events.flatMap((event) => translator.translate(event));
    return { out, translator };
  };
  const start = (usage: object = { input_tokens: 10, output_tokens: 1 }): AnthropicStreamEvent => ({
    type: 'message_start',
    message: { id: 'msg_1', type: 'message', role: 'assistant', model: MODEL, content: [], stop_reason: null, stop_sequence: null, usage },
  });

  it('emits role, text deltas, then finish reason with usage; ping and block stops emit nothing', () => {
    const { out, translator } = run([
      start(),
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'ping' },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hel' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'lo' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'max_tokens', stop_sequence: null }, usage: { output_tokens: 2 } },
      { type: 'message_stop' },
    ]);
    expect(out).toEqual([
      { index: 0, provider_response_id: 'msg_1', role: 'assistant' },
      { index: 0, provider_response_id: 'msg_1', content: 'Hel' },
      { index: 0, provider_response_id: 'msg_1', content: 'lo' },
      { index: 0, provider_response_id: 'msg_1', finish_reason: 'length', usage: { prompt_tokens: 10, completion_tokens: 2, total_tokens: 12 } },
    ]);
    expect(translator.finished).toBe(true);
  });

  // Regression: gateways that parse each input_json_delta as JSON, or re-serialise the fragments, lose or
  // corrupt streamed tool input. Fragments must pass through verbatim and join to the exact arguments.
  it('reassembles input_json_delta fragments split mid-token into the exact tool arguments', () => {
    const { out } = run([
      start(),
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Checking.' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: {} } },
      ...ANTHROPIC_TOOL_STREAM_FRAGMENTS.map((partial_json): AnthropicStreamEvent => ({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json } })),
      { type: 'content_block_stop', index: 1 },
      { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_b', name: 'now', input: {} } },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{}' } },
      { type: 'content_block_stop', index: 2 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 40 } },
      { type: 'message_stop' },
    ]);
    const accumulator = new StreamAccumulator();
    out.forEach((event) => accumulator.add(event));
    expect(accumulator.result().choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: 'Checking.',
        tool_calls: [
          { id: 'toolu_a', type: 'function', function: { name: 'get_weather', arguments: ANTHROPIC_TOOL_STREAM_ARGUMENTS } },
          { id: 'toolu_b', type: 'function', function: { name: 'now', arguments: '{}' } },
        ],
      },
      finish_reason: 'tool_calls',
    });
    expect(JSON.parse(ANTHROPIC_TOOL_STREAM_ARGUMENTS)).toEqual({ location: 'San Francisco, CA', unit: 'celsius', note: 'café "open"' });
    // Tool calls are numbered among themselves (0, 1), not by Anthropic's block index (1, 2).
    expect(out.flatMap((event) => event.tool_calls ?? []).map((call) => call.index)).toEqual([0, ...ANTHROPIC_TOOL_STREAM_FRAGMENTS.filter(Boolean).map(() => 0), 1, 1]);
  });

  it('keeps input and cache counts from message_start when message_delta carries only output_tokens', () => {
    const { out } = run([
      start({ input_tokens: 21, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000, output_tokens: 1 }),
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 5 } },
    ]);
    expect(out[1].usage).toEqual({ prompt_tokens: 1121, completion_tokens: 5, total_tokens: 1126, cached_prompt_tokens: 1000, cache_creation_prompt_tokens: 100 });
  });

  it('takes cumulative non-null counts from message_delta over message_start', () => {
    const { out } = run([
      start({ input_tokens: 0, output_tokens: 1 }),
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { input_tokens: 30, cache_read_input_tokens: null, output_tokens: 5 } },
    ]);
    expect(out[1].usage).toEqual({ prompt_tokens: 30, completion_tokens: 5, total_tokens: 35 });
  });

  it.each([
    ['overloaded_error', 'provider_unavailable'],
    ['rate_limit_error', 'provider_rate_limited'],
    ['api_error', 'provider_unavailable'],
    ['invalid_request_error', 'provider_invalid_request'],
  ])('turns a mid-stream %s event into %s', (type, code) => {
    const translator = new AnthropicStreamTranslator('anthropic');
    expect(() => translator.translate({ type: 'error', error: { type, message: 'Overloaded' } })).toThrow(
      expect.objectContaining({ code, message: `anthropic reported an error mid-stream: ${type}: Overloaded` }),
    );
  });

  it('rejects tool input for a block that never started as tool_use', () => {
    const translator = new AnthropicStreamTranslator('anthropic');
    expect(() => translator.translate({ type: 'content_block_delta', index: 3, delta: { type: 'input_json_delta', partial_json: '{' } })).toThrow(
      expect.objectContaining({ code: 'provider_bad_response' }),
    );
  });

  it('ignores event and delta types it does not know', () => {
    const { out, translator } = run([
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta' } },
      { type: 'some_future_event' } as unknown as AnthropicStreamEvent,
    ]);
    expect(out).toEqual([]);
    expect(translator.finished).toBe(false);
  });
});
