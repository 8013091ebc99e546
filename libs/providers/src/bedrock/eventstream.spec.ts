import { converseStream, errorFrame, eventFrame, eventStream, exceptionFrame } from './bedrock.fixtures';
import { EventStreamDecoder } from './eventstream';

describe('EventStreamDecoder', () => {
  const body = converseStream([
    ['messageStart', { role: 'assistant' }],
    ['contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Bonjour' } }],
    ['messageStop', { stopReason: 'end_turn' }],
  ]);
  const expected = [
    { kind: 'event', eventType: 'messageStart', payload: { role: 'assistant' } },
    { kind: 'event', eventType: 'contentBlockDelta', payload: { contentBlockIndex: 0, delta: { text: 'Bonjour' } } },
    { kind: 'event', eventType: 'messageStop', payload: { stopReason: 'end_turn' } },
  ];

  it.each([1, 3, 7, 12, 13, 64, 4096])('decodes frames whatever the read size (%d bytes)', (size) => {
    const decoder = new EventStreamDecoder('bedrock');
    const frames = [];
    for (let offset = 0; offset < body.length; offset += size) frames.push(...decoder.push(body.subarray(offset, offset + size)));
    expect(frames).toEqual(expected);
    expect(decoder.pendingBytes).toBe(0);
  });

  it('keeps the bytes of a frame cut short as pending', () => {
    const decoder = new EventStreamDecoder('bedrock');
    expect(decoder.push(body.subarray(0, body.length - 5))).toEqual(expected.slice(0, 2));
    expect(decoder.pendingBytes).toBeGreaterThan(0);
  });

  it('reads exception and error frames', () => {
    const decoder = new EventStreamDecoder('bedrock');
    expect(decoder.push(eventStream([exceptionFrame('throttlingException', 'Too many requests'), errorFrame('InternalFailure', 'boom')]))).toEqual([
      { kind: 'exception', exceptionType: 'throttlingException', message: 'Too many requests' },
      { kind: 'error', errorCode: 'InternalFailure', message: 'boom' },
    ]);
  });

  it('rejects a frame whose message CRC does not match', () => {
    const frame = eventFrame('messageStart', { role: 'assistant' });
    frame[frame.length - 10] ^= 0xff;
    expect(() => new EventStreamDecoder('bedrock').push(frame)).toThrow(expect.objectContaining({ code: 'provider_bad_response' }));
  });

  it('rejects an event whose payload is not JSON', () => {
    expect(() => new EventStreamDecoder('bedrock').push(eventFrame('contentBlockDelta', '{"contentBlockIndex":0,'))).toThrow(
      expect.objectContaining({ code: 'provider_bad_response', message: expect.stringContaining('not JSON') }),
    );
  });

  it('rejects a prelude announcing an impossible length', () => {
    expect(() => new EventStreamDecoder('bedrock').push(new Uint8Array(12))).toThrow(expect.objectContaining({ code: 'provider_bad_response' }));
  });
});
