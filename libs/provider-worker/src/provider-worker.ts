// The provider-worker: calls the provider a request was routed to. Streamed pieces go straight to the
// ingress instance holding the call, as the provider sends them; the outcome goes to metering.
import { providerCallsSchema, type ProviderCallLimits } from '@switchyard/config';
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
  type Route,
} from '@switchyard/contracts';
import { failedCompletion, type Stage, type StageContext, type StageOutput } from '@switchyard/pipeline';
import { StreamAccumulator, transportError, type ProviderAdapter } from '@switchyard/providers';
import { RouteQueue } from './route-queue';

/** What a caller answered `overloaded` is told to wait: the line moves as calls finish, which cannot be foreseen. */
export const OVERLOADED_RETRY_AFTER_MS = 1000;

/** Cancellations remembered for requests not yet seen, so that one which arrives after its caller left is not sent. */
const EARLY_CANCELLATIONS_KEPT = 10_000;

export interface RouteLoad extends Route {
  in_flight: number;
  queued: number;
}

export interface ProviderWorker {
  stage: Stage<RequestEvent>;
  /** Consumes cancellations; every worker instance must see all of them (a group of its own). */
  cancellations: Stage<CancelEvent>;
  /** Provider calls in flight, over every route. */
  inFlight(): number;
  /** Calls in flight and requests waiting, for each route that has either. */
  load(): RouteLoad[];
}

/**
 * Calls to one route (a provider and its model name) are limited, and requests beyond the limit wait in
 * a bounded line of their own, so a hanging model holds up no other; a provider's models are limited
 * apart because a provider is often slow or rate limited for one model and not the others.
 */
export function createProviderWorker(
  providers: Map<string, ProviderAdapter>,
  limits: ProviderCallLimits = providerCallsSchema.parse({}),
  now: () => number = Date.now,
): ProviderWorker {
  // Every request from arrival until its outcome, waiting or in flight: a cancellation aborts it.
  const calls = new Map<string, AbortController>();
  const routes = new Map<string, { route: Route; queue: RouteQueue }>();
  const earlyCancellations = new Map<string, GatewayError>();

  async function handle(request: RequestEvent, context: StageContext): Promise<StageOutput[]> {
    const route = request.route;
    if (!route) throw new GatewayError('internal', 'request reached the provider-worker without a route');
    const provider = providers.get(route.provider);
    if (!provider) throw new GatewayError('model_not_found', `provider ${route.provider} is not enabled in this provider-worker`);
    const cancelled = earlyCancellations.get(request.request_id);
    if (cancelled) {
      earlyCancellations.delete(request.request_id);
      return [failedCompletion(request, cancelled, 'provider-worker')];
    }
    const remaining = request.deadline_at - now();
    if (remaining <= 0) throw new GatewayError('deadline_exceeded', 'the deadline passed before the provider was called');

    // One controller serves both the caller's cancellation and the deadline, waiting or in flight:
    // AbortSignal.any and AbortSignal.timeout cost several transferable signals and a tracked timer per call.
    const cancel = new AbortController();
    calls.set(request.request_id, cancel);
    const deadline = setTimeout(() => cancel.abort(new DOMException('the deadline passed', 'TimeoutError')), remaining);
    const key = `${route.provider}\u0000${route.upstream_model}`;
    let entry = routes.get(key);
    if (!entry) routes.set(key, (entry = { route: { provider: route.provider, upstream_model: route.upstream_model }, queue: new RouteQueue(limits) }));
    const { queue } = entry;
    try {
      if (!queue.tryEnter()) {
        if (queue.full) return [failedCompletion(request, overloaded(route, queue), 'provider-worker')];
        if (!(await queue.wait(cancel.signal))) return [failedCompletion(request, leftTheLine(cancel.signal, route), 'provider-worker')];
      }
      try {
        return await call(provider, route, request, cancel.signal, context);
      } finally {
        queue.leave();
      }
    } finally {
      clearTimeout(deadline);
      calls.delete(request.request_id);
      if (queue.idle) routes.delete(key);
    }
  }

  async function call(provider: ProviderAdapter, route: Route, request: RequestEvent, signal: AbortSignal, context: StageContext): Promise<StageOutput[]> {
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
    }
  }

  return {
    stage: {
      name: 'provider-worker',
      input: TOPICS.guarded,
      group: CONSUMER_GROUPS.providerWorker,
      parse: parseRequestEvent,
      // The worker admits requests itself: each is in flight or waiting within its route's bounds, or
      // answered at once, so the bus never holds one route's requests behind another's. A waiting request
      // is consumed but not committed: handle() holds it until its outcome is published, so a restart
      // redelivers it (and what follows it in its partition) rather than losing it; its deadline bounds
      // how long it can hold the partition's commits back.
      maxInFlightBatches: Number.POSITIVE_INFINITY,
      handle,
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
        const call = calls.get(event.request_id);
        if (call) call.abort(reason);
        else rememberEarlyCancellation(event.request_id, reason);
        return [];
      },
      onFailure: () => [],
    },
    inFlight: () => {
      let total = 0;
      for (const { queue } of routes.values()) total += queue.inFlight;
      return total;
    },
    load: () => [...routes.values()].map(({ route, queue }) => ({ ...route, in_flight: queue.inFlight, queued: queue.queued })),
  };

  // A cancellation can overtake its request (it skips the router and the guardrail); every worker
  // instance hears every cancellation, so this is bounded: the oldest are forgotten first.
  function rememberEarlyCancellation(requestId: string, reason: GatewayError): void {
    earlyCancellations.set(requestId, reason);
    if (earlyCancellations.size > EARLY_CANCELLATIONS_KEPT) earlyCancellations.delete(earlyCancellations.keys().next().value!);
  }
}

function overloaded(route: Route, queue: RouteQueue): GatewayError {
  return new GatewayError(
    'overloaded',
    `too many calls to ${route.provider} model ${route.upstream_model}: ${queue.inFlight} in flight and ${queue.queued} waiting, the most provider_calls allows; retry later`,
    { retryAfterMs: OVERLOADED_RETRY_AFTER_MS },
  );
}

/** Why a waiting request left the line without a call: its caller left, or its deadline passed. */
function leftTheLine(signal: AbortSignal, route: Route): GatewayError {
  if (signal.reason instanceof GatewayError) return signal.reason;
  return new GatewayError('deadline_exceeded', `the deadline passed while the request waited for a call to ${route.provider} model ${route.upstream_model}`);
}
