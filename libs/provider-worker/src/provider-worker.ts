// The provider-worker: calls the provider a request was routed to. Streamed pieces go straight to the
// ingress instance holding the call, as the provider sends them; the outcome goes to metering.
import {
  CONSUMER_GROUPS,
  GatewayError,
  TOPICS,
  parseCancelEvent,
  parseRequestEvent,
  type CancelEvent,
  type ChatChunk,
  type CompletionEvent,
  type ReplyEvent,
  type RequestEvent,
} from '@switchyard/contracts';
import { failedCompletion, type Stage, type StageContext, type StageOutput } from '@switchyard/pipeline';
import { StreamAccumulator, transportError, type ProviderAdapter } from '@switchyard/providers';

export interface ProviderWorker {
  stage: Stage<RequestEvent>;
  /** Consumes cancellations; every worker instance must see all of them (a group of its own). */
  cancellations: Stage<CancelEvent>;
  inFlight(): number;
}

export function createProviderWorker(providers: Map<string, ProviderAdapter>, now: () => number = Date.now): ProviderWorker {
  const running = new Map<string, AbortController>();

  async function call(request: RequestEvent, context: StageContext): Promise<StageOutput[]> {
    const route = request.route;
    if (!route) throw new GatewayError('internal', 'request reached the provider-worker without a route');
    const provider = providers.get(route.provider);
    if (!provider) throw new GatewayError('model_not_found', `provider ${route.provider} is not enabled in this provider-worker`);
    const remaining = request.deadline_at - now();
    if (remaining <= 0) throw new GatewayError('deadline_exceeded', 'the deadline passed before the provider was called');

    // One controller serves both the caller's cancellation and the deadline: AbortSignal.any and
    // AbortSignal.timeout cost several transferable signals and a tracked timer per call.
    const cancel = new AbortController();
    running.set(request.request_id, cancel);
    const deadline = setTimeout(() => cancel.abort(new DOMException('the deadline passed', 'TimeoutError')), remaining);
    const signal = cancel.signal;
    const started = now();
    let firstChunkAt: number | undefined;
    context.span.setAttributes({ 'gen_ai.system': route.provider, 'gen_ai.request.model': route.upstream_model });
    try {
      const completion: CompletionEvent = { request, status: 'ok', provider_latency_ms: 0, stage: 'provider-worker' };
      if (request.kind === 'embed') {
        if (!provider.embed) throw new GatewayError('unsupported_capability', `provider ${route.provider} does not offer embeddings`);
        completion.embed = await provider.embed({ ...request.embed!, model: route.upstream_model }, { signal });
      } else if (request.stream && provider.chatStream) {
        const accumulator = new StreamAccumulator();
        // Chunks are emitted without waiting for each to be published: reading the provider goes on
        // while the bus carries earlier chunks, which the stage context publishes in order.
        const emitted: Promise<void>[] = [];
        let emitFailure: unknown;
        for await (const event of provider.chatStream({ ...request.chat!, model: route.upstream_model }, { signal })) {
          if (emitFailure) throw emitFailure;
          accumulator.add(event);
          if (!event.role && !event.content && !event.tool_calls) continue;
          firstChunkAt ??= now();
          const chunk: ChatChunk = {
            id: request.request_id,
            model: request.chat!.model,
            provider: route.provider,
            index: event.index,
            delta: {
              ...(event.role ? { role: event.role } : {}),
              ...(event.content ? { content: event.content } : {}),
              ...(event.tool_calls ? { tool_calls: event.tool_calls } : {}),
            },
          };
          const reply: ReplyEvent = { request_id: request.request_id, type: 'chunk', chunk };
          const sent = context.emit({ topic: request.reply_to, key: request.request_id, value: reply });
          sent.catch((error: unknown) => (emitFailure ??= error));
          emitted.push(sent);
        }
        // The completion (and so the caller's last chunk, from metering) follows every chunk.
        await Promise.all(emitted);
        completion.chat = accumulator.result();
      } else {
        if (!provider.chat) throw new GatewayError('unsupported_capability', `provider ${route.provider} does not offer chat`);
        completion.chat = await provider.chat({ ...request.chat!, model: route.upstream_model }, { signal });
      }
      completion.provider_latency_ms = now() - started;
      if (firstChunkAt !== undefined) completion.time_to_first_chunk_ms = firstChunkAt - started;
      return [{ topic: TOPICS.completions, key: request.request_id, value: completion }];
    } catch (error) {
      const failure = signal.aborted || !(error instanceof GatewayError) ? transportError({ provider: route.provider, signal }, error) : error;
      return [failedCompletion(request, failure, 'provider-worker', now() - started)];
    } finally {
      clearTimeout(deadline);
      running.delete(request.request_id);
    }
  }

  return {
    stage: {
      name: 'provider-worker',
      input: TOPICS.guarded,
      group: CONSUMER_GROUPS.providerWorker,
      parse: parseRequestEvent,
      // Provider calls are slow and independent: many batches at once, so a long stream holds up nothing.
      maxInFlightBatches: 256,
      handle: call,
      onFailure: (request, error) => [failedCompletion(request, error, 'provider-worker')],
    },
    cancellations: {
      name: 'provider-worker.cancellations',
      input: TOPICS.cancellations,
      group: CONSUMER_GROUPS.providerWorker,
      parse: parseCancelEvent,
      handle(event) {
        const reason = event.reason === 'deadline_exceeded'
          ? new GatewayError('deadline_exceeded', 'the caller\'s deadline passed')
          : new GatewayError('cancelled', 'the caller cancelled the request');
        running.get(event.request_id)?.abort(reason);
        return [];
      },
      onFailure: () => [],
    },
    inFlight: () => running.size,
  };
}
