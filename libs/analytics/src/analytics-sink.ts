// Analytics: writes each batch of usage events to usage_events in one statement. A batch's offsets are
// committed only after its rows are written (the bus commits when handleBatch settles), and a failed
// write is retried until it succeeds, so no row is lost; rows are keyed by request_id, so a retry or a
// redelivery never counts a request twice.
import type { Bus, IncomingMessage } from '@switchyard/bus';
import { CONSUMER_GROUPS, InvalidEventError, TOPICS, parseUsageEvent, type UsageEvent } from '@switchyard/contracts';
import { deadLetter, RetryingPublisher } from '@switchyard/pipeline';
import { insertUsageEvents, type SqlClient } from '@switchyard/storage';
import { contextFromHeaders, tracer, type Logger } from '@switchyard/telemetry';
import type { Span } from '@opentelemetry/api';

export interface AnalyticsSinkOptions {
  bus: Bus;
  db: SqlClient;
  logger: Logger;
  /** Longest wait between write attempts while the database is down. */
  maxRetryDelayMs?: number;
}

export interface AnalyticsSink {
  rowsWritten(): number;
  stop(): void;
}

export async function startAnalyticsSink(options: AnalyticsSinkOptions): Promise<AnalyticsSink> {
  const { bus, db, logger } = options;
  const publisher = new RetryingPublisher(bus, logger, 30_000);
  let written = 0;
  let stopping = false;

  async function writeWithRetry(events: UsageEvent[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        written += await insertUsageEvents(db, events);
        return;
      } catch (error) {
        if (stopping) throw error;
        const wait = Math.min(100 * 2 ** attempt, options.maxRetryDelayMs ?? 5000);
        logger.warn('writing usage events failed; retrying', { rows: events.length, attempt, wait_ms: wait, error });
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  await bus.subscribe({
    topic: TOPICS.usage,
    group: CONSUMER_GROUPS.analytics,
    maxInFlightBatches: 1,
    handleBatch: async (messages: IncomingMessage[]) => {
      const events: UsageEvent[] = [];
      const spans: Span[] = [];
      for (const message of messages) {
        try {
          if (message.decodeError) throw new InvalidEventError(message.decodeError);
          events.push(parseUsageEvent(message.value));
          spans.push(tracer().startSpan('analytics', { attributes: { 'switchyard.request_id': message.key } }, contextFromHeaders(message.headers)));
        } catch (error) {
          await deadLetter(publisher, 'analytics', message, (error as Error).message);
        }
      }
      try {
        await writeWithRetry(events);
      } finally {
        spans.forEach((span) => span.end());
      }
    },
  });

  return {
    rowsWritten: () => written,
    stop: () => {
      stopping = true;
    },
  };
}
