import { GatewayError } from '@switchyard/contracts';
import { BATCH_LIMITS, parseBatchInput, parseBatchMetadata, type BodyCheck } from './batch-input';

const line = (customId: string, overrides: Record<string, unknown> = {}) =>
  JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model: 'm', messages: [{ role: 'user', content: 'hi' }] }, ...overrides });
const anyBody: BodyCheck = () => undefined;

function refusal(content: string, check: BodyCheck = anyBody): string {
  try {
    parseBatchInput(content, check);
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).code).toBe('invalid_request');
    return (error as Error).message;
  }
  throw new Error('the file was taken');
}

describe('parseBatchInput', () => {
  it('reads each request with its line number, skipping blank lines', () => {
    const lines = parseBatchInput([line('a'), '', line('b'), ''].join('\n'), anyBody);
    expect(lines.map(({ line: number, custom_id, url }) => ({ number, custom_id, url }))).toEqual([
      { number: 1, custom_id: 'a', url: '/v1/chat/completions' },
      { number: 3, custom_id: 'b', url: '/v1/chat/completions' },
    ]);
    expect(lines[0].body).toEqual({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
  });

  it('names the line and the problem of the first bad request', () => {
    expect(refusal([line('a'), '{oops'].join('\n'))).toMatch(/^line 2: not valid JSON/);
    expect(refusal([line('a'), line('a')].join('\n'))).toBe('line 2: custom_id "a" is used by an earlier line; each request needs its own');
    expect(refusal(line('', {}))).toBe('line 1: custom_id must be a non-empty string');
    expect(refusal(line('x'.repeat(BATCH_LIMITS.customIdChars + 1)))).toBe(`line 1: custom_id is longer than ${BATCH_LIMITS.customIdChars} characters`);
    expect(refusal(line('a', { method: 'GET' }))).toBe('line 1: method must be "POST", not "GET"');
    expect(refusal(line('a', { url: '/v1/completions' }))).toBe('line 1: url must be one of /v1/chat/completions, /v1/embeddings, not "/v1/completions"');
    expect(refusal([line('a'), line('b', { url: '/v1/embeddings', body: { model: 'e', input: ['x'] } })].join('\n'))).toBe(
      "line 2: url /v1/embeddings differs from line 1's /v1/chat/completions; a batch runs one endpoint",
    );
    expect(refusal(line('a', { body: [] }))).toBe('line 1: body must be a JSON object, the request as its endpoint takes it');
    expect(refusal(line('a', { body: { model: 'm', stream: true, messages: [] } }))).toBe('line 1: body.stream must not be true: a batch answers each request whole');
    expect(refusal('\n\n')).toBe('the file holds no requests; a batch file has one JSON request a line');
  });

  it('holds each body to its endpoint\'s check, naming the line', () => {
    const check: BodyCheck = (_url, body) => {
      if (body.model !== 'm') throw new GatewayError('invalid_request', 'model is not m');
    };
    expect(refusal([line('a'), line('b', { body: { model: 'z' } })].join('\n'), check)).toBe('line 2: body: model is not m');
  });
});

describe('parseBatchMetadata', () => {
  it('takes up to 16 string pairs and refuses anything else', () => {
    expect(parseBatchMetadata(undefined)).toEqual({});
    expect(parseBatchMetadata({ job: 'nightly' })).toEqual({ job: 'nightly' });
    expect(() => parseBatchMetadata({ n: 1 })).toThrow('metadata.n must be a string');
    expect(() => parseBatchMetadata(Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])))).toThrow('metadata holds 17 pairs; at most 16 are accepted');
  });
});
