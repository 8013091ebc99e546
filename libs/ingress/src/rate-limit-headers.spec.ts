import { rateLimitHeaders, resetDuration } from './rate-limit-headers';

describe('rate-limit headers', () => {
  it.each([
    [0, '0ms'],
    [20, '20ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [59_999, '59.999s'],
    [360_000, '6m0s'],
    [61_250, '1m1.25s'],
  ])('writes %i ms as OpenAI does: %s', (ms, text) => {
    expect(resetDuration(ms)).toBe(text);
  });

  it('gives the requests and tokens limits that were set, and nothing for a caller without', () => {
    expect(rateLimitHeaders({ limit_requests: 60, remaining_requests: 59, reset_requests_ms: 1000 })).toEqual({
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-remaining-requests': '59',
      'x-ratelimit-reset-requests': '1s',
    });
    expect(rateLimitHeaders({ limit_tokens: 1000, remaining_tokens: 0, reset_tokens_ms: 30_000 })).toEqual({
      'x-ratelimit-limit-tokens': '1000',
      'x-ratelimit-remaining-tokens': '0',
      'x-ratelimit-reset-tokens': '30s',
    });
    expect(rateLimitHeaders(undefined)).toEqual({});
  });
});
