// Bedrock wire bytes for tests, in the shapes the Bedrock Runtime API reference documents. Streams are
// built with the event-stream codec's encoder, so they are real frames with valid prelude and message CRCs.
import { fromUtf8 } from '@smithy/util-utf8';
import { createEventStreamCodec } from './eventstream';

export const BEDROCK_REQUEST_ID = '5dc1ab1a-1a36-4b5b-9c6b-3a3d0b1f3d5e';

const codec = createEventStreamCodec();
const header = (value: string) => ({ type: 'string' as const, value });

/** One ConverseStream event frame (:message-type event). */
export function eventFrame(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: { ':event-type': header(eventType), ':content-type': header('application/json'), ':message-type': header('event') },
    body: fromUtf8(typeof payload === 'string' ? payload : JSON.stringify(payload)),
  });
}

/** One modelled exception frame (:message-type exception), e.g. throttlingException. */
export function exceptionFrame(exceptionType: string, message: string): Uint8Array {
  return codec.encode({
    headers: { ':exception-type': header(exceptionType), ':content-type': header('application/json'), ':message-type': header('exception') },
    body: fromUtf8(JSON.stringify({ message })),
  });
}

/** One unmodelled error frame (:message-type error), described by headers alone. */
export function errorFrame(errorCode: string, message: string): Uint8Array {
  return codec.encode({
    headers: { ':error-code': header(errorCode), ':error-message': header(message), ':message-type': header('error') },
    body: new Uint8Array(0),
  });
}

/** Frames joined into the bytes of a response body. */
export function eventStream(frames: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(frames));
}

/** [eventType, payload] pairs as a stream body. */
export function converseStream(events: [string, unknown][]): Uint8Array {
  return eventStream(events.map(([type, payload]) => eventFrame(type, payload)));
}

export const CONVERSE_TEXT_RESPONSE = {
  output: { message: { role: 'assistant', content: [{ text: 'The capital of France is Paris.' }] } },
  stopReason: 'end_turn',
  usage: { inputTokens: 14, outputTokens: 9, totalTokens: 23 },
  metrics: { latencyMs: 412 },
};

export const CONVERSE_TOOL_USE_RESPONSE = {
  output: {
    message: {
      role: 'assistant',
      content: [
        { text: 'I will look up the weather in both cities.' },
        { toolUse: { toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'get_weather', input: { city: 'Paris' } } },
        { toolUse: { toolUseId: 'tooluse_6Wk3Mxd9QnGV2iPRz8tN1A', name: 'get_weather', input: { city: 'Berlin' } } },
      ],
    },
  },
  stopReason: 'tool_use',
  usage: { inputTokens: 410, outputTokens: 96, totalTokens: 506 },
  metrics: { latencyMs: 1030 },
};

/** Prompt caching on Bedrock: inputTokens counts only tokens neither read from nor written to the cache. */
export const CONVERSE_CACHED_RESPONSE = {
  ...CONVERSE_TEXT_RESPONSE,
  usage: { inputTokens: 14, outputTokens: 9, totalTokens: 3623, cacheReadInputTokens: 2048, cacheWriteInputTokens: 1552 },
};

export const CONVERSE_TEXT_STREAM_EVENTS: [string, unknown][] = [
  ['messageStart', { role: 'assistant' }],
  ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'The capital' } }],
  ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: ' of France is Paris.' } }],
  ['contentBlockStop', { contentBlockIndex: 0 }],
  ['messageStop', { stopReason: 'end_turn' }],
  ['metadata', { usage: { inputTokens: 14, outputTokens: 9, totalTokens: 23 }, metrics: { latencyMs: 398 } }],
];

/** Tool input streamed as fragments that split keys, values and a \u escape; only their join is JSON. */
export const CONVERSE_TOOL_FRAGMENTS = [['{"ci', 'ty": "Par', 'is"}'], ['{"city":', ' "Berl\\u00', 'fcn"}']];

export const CONVERSE_TOOL_STREAM_EVENTS: [string, unknown][] = [
  ['messageStart', { role: 'assistant' }],
  ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'I will look up the weather in both cities.' } }],
  ['contentBlockStop', { contentBlockIndex: 0 }],
  ['contentBlockStart', { contentBlockIndex: 1, start: { toolUse: { toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'get_weather' } } }],
  ...CONVERSE_TOOL_FRAGMENTS[0].map((input): [string, unknown] => ['contentBlockDelta', { contentBlockIndex: 1, delta: { toolUse: { input } } }]),
  ['contentBlockStop', { contentBlockIndex: 1 }],
  ['contentBlockStart', { contentBlockIndex: 2, start: { toolUse: { toolUseId: 'tooluse_6Wk3Mxd9QnGV2iPRz8tN1A', name: 'get_weather' } } }],
  ...CONVERSE_TOOL_FRAGMENTS[1].map((input): [string, unknown] => ['contentBlockDelta', { contentBlockIndex: 2, delta: { toolUse: { input } } }]),
  ['contentBlockStop', { contentBlockIndex: 2 }],
  ['messageStop', { stopReason: 'tool_use' }],
  ['metadata', { usage: { inputTokens: 410, outputTokens: 96, totalTokens: 506 }, metrics: { latencyMs: 1010 } }],
];

/** The documented error answer: {"message": ...} with the type in x-amzn-ErrorType. */
export function bedrockError(status: number, type: string, message: string): { status: number; headers: Record<string, string>; body: string } {
  return {
    status,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`, 'x-amzn-requestid': BEDROCK_REQUEST_ID },
    body: JSON.stringify({ message }),
  };
}

export const TITAN_EMBED_RESPONSES = [
  { embedding: [0.0123, -0.0456, 0.0789], inputTextTokenCount: 11 },
  { embedding: [-0.021, 0.034, 0.0005], inputTextTokenCount: 5 },
];
