import { GatewayError, type ChatChunk, type ChatResponse } from '@switchyard/contracts';
import {
  AnthropicStreamEncoder,
  fromAnthropicRequest,
  toAnthropicError,
  toAnthropicMessage,
  toAnthropicModelList,
  toAnthropicStopReason,
  toAnthropicUsage,
} from './anthropic-format';

function refusal(body: unknown): GatewayError {
  try {
    fromAnthropicRequest(body);
  } catch (error) {
    return error as GatewayError;
  }
  throw new Error('expected the request to be refused');
}

describe('fromAnthropicRequest', () => {
  it('maps system, content blocks, tools and tool_choice onto the unified request', () => {
    const { request, stream } = fromAnthropicRequest({
      model: 'claude-x',
      max_tokens: 256,
      system: 'be brief',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'what is this?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
          ],
        },
        { role: 'assistant', content: [{ type: 'text', text: 'let me look' }, { type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { q: 'cat' } }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'a ' }, { type: 'text', text: 'cat' }] },
            { type: 'text', text: 'thanks' },
          ],
        },
      ],
      stop_sequences: ['END'],
      temperature: 0.2,
      top_p: 0.8,
      top_k: 5,
      metadata: { user_id: 'u-1' },
      tools: [{ name: 'lookup', description: 'finds things', input_schema: { type: 'object', properties: { q: { type: 'string' } } } }],
      tool_choice: { type: 'any' },
      stream: true,
    });
    expect(stream).toBe(true);
    expect(request).toEqual({
      model: 'claude-x',
      max_tokens: 256,
      messages: [
        { role: 'system', content: 'be brief' },
        {
          role: 'user',
          content_parts: [{ text: 'what is this?' }, { image: { mime_type: 'image/png', data: 'iVBORw0KGgo=' } }, { image_url: { url: 'https://example.com/cat.png' } }],
        },
        { role: 'assistant', content: 'let me look', tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"cat"}' } }] },
        // The tool result becomes a tool message of its own, ahead of the rest of the user turn.
        { role: 'tool', tool_call_id: 'toolu_1', content: 'a cat' },
        { role: 'user', content: 'thanks' },
      ],
      stop: ['END'],
      temperature: 0.2,
      top_p: 0.8,
      user: 'u-1',
      tools: [{ type: 'function', function: { name: 'lookup', description: 'finds things', parameters_json: '{"type":"object","properties":{"q":{"type":"string"}}}' } }],
      tool_choice: { mode: 'required' },
    });
  });

  it('maps each tool_choice and system blocks', () => {
    const base = { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] };
    expect(fromAnthropicRequest({ ...base, tool_choice: { type: 'tool', name: 'f' } }).request.tool_choice).toEqual({ mode: 'function', function_name: 'f' });
    expect(fromAnthropicRequest({ ...base, tool_choice: { type: 'auto' } }).request.tool_choice).toEqual({ mode: 'auto' });
    expect(fromAnthropicRequest({ ...base, tool_choice: { type: 'none' } }).request.tool_choice).toEqual({ mode: 'none' });
    const { request } = fromAnthropicRequest({ ...base, system: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }] });
    expect(request.messages[0]).toEqual({ role: 'system', content_parts: [{ text: 'one' }, { text: 'two' }] });
  });

  it('carries output_config.format as a strict JSON Schema response format, and refuses another format type', () => {
    const base = { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] };
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
    expect(fromAnthropicRequest({ ...base, output_config: { format: { type: 'json_schema', schema } } }).request.response_format).toEqual({
      type: 'json_schema',
      json_schema: JSON.stringify(schema),
      strict: true,
    });
    expect(fromAnthropicRequest({ ...base, output_config: { effort: 'low' } }).request.response_format).toBeUndefined();
    expect(refusal({ ...base, output_config: { format: { type: 'grammar', schema } } }).message).toBe('output_config.format.type must be json_schema');
  });

  it('names the field that is wrong, as Anthropic requires it', () => {
    expect(refusal({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }).message).toBe('max_tokens is required');
    expect(refusal({ model: 'm', max_tokens: 5, messages: [{ role: 'system', content: 'hi' }] }).message).toMatch(/^messages\[0\]\.role must be user or assistant/);
    expect(refusal({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'document', source: {} }] }] }).message).toBe(
      'messages[0].content[0].type must be text, image, tool_use or tool_result',
    );
    expect(refusal({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'tool_use', id: 't', name: 'f', input: {} }] }] }).message).toMatch(
      /only an assistant message can hold/,
    );
    expect(refusal({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'url', url: 'http://x/y.png' } }] }] }).message).toBe(
      'messages[0].content[0].source.url must be an https:// URL',
    );
  });
});

describe('toAnthropicMessage', () => {
  const response = (message: ChatResponse['choices'][number]['message'], finish: string): ChatResponse => ({
    id: 'req-1',
    model: 'mock-echo',
    provider: 'mock',
    choices: [{ index: 0, message, finish_reason: finish }],
    usage: { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14, cached_prompt_tokens: 6 },
    cost_usd: 0,
  });

  it('answers in Message shape with text and tool_use blocks, and cache reads apart from input tokens', () => {
    const body = toAnthropicMessage(response({ role: 'assistant', content: 'on it', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } }] }, 'tool_calls'));
    expect(body).toEqual({
      id: 'req-1',
      type: 'message',
      role: 'assistant',
      model: 'mock-echo',
      content: [{ type: 'text', text: 'on it' }, { type: 'tool_use', id: 'c1', name: 'f', input: { a: 1 } }],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 4, output_tokens: 4, cache_read_input_tokens: 6 },
    });
  });

  it('blames the provider when a tool call carries arguments that are not a JSON object', () => {
    const broken = () => toAnthropicMessage(response({ role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '[1]' } }] }, 'tool_calls'));
    expect(broken).toThrow(expect.objectContaining({ code: 'provider_bad_response' }));
  });

  it('maps the unified finish reasons onto stop reasons', () => {
    expect(['stop', 'length', 'tool_calls', 'content_filter', 'error'].map(toAnthropicStopReason)).toEqual(['end_turn', 'max_tokens', 'tool_use', 'refusal', 'end_turn']);
    expect(toAnthropicUsage({ prompt_tokens: 10, completion_tokens: 1, total_tokens: 11, cache_creation_prompt_tokens: 7 })).toEqual({
      input_tokens: 3,
      output_tokens: 1,
      cache_creation_input_tokens: 7,
    });
  });
});

describe('AnthropicStreamEncoder', () => {
  const chunk = (delta: ChatChunk['delta'], extra: Partial<ChatChunk> = {}): ChatChunk => ({ id: 'req-3', model: 'mock-echo', provider: 'mock', index: 0, delta, ...extra });

  it('emits the documented event sequence, a block per text run and per tool call', () => {
    const encoder = new AnthropicStreamEncoder();
    const events = [
      chunk({ role: 'assistant' }),
      chunk({ content: 'Let me ' }),
      chunk({ content: 'check.' }),
      chunk({ tool_calls: [{ index: 0, id: 'c1', type: 'function', function: { name: 'f', arguments: '' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '1}' } }] }),
      chunk({ tool_calls: [{ index: 1, id: 'c2', type: 'function', function: { name: 'g', arguments: '{}' } }] }),
      chunk({}, { finish_reason: 'tool_calls', usage: { prompt_tokens: 9, completion_tokens: 5, total_tokens: 14 } }),
    ].flatMap((c) => encoder.encode(c));
    expect(events.map((e) => e.event)).toEqual([
      'message_start',
      'ping',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'content_block_start',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    // Each event's data carries its own name as `type`, as the SDKs expect.
    expect(events.every((e) => (e.data as { type: string }).type === e.event)).toBe(true);
    expect(events[0].data).toMatchObject({ message: { id: 'req-3', role: 'assistant', content: [], usage: { input_tokens: 0, output_tokens: 0 } } });
    expect(events[2].data).toEqual({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
    expect(events[6].data).toEqual({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'c1', name: 'f', input: {} } });
    expect(events[8].data).toEqual({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '1}' } });
    expect(events[10].data).toMatchObject({ index: 2, content_block: { id: 'c2', name: 'g' } });
    expect(events[13].data).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'tool_use', stop_sequence: null },
      usage: { input_tokens: 9, output_tokens: 5 },
    });
  });
});

describe('models and errors', () => {
  it('lists models in Anthropic shape', () => {
    const list = toAnthropicModelList([{ id: 'a', provider: 'mock', upstream_model: 'a', capabilities: { chat: true, streaming: true, tools: false, vision: false, embeddings: false }, targets: [] }], '2026-01-01T00:00:00.000Z');
    expect(list).toEqual({ data: [{ type: 'model', id: 'a', display_name: 'a', created_at: '2026-01-01T00:00:00.000Z' }], has_more: false, first_id: 'a', last_id: 'a' });
  });

  it('gives each status its Anthropic error type', () => {
    const type = (code: GatewayError['code']) => toAnthropicError(new GatewayError(code, 'm')).error.type;
    expect(toAnthropicError(new GatewayError('model_not_found', 'gone'))).toEqual({ type: 'error', error: { type: 'not_found_error', message: 'gone' } });
    expect(type('invalid_request')).toBe('invalid_request_error');
    expect(type('unauthenticated')).toBe('authentication_error');
    expect(type('guardrail_blocked')).toBe('permission_error');
    expect(type('request_too_large')).toBe('request_too_large');
    expect(type('rate_limited')).toBe('rate_limit_error');
    expect(type('provider_unavailable')).toBe('overloaded_error');
    expect(type('provider_bad_response')).toBe('api_error');
    expect(type('deadline_exceeded')).toBe('timeout_error');
  });
});
