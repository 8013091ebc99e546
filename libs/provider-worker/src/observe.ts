// What the provider-worker tells metrics and traces about its provider calls.
import { requestedModel, type ChatResult, type EmbedResult, type FailedAttempt, type GatewayError, type ModerationResult, type ImageGenerationResult, type TranscriptionResult, type RequestEvent, type RerankResult } from '@switchyard/contracts';
import { GEN_AI_OPERATIONS, gatewayMetrics, setGenAiOutcome, startGenAiSpan } from '@switchyard/telemetry';
import type { Span } from '@opentelemetry/api';

/** The GenAI client span of one provider call (recorded only when the stage's span is). */
export function startProviderCallSpan(parent: Span, request: RequestEvent, provider: string, upstreamModel: string): Span {
  return startGenAiSpan(parent, GEN_AI_OPERATIONS[request.kind], provider, upstreamModel);
}

/** Counts one provider call and ends its span with what it came to. */
export function providerCallEnded(
  span: Span,
  request: RequestEvent,
  target: { provider: string; upstream_model: string },
  call: { latencyMs: number; firstChunkMs?: number; result?: ChatResult | EmbedResult | ModerationResult | RerankResult | ImageGenerationResult | TranscriptionResult; error?: GatewayError },
): void {
  const { latencyMs, firstChunkMs, result, error } = call;
  gatewayMetrics().providerCalled(requestedModel(request), target.provider, !error, latencyMs / 1000, firstChunkMs === undefined ? undefined : firstChunkMs / 1000);
  if (span.isRecording()) {
    const finishReasons = result && 'choices' in result ? result.choices.flatMap((choice) => (choice.finish_reason ? [choice.finish_reason] : [])) : undefined;
    setGenAiOutcome(span, {
      responseModel: result ? target.upstream_model : undefined,
      inputTokens: result?.usage?.prompt_tokens,
      outputTokens: result?.usage?.completion_tokens,
      finishReasons,
      errorType: error?.code,
      errorMessage: error?.message,
    });
    span.end();
  }
}

/**
 * Counts a request's retries (a failed call tried again on its target) and fallbacks (a failed target
 * left for the next), from the calls that failed before the one that answered it, on target `last`.
 */
export function countRetriesAndFallbacks(request: RequestEvent, failed: readonly FailedAttempt[] | undefined, last: string): void {
  if (!failed) return;
  const metrics = gatewayMetrics();
  const model = metrics.model(requestedModel(request));
  failed.forEach((attempt, index) => {
    const next = failed[index + 1]?.target ?? last;
    const provider = metrics.provider(attempt.target.slice(0, attempt.target.indexOf('/')));
    if (next === attempt.target) metrics.retries.inc([model, provider]);
    else metrics.fallbacks.inc([model, provider]);
  });
}
