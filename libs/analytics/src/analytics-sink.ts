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

  /**
   * Writes the rows, retrying while the database is unavailable. A row the database refuses as data
   * (SQLSTATE classes 22 and 23) would be refused forever, so the batch is split to find it and it is
   * dead-lettered instead of stalling every row behind it.
   */
  async function write(rows: { event: UsageEvent; message: IncomingMessage }[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        written += await insertUsageEvents(db, rows.map((row) => row.event));
        return;
      } catch (error) {
        if (isDataError(error)) {
          if (rows.length === 1) {
            await deadLetter(publisher, 'analytics', rows[0].message, `the database refused the row: ${(error as Error).message}`);
            return;
          }
          for (const row of rows) await write([row]);
          return;
        }
        if (stopping) throw error;
        const wait = Math.min(100 * 2 ** attempt, options.maxRetryDelayMs ?? 5000);
        logger.warn('writing usage events failed; retrying', { rows: rows.length, attempt, wait_ms: wait, error });
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  await bus.subscribe({
    topic: TOPICS.usage,
    group: CONSUMER_GROUPS.analytics,
    maxInFlightBatches: 1,
    handleBatch: async (messages: IncomingMessage[]) => {
      const rows: { event: UsageEvent; message: IncomingMessage }[] = [];
      const spans: Span[] = [];
      for (const message of messages) {
        try {
          if (message.decodeError) throw new InvalidEventError(message.decodeError);
          rows.push({ event: parseUsageEvent(message.value), message });
          spans.push(tracer().startSpan('analytics', { attributes: { 'switchyard.request_id': message.key } }, contextFromHeaders(message.headers)));
        } catch (error) {
          await deadLetter(publisher, 'analytics', message, (error as Error).message);
        }
      }
      try {
        await write(rows);
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

function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}
