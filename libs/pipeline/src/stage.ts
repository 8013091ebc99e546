// The stage framework: a stage is a function from one event to the events it produces; runStage puts
// it on a bus. Everything a stage's logic does not need to know (decoding, dead letters, tracing,
// retrying publishes, counting events) lives here, once.
import { MessageTooLargeError, type Bus, type IncomingMessage, type OutgoingMessage, type Subscribed } from '@switchyard/bus';
import { GatewayError, InvalidEventError } from '@switchyard/contracts';
import { gatewayMetrics, inMessageSpan, traceIdOf, type Logger } from '@switchyard/telemetry';
import type { Span } from '@opentelemetry/api';
import { deadLetter } from './dead-letters';

export interface StageOutput {
  topic: string;
  key: string;
  value: unknown;
}

export interface StageContext {
  /**
   * Publishes an output before the stage finishes (streamed chunks), in the stage's trace. Outputs are
   * published in the order emitted; the caller need not wait for one before emitting the next.
   */
  emit(output: StageOutput): Promise<void>;
  span: Span;
  logger: Logger;
}

export interface Stage<E> {
  /** Names the stage in spans, logs and dead letters. */
  name: string;
  input: string;
  /** See Subscription.copartitionedTopics: more inputs, read beside `input`. */
  copartitionedInputs?: readonly string[];
  group: string;
  /** Checks the event's shape; throws InvalidEventError with a reason when it is not one. */
  parse(value: unknown): E;
  handle(event: E, context: StageContext): Promise<StageOutput[]> | StageOutput[];
  /** The outputs that make a failure of `handle` visible (an error completion), so no request is lost. */
  onFailure(event: E, error: GatewayError): StageOutput[];
  /** See Subscription.maxInFlightBatches. */
  maxInFlightBatches?: number;
}

export interface RunStageOptions {
  logger: Logger;
  /** Consumer group override (broadcast subscriptions use one group per instance). */
  group?: string;
  /** How long publishing may be retried before the input is dead-lettered. */
  publishRetryMs?: number;
  /** See Subscription.since: with a group of its own, first what was written since then. */
  since?: number;
  /** See Subscription.beforeConsuming. */
  beforeConsuming?: () => Promise<void>;
}

export async function runStage<E>(bus: Bus, stage: Stage<E>, options: RunStageOptions): Promise<Subscribed> {
  const { logger } = options;
  const publisher = new RetryingPublisher(bus, logger, options.publishRetryMs ?? 30_000);
  const counts = stageCounts(stage.name);
  return bus.subscribe({
    topic: stage.input,
    copartitionedTopics: stage.copartitionedInputs,
    group: options.group ?? stage.group,
    maxInFlightBatches: stage.maxInFlightBatches,
    since: options.since,
    beforeConsuming: options.beforeConsuming,
    // One message is the usual batch in embedded mode: no array of promises for it.
    handleBatch: (messages) =>
      messages.length === 1
        ? processMessage(stage, messages[0], publisher, logger, counts)
        : Promise.all(messages.map((message) => processMessage(stage, message, publisher, logger, counts))).then(() => undefined),
  });
}

/** A stage's label values, made once: counting an event then costs no allocation. */
function stageCounts(name: string) {
  const metrics = gatewayMetrics();
  const stage = metrics.stage(name);
  return {
    event(outcome: 'handled' | 'failed' | 'dead_lettered', startedAt: number): void {
      metrics.stageEvents.inc(outcome === 'handled' ? this.handled : outcome === 'failed' ? this.failed : this.deadLettered);
      metrics.stageDuration.observe(this.stage, (performance.now() - startedAt) / 1000);
    },
    handled: [stage, 'handled'] as const,
    failed: [stage, 'failed'] as const,
    deadLettered: [stage, 'dead_lettered'] as const,
    stage: [stage] as const,
  };
}

async function processMessage<E>(
  stage: Stage<E>,
  message: IncomingMessage,
  publisher: RetryingPublisher,
  logger: Logger,
  counts: ReturnType<typeof stageCounts>,
): Promise<void> {
  const startedAt = performance.now();
  if (message.decodeError) {
    await deadLetter(publisher, logger, stage.name, message, message.decodeError);
    counts.event('dead_lettered', startedAt);
    return;
  }
  let event: E;
  try {
    event = stage.parse(message.value);
  } catch (error) {
    const reason = error instanceof InvalidEventError ? error.message : `unparseable event: ${String(error)}`;
    await deadLetter(publisher, logger, stage.name, message, reason);
    counts.event('dead_lettered', startedAt);
    return;
  }
  await inMessageSpan(stage.name, message.headers, async (span, headers) => {
    // Made on first use: most stages never emit early, and most events are never logged.
    let emitter: OrderedEmitter | undefined;
    let requestLogger: Logger | undefined;
    const context: StageContext = {
      span,
      get logger() {
        return (requestLogger ??= logger.child({ trace_id: traceIdOf(message.headers) }));
      },
      emit: (output) => (emitter ??= new OrderedEmitter(publisher, headers)).emit(output),
    };
    let outputs: StageOutput[];
    let outcome: 'handled' | 'failed' | 'dead_lettered' = 'handled';
    try {
      outputs = await stage.handle(event, context);
    } catch (error) {
      const failure = GatewayError.from(error);
      outcome = 'failed';
      context.logger.error(`${stage.name} failed on an event`, { key: message.key, error: failure.message, code: failure.code });
      span.recordException(failure);
      outputs = stage.onFailure(event, failure);
    }
    try {
      await publishAll(publisher, outputs, headers);
    } catch (error) {
      // An output the bus cannot carry (a completion holding a large request and a large answer) fails
      // the request visibly, with the failure's own outputs, rather than leaving the caller to its deadline.
      if (error instanceof MessageTooLargeError) {
        const failure = new GatewayError('request_too_large', `${stage.name} could not pass the request on: ${error.message}`);
        const published = await publishAll(publisher, stage.onFailure(event, failure), headers).then(() => true, () => false);
        if (published) return counts.event('failed', startedAt);
      }
      context.logger.error(`${stage.name} could not publish its outputs; dead-lettering the input`, { key: message.key, error });
      await deadLetter(publisher, logger, stage.name, message, `outputs could not be published: ${(error as Error).message}`);
      outcome = 'dead_lettered';
    }
    counts.event(outcome, startedAt);
  });
}

function publishAll(publisher: RetryingPublisher, outputs: StageOutput[], headers: Record<string, string>): Promise<void> {
  // Most stages produce one output a message: published without grouping.
  if (outputs.length === 1) return publisher.publish(outputs[0].topic, [{ key: outputs[0].key, value: outputs[0].value, headers }]);
  const byTopic = new Map<string, OutgoingMessage[]>();
  for (const output of outputs) {
    const list = byTopic.get(output.topic) ?? [];
    list.push({ key: output.key, value: output.value, headers });
    byTopic.set(output.topic, list);
  }
  return Promise.all([...byTopic].map(([topic, messages]) => publisher.publish(topic, messages))).then(() => undefined);
}

/**
 * A stage's early outputs, published in the order emitted: one publish at a time, and the outputs
 * emitted while it is in flight go together in the next, so a fast stream needs no round trip per
 * chunk and a retried publish can never overtake a later one.
 */
class OrderedEmitter {
  private waiting: { output: StageOutput; sent: () => void; failed: (error: unknown) => void }[] = [];
  private sending = false;
  private failure: unknown;

  constructor(
    private readonly publisher: RetryingPublisher,
    private readonly headers: Record<string, string>,
  ) {}

  emit(output: StageOutput): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((sent, failed) => {
      this.waiting.push({ output, sent, failed });
      if (!this.sending) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.sending = true;
    while (this.waiting.length > 0) {
      const batch = this.waiting.splice(0);
      try {
        await publishAll(this.publisher, batch.map((entry) => entry.output), this.headers);
        batch.forEach((entry) => entry.sent());
      } catch (error) {
        // Nothing after a lost output may be published, or the caller would see a gap.
        this.failure = error;
        [...batch, ...this.waiting.splice(0)].forEach((entry) => entry.failed(error));
      }
    }
    this.sending = false;
  }
}

/** Publishes, retrying with backoff while the bus is unavailable, for up to `retryMs`. */
export class RetryingPublisher {
  constructor(
    private readonly bus: Bus,
    private readonly logger: Logger,
    private readonly retryMs: number,
  ) {}

  publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    const giveUpAt = Date.now() + this.retryMs;
    return this.bus.publish(topic, messages).catch((error) => {
      // Too large stays too large: no retry.
      if (error instanceof MessageTooLargeError) throw error;
      return this.retry(topic, messages, giveUpAt, error);
    });
  }

  private async retry(topic: string, messages: OutgoingMessage[], giveUpAt: number, firstError: unknown): Promise<void> {
    let error = firstError;
    for (let attempt = 1; ; attempt++) {
      if (Date.now() >= giveUpAt) throw error;
      const wait = Math.min(100 * 2 ** attempt, 2000);
      this.logger.warn('publish failed; retrying', { topic, attempt, wait_ms: wait, error });
      await new Promise((resolve) => setTimeout(resolve, wait));
      try {
        await this.bus.publish(topic, messages);
        return;
      } catch (next) {
        error = next;
      }
    }
  }
}
