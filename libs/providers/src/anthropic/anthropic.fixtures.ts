// Anthropic wire bytes for tests, in the shapes the Messages API reference and its streaming guide
// document (ids, models and counts are the examples' own style; values are chosen per test).

export const ANTHROPIC_TEXT_RESPONSE = {
  id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5-20250929',
  content: [{ type: 'text', text: 'Hi! My name is Claude.' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: { input_tokens: 2095, output_tokens: 503, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
};

export const ANTHROPIC_TOOL_USE_RESPONSE = {
  id: 'msg_01Aq9w938a90dw8q',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5-20250929',
  content: [
    { type: 'text', text: "I'll check the current weather in San Francisco for you." },
    { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', input: { location: 'San Francisco, CA', unit: 'celsius' } },
  ],
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: { input_tokens: 384, output_tokens: 92 },
};

/** Prompt caching: input_tokens counts only the tokens after the last cache breakpoint. */
export const ANTHROPIC_CACHED_RESPONSE = {
  ...ANTHROPIC_TEXT_RESPONSE,
  id: 'msg_01CacheHit',
  usage: { input_tokens: 21, output_tokens: 393, cache_creation_input_tokens: 188086, cache_read_input_tokens: 1024 },
};

/** Server-sent events joined into the bytes of a response body. */
export function sse(events: [event: string, data: string][]): string {
  return events.map(([event, data]) => `event: ${event}\ndata: ${data}\n\n`).join('');
}

/** The streaming guide's basic text stream, including its ping. */
export const ANTHROPIC_TEXT_STREAM = sse([
  ['message_start', '{"type": "message_start", "message": {"id": "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", "type": "message", "role": "assistant", "content": [], "model": "claude-sonnet-4-5-20250929", "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 2095, "output_tokens": 1}}}'],
  ['content_block_start', '{"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}'],
  ['ping', '{"type": "ping"}'],
  ['content_block_delta', '{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hi! My"}}'],
  ['content_block_delta', '{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": " name is Claude."}}'],
  ['content_block_stop', '{"type": "content_block_stop", "index": 0}'],
  ['message_delta', '{"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": null}, "usage": {"output_tokens": 503}}'],
  ['message_stop', '{"type": "message_stop"}'],
]);

/**
 * The streaming guide's tool-use stream: text, then a tool_use block whose input arrives as
 * input_json_delta fragments. The fragments split keys, string values and a \u escape in the middle,
 * which is what the API does; only their concatenation is JSON.
 */
export const ANTHROPIC_TOOL_STREAM_FRAGMENTS = ['', '{"location":', ' "San', ' Francisc', 'o, CA", "un', 'it": "celsius", "note": "caf\\u00', 'e9 \\"open\\""}'];
export const ANTHROPIC_TOOL_STREAM_ARGUMENTS = ANTHROPIC_TOOL_STREAM_FRAGMENTS.join('');

export const ANTHROPIC_TOOL_STREAM = sse([
  ['message_start', '{"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":2},"content":[],"stop_reason":null}}'],
  ['content_block_start', '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}'],
  ['ping', '{"type": "ping"}'],
  ['content_block_delta', '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay, let\'s check the weather."}}'],
  ['content_block_stop', '{"type":"content_block_stop","index":0}'],
  ['content_block_start', '{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}'],
  ...ANTHROPIC_TOOL_STREAM_FRAGMENTS.map(
    (fragment): [string, string] => ['content_block_delta', JSON.stringify({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: fragment } })],
  ),
  ['content_block_stop', '{"type":"content_block_stop","index":1}'],
  ['message_delta', '{"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}'],
  ['message_stop', '{"type":"message_stop"}'],
]);

/** The guide's mid-stream error: an overload after the stream has started (HTTP 529 when not streaming). */
export const ANTHROPIC_OVERLOADED_MID_STREAM = sse([
  ['message_start', '{"type": "message_start", "message": {"id": "msg_01Overload", "type": "message", "role": "assistant", "content": [], "model": "claude-sonnet-4-5-20250929", "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 25, "output_tokens": 1}}}'],
  ['content_block_start', '{"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}'],
  ['content_block_delta', '{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hel"}}'],
  ['error', '{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}'],
]);

/** The documented error body: {"type":"error","error":{"type":...,"message":...},"request_id":...}. */
export function anthropicErrorBody(type: string, message: string) {
  return { type: 'error', error: { type, message }, request_id: 'req_011CSHoEeqs5C35K2UUqR7Fy' };
}

/** Each documented HTTP error, with its error type. */
export const ANTHROPIC_HTTP_ERRORS: { status: number; type: string; message: string }[] = [
  { status: 400, type: 'invalid_request_error', message: 'messages: roles must alternate between "user" and "assistant"' },
  { status: 401, type: 'authentication_error', message: 'invalid x-api-key' },
  { status: 403, type: 'permission_error', message: 'Your API key does not have permission to use the specified resource.' },
  { status: 404, type: 'not_found_error', message: 'model: claude-nonexistent' },
  { status: 413, type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' },
  { status: 429, type: 'rate_limit_error', message: 'Number of request tokens has exceeded your per-minute rate limit' },
  { status: 500, type: 'api_error', message: 'Internal server error' },
  { status: 529, type: 'overloaded_error', message: 'Overloaded' },
];
