import { TOPICS, summarizeRequest, type CompletionEvent, type GatewayError, type RequestEvent } from '@switchyard/contracts';
import type { StageOutput } from './stage';

/** The completion that ends a request with an error; metering answers the caller and records it. */
export function failedCompletion(request: RequestEvent, error: GatewayError, stage: string, providerLatencyMs = 0): StageOutput {
  const completion: CompletionEvent = {
    request: summarizeRequest(request),
    status: error.code === 'cancelled' ? 'cancelled' : 'error',
    error: error.toBody(),
    provider_latency_ms: providerLatencyMs,
    stage,
  };
  return { topic: TOPICS.completions, key: request.request_id, value: completion };
}
