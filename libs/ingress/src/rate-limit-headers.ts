// OpenAI's rate-limit headers (x-ratelimit-*), on every answer to a caller whose virtual key or team has
// a requests or tokens limit: HTTP headers, and gRPC metadata under the same names.
import type { RateLimitStatus } from '@switchyard/contracts';

export function rateLimitHeaders(status: RateLimitStatus | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (!status) return headers;
  if (status.limit_requests !== undefined) {
    headers['x-ratelimit-limit-requests'] = String(status.limit_requests);
    headers['x-ratelimit-remaining-requests'] = String(status.remaining_requests);
    headers['x-ratelimit-reset-requests'] = resetDuration(status.reset_requests_ms ?? 0);
  }
  if (status.limit_tokens !== undefined) {
    headers['x-ratelimit-limit-tokens'] = String(status.limit_tokens);
    headers['x-ratelimit-remaining-tokens'] = String(status.remaining_tokens);
    headers['x-ratelimit-reset-tokens'] = resetDuration(status.reset_tokens_ms ?? 0);
  }
  return headers;
}

/** As OpenAI writes it: `20ms`, `1s`, `6m0s`, `1.5s`. */
export function resetDuration(ms: number): string {
  const whole = Math.max(0, Math.round(ms));
  if (whole < 1000) return `${whole}ms`;
  const minutes = Math.floor(whole / 60_000);
  const seconds = `${Number(((whole % 60_000) / 1000).toFixed(3))}s`;
  return minutes > 0 ? `${minutes}m${seconds}` : seconds;
}
