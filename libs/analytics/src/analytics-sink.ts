// Analytics: writes usage events to usage_events, the rows of batches that arrive close together in one
// statement (group commit). A batch's offsets are committed only after its rows are written (the bus
// commits when handleBatch settles). A write that fails because the database is away is retried until
// it succeeds; a row the database refuses is written with the refused fields replaced (every answer a
// caller got is billed), and dead-lettered only if even that is refused. So no row is lost and none
// stalls the rows behind it; rows are keyed by (request_id, ts), so a retry or a redelivery never
// counts a request twice.
import type { Bus, IncomingMessage } from '@switchyard/bus';
import { CONSUMER_GROUPS, InvalidEventError, TOPICS, parseUsageTopicEvent, type UsageTopicEvent } from '@switchyard/contracts';
import { deadLetter, RetryingPublisher } from '@switchyard/pipeline';
import { classifyDatabaseError, insertUsageEvents, sanitiseUsageRow, usageRowOf, type SqlClient, type UsageRow } from '@switchyard/storage';
import { contextFromHeaders, gatewayMetrics, tracer, type Logger } from '@switchyard/telemetry';
import type { Span } from '@opentelemetry/api';

export interface AnalyticsSinkOptions {
  bus: Bus;
  db: SqlClient;
  logger: Logger;
  /** Longest wait between write attempts while the database is down. */
  maxRetryDelayMs?: number;
  /** Rows of one statement at most (default: 1,000 on PGlite, 2,000 on a Postgres server). */
  maxRowsPerStatement?: number;
  /** Statements written at once (default: 1 on PGlite, 2 on a Postgres server). */
  statementsInFlight?: number;
}

interface Row {
  event: UsageTopicEvent;
  message: IncomingMessage;
  /** What is written: the event, or once the database refused it, the event sanitised. */
  row: UsageTopicEvent | UsageRow;
  /** 0: as sent; 1: sanitised; 2: sanitised with its metadata replaced. */
  sanitising: 0 | 1 | 2;
}

// A statement costs a fixed 0.5-1 ms whatever its size and ~0.03 ms a row, so one statement per request
// spent most of the sink's time on the fixed part. Rows wait up to LINGER_MS for company. PGlite runs on
// a thread of its own, so its statements may be long, and waiting longer for company costs the gateway
// nothing: in the embedded gateway at 500 rps, statements of ~50 rows cost PGlite's thread 0.27 ms of
// CPU a row, a fifth of all the gateway's CPU.
const LINGER_MS = { pglite: 500, postgres: 100 } as const;
const MAX_ROWS_PER_STATEMENT = { pglite: 1000, postgres: 2000 } as const;
// A Postgres server writes with a process per connection: with two statements in flight it works on
// both cores, and the sink decodes and prepares the next rows while the server writes. Draining a
// backlog from Kafka (bench, 2 cores): one statement of 5,000 rows at a time 67,000 rows/s; two of
// 5,000 74,000-82,000; two of 2,000 81,000-91,000; three of 2,000 no better; two of 1,000 73,000-81,000.
// PGlite is one connection.
const STATEMENTS_IN_FLIGHT = { pglite: 1, postgres: 2 } as const;

const NO_LABELS: readonly string[] = [];

export interface AnalyticsSink {
  rowsWritten(): number;
  /** Rows written with fields replaced because the database refused them as sent. */
  rowsSanitised(): number;
  stop(): void;
}

interface Pending {
  rows: Row[];
  written: () => void;
  failed: (error: unknown) => void;
}

export async function startAnalyticsSink(options: AnalyticsSinkOptions): Promise<AnalyticsSink> {
  const { bus, db, logger } = options;
  const publisher = new RetryingPublisher(bus, logger, 30_000);
  let written = 0;
  let sanitised = 0;
  let stopping = false;

  /**
   * Writes the rows, retrying with backoff while the database is unavailable. A row the database
   * refuses would be refused forever, so the rows are halved until it is found (a few statements for
   * one bad row among thousands) and it goes its own way instead of stalling every row behind it.
   */
  async function write(rows: Row[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        const added = await insertUsageEvents(db, rows.map((row) => row.row));
        written += added;
        gatewayMetrics().rowsWritten.inc(NO_LABELS, added);
        if (rows.length === 1 && rows[0].sanitising > 0) sanitised += added;
        return;
      } catch (error) {
        const failure = classifyDatabaseError(error);
        gatewayMetrics().databaseErrors.inc([failure]);
        if (failure === 'refused') {
          if (rows.length === 1) return writeRefused(rows[0], error);
          const half = Math.ceil(rows.length / 2);
          await write(rows.slice(0, half));
          await write(rows.slice(half));
          return;
        }
        if (stopping) throw error;
        const wait = Math.min(100 * 2 ** attempt, options.maxRetryDelayMs ?? 5000);
        logger.warn('writing usage events failed; retrying', { rows: rows.length, attempt, wait_ms: wait, error });
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  /**
   * A row the database refused: written again sanitised, then with its metadata replaced too, and
   * dead-lettered only when even that is refused.
   */
  async function writeRefused(refused: Row, error: unknown): Promise<void> {
    const reason = `the database refused the row: ${(error as Error).message}`;
    for (let sanitising = refused.sanitising + 1; sanitising <= 2; sanitising++) {
      const row = sanitiseUsageRow(usageRowOf(refused.event), { replaceMetadata: sanitising === 2 });
      // A row that sanitising leaves as it was would be refused again.
      if (row.sanitised === null || row.sanitised === (refused.row as Partial<UsageRow>).sanitised) continue;
      const { topic, partition, offset, key } = refused.message;
      logger.warn('the database refused a usage row; writing it with fields replaced', { key, fields: row.sanitised, reason, topic, partition, offset });
      return write([{ ...refused, row, sanitising: sanitising as 1 | 2 }]);
    }
    await deadLetter(publisher, logger, 'analytics', refused.message, reason);
  }

  const maxRows = options.maxRowsPerStatement ?? MAX_ROWS_PER_STATEMENT[db.engine];
  const maxWriting = options.statementsInFlight ?? STATEMENTS_IN_FLIGHT[db.engine];
  const queue: Pending[] = [];
  let queuedRows = 0;
  let writing = 0;
  let lingering: NodeJS.Timeout | undefined;

  /** Resolves once the rows are written, in statements shared with the batches queued beside them. */
  function enqueue(rows: Row[]): Promise<void> {
    const parts: Promise<void>[] = [];
    // A batch larger than a statement is written in parts.
    for (let at = 0; at < rows.length; at += maxRows) {
      const part = rows.slice(at, at + maxRows);
      parts.push(new Promise((written, failed) => queue.push({ rows: part, written, failed })));
      queuedRows += part.length;
    }
    pump(false);
    return parts.length === 1 ? parts[0] : Promise.all(parts).then(() => undefined);
  }

  /**
   * Starts statements while fewer than maxWriting are in flight: at once when a statement's worth of
   * rows waits (or when called after the linger or after a statement, when the rows waited already),
   * otherwise once the first rows have lingered LINGER_MS.
   */
  function pump(waited: boolean): void {
    while (queue.length > 0 && writing < maxWriting && (waited || queuedRows >= maxRows)) void writeNext();
    if (queue.length === 0) {
      clearTimeout(lingering);
      lingering = undefined;
    } else if (writing < maxWriting) {
      lingering ??= setTimeout(() => {
        lingering = undefined;
        pump(true);
      }, LINGER_MS[db.engine]);
    }
  }

  /** Writes the queued batches that fit in one statement, in the order they came. */
  async function writeNext(): Promise<void> {
    const taken = [queue.shift()!];
    let takenRows = taken[0].rows.length;
    while (queue.length > 0 && takenRows + queue[0].rows.length <= maxRows) {
      takenRows += queue[0].rows.length;
      taken.push(queue.shift()!);
    }
    queuedRows -= takenRows;
    writing++;
    try {
      await write(taken.length === 1 ? taken[0].rows : taken.flatMap((batch) => batch.rows));
      taken.forEach((batch) => batch.written());
    } catch (error) {
      taken.forEach((batch) => batch.failed(error));
    } finally {
      writing--;
    }
    pump(true);
  }

  await bus.subscribe({
    topic: TOPICS.usage,
    group: CONSUMER_GROUPS.analytics,
    // Batches wait for their group commit, so many are in flight at once; commits still go in order.
    maxInFlightBatches: 64,
    handleBatch: async (messages: IncomingMessage[]) => {
      const rows: Row[] = [];
      for (const message of messages) {
        try {
          if (message.decodeError) throw new InvalidEventError(message.decodeError);
          const event = parseUsageTopicEvent(message.value);
          rows.push({ event, message, row: event, sanitising: 0 });
        } catch (error) {
          await deadLetter(publisher, logger, 'analytics', message, (error as Error).message);
        }
      }
      if (rows.length === 0) return;
      const spans = rowSpans(rows);
      try {
        await enqueue(rows);
      } finally {
        spans.forEach((span) => span.end());
      }
    },
  });

  return {
    rowsWritten: () => written,
    rowsSanitised: () => sanitised,
    stop: () => {
      stopping = true;
    },
  };
}

/**
 * A span a row, in the trace of the row's request, where tracing records it. With tracing off (no
 * exporter: nothing is sampled) a span a row only cost CPU: ids, a sampler call and the header parse
 * for every row, about 4% of the analytics service. Whether a span is recorded depends, for the
 * samplers tracing installs, only on the trace flags of the row's parent (its traceparent header, or
 * none), so the first span of each kind in a batch decides for the rest of that kind.
 */
function rowSpans(rows: Row[]): Span[] {
  const spans: Span[] = [];
  const recordedByFlags = new Map<string, boolean>();
  for (const { message } of rows) {
    const flags = message.headers.traceparent?.slice(-2) ?? '';
    if (recordedByFlags.get(flags) === false) continue;
    const span = tracer().startSpan('analytics', { attributes: { 'switchyard.request_id': message.key } }, contextFromHeaders(message.headers));
    if (!recordedByFlags.has(flags)) recordedByFlags.set(flags, span.isRecording());
    if (span.isRecording()) spans.push(span);
  }
  return spans;
}
