// Analytics: writes usage events to usage_events, the rows of batches that arrive close together in one
// statement (group commit). A batch's offsets are committed only after its rows are written (the bus
// commits when handleBatch settles), and a failed write is retried until it succeeds, so no row is
// lost; rows are keyed by request_id, so a retry or a redelivery never counts a request twice.
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

type Row = { event: UsageEvent; message: IncomingMessage };

// An INSERT costs a fixed 0.5-1 ms whatever its size and ~0.03 ms a row, so one statement per request
// spent most of the sink's time (and of the embedded gateway's, whose PGlite runs on its own thread)
// on the fixed part. Rows wait up to LINGER_MS for company; a statement takes at most as many rows as
// keeps it short: PGlite blocks the event loop while it writes, a Postgres server does not.
const LINGER_MS = 100;
const MAX_ROWS_PER_STATEMENT = { pglite: 64, postgres: 5000 } as const;

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
  async function write(rows: Row[]): Promise<void> {
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

  const maxRows = MAX_ROWS_PER_STATEMENT[db.engine];
  const queue: { rows: Row[]; written: () => void; failed: (error: unknown) => void }[] = [];
  let queuedRows = 0;
  let lingering: NodeJS.Timeout | undefined;
  let flushing = false;

  /** Resolves once the rows are written, in a statement shared with the batches queued beside them. */
  function enqueue(rows: Row[]): Promise<void> {
    return new Promise((written, failed) => {
      queue.push({ rows, written, failed });
      queuedRows += rows.length;
      if (queuedRows >= maxRows) void flush();
      else
        lingering ??= setTimeout(() => {
          lingering = undefined;
          void flush();
        }, LINGER_MS);
    });
  }

  /** Writes what is queued, statement after statement; batches queued meanwhile join the next one. */
  async function flush(): Promise<void> {
    if (flushing) return;
    flushing = true;
    clearTimeout(lingering);
    lingering = undefined;
    try {
      while (queue.length > 0) {
        const taken = [queue.shift()!];
        let takenRows = taken[0].rows.length;
        while (queue.length > 0 && takenRows + queue[0].rows.length <= maxRows) {
          takenRows += queue[0].rows.length;
          taken.push(queue.shift()!);
        }
        const rows = taken.flatMap((batch) => batch.rows);
        queuedRows -= rows.length;
        try {
          await write(rows);
          taken.forEach((batch) => batch.written());
        } catch (error) {
          taken.forEach((batch) => batch.failed(error));
        }
        // Between PGlite statements, let the requests waiting on the event loop through.
        if (db.engine === 'pglite') await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      flushing = false;
    }
  }

  await bus.subscribe({
    topic: TOPICS.usage,
    group: CONSUMER_GROUPS.analytics,
    // Batches wait for their group commit, so many are in flight at once; commits still go in order.
    maxInFlightBatches: 64,
    handleBatch: async (messages: IncomingMessage[]) => {
      const rows: Row[] = [];
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
        if (rows.length > 0) await enqueue(rows);
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
