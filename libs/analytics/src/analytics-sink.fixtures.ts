import type { UsageEvent } from '@switchyard/contracts';

/** A usage event as metering sends it, for the sink's tests. */
export const usageRow = (request_id: string, overrides: Partial<UsageEvent> = {}): UsageEvent => ({
  request_id,
  ts: '2026-11-25T10:00:00.000Z',
  api_key_id: 'anonymous',
  kind: 'chat',
  stream: false,
  model: 'mock-echo',
  provider: 'mock',
  upstream_model: 'mock-echo',
  prompt_tokens: 3,
  completion_tokens: 2,
  cached_prompt_tokens: 0,
  tokens_estimated: true,
  cost_usd: 0,
  latency_ms: 1,
  provider_latency_ms: 0,
  time_to_first_chunk_ms: null,
  status: 'ok',
  error_code: null,
  finish_reason: 'stop',
  metadata: {},
  ...overrides,
});
