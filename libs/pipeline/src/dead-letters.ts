// The dead-letter topic: where an event goes that a stage can never handle, with headers that say where
// it came from and why. Every dead-lettering is logged and counted here, and in embedded mode (where the
// in-memory bus keeps nothing nobody subscribed to) written to a file, so none goes unseen.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Bus, IncomingMessage, OutgoingMessage } from '@switchyard/bus';
import { DEAD_LETTER_HEADERS, TOPICS } from '@switchyard/contracts';
import { gatewayMetrics, traceIdOf, type Logger } from '@switchyard/telemetry';

// A reason quotes what was refused; headers travel with every copy of the message, so it is cut.
const MAX_REASON_CHARS = 1000;

const deadLettered = new Map<string, number>();

/** Events this process has dead-lettered, by stage. */
export function deadLetterCounts(): Record<string, number> {
  return Object.fromEntries(deadLettered);
}

/**
 * Sends the message, as it arrived, to the dead-letter topic. Its attempt is the one its headers
 * carry (a replayed message carries its last attempt plus one), or 1.
 */
export async function deadLetter(
  publisher: { publish(topic: string, messages: OutgoingMessage[]): Promise<void> },
  logger: Logger,
  stage: string,
  message: IncomingMessage,
  reason: string,
): Promise<void> {
  const attempts = attemptOf(message.headers);
  const cutReason = reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS)}…` : reason;
  deadLettered.set(stage, (deadLettered.get(stage) ?? 0) + 1);
  gatewayMetrics().deadLetters.inc([gatewayMetrics().stage(stage)]);
  logger.warn('dead-lettering an event', { stage, reason: cutReason, topic: message.topic, partition: message.partition, offset: message.offset, key: message.key, attempts, trace_id: traceIdOf(message.headers) });
  await publisher.publish(TOPICS.deadLetter, [
    {
      key: message.key,
      value: message.raw ?? message.value ?? null,
      headers: {
        ...message.headers,
        [DEAD_LETTER_HEADERS.originalTopic]: message.topic,
        [DEAD_LETTER_HEADERS.originalPartition]: String(message.partition),
        [DEAD_LETTER_HEADERS.originalOffset]: message.offset,
        [DEAD_LETTER_HEADERS.stage]: stage,
        [DEAD_LETTER_HEADERS.reason]: cutReason,
        [DEAD_LETTER_HEADERS.attempts]: String(attempts),
      },
    },
  ]);
}

function attemptOf(headers: Record<string, string>): number {
  const attempts = Number(headers[DEAD_LETTER_HEADERS.attempts]);
  return Number.isInteger(attempts) && attempts > 0 ? attempts : 1;
}

/** Where a dead letter is, as `topic:partition:offset`. */
export function deadLetterAddress(message: { topic: string; partition: number; offset: string }): string {
  return `${message.topic}:${message.partition}:${message.offset}`;
}

/**
 * The headers of a dead letter sent back to its original topic: its own headers without the
 * dead-letter ones, its attempt raised by one, and where it was replayed from.
 */
export function replayHeaders(deadLetterHeaders: Record<string, string>, replayedFrom: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(deadLetterHeaders)) if (!name.startsWith(DEAD_LETTER_HEADER_PREFIX)) headers[name] = value;
  headers[DEAD_LETTER_HEADERS.attempts] = String(attemptOf(deadLetterHeaders) + 1);
  headers[DEAD_LETTER_HEADERS.replayedFrom] = replayedFrom;
  return headers;
}

const DEAD_LETTER_HEADER_PREFIX = 'x-dlq-';

/** A dead letter as embedded mode writes it to its file, a JSON line each. */
export interface DeadLetterRecord {
  /** ISO 8601 time it was dead-lettered. */
  at: string;
  key: string;
  headers: Record<string, string>;
  /** The event as JSON text. */
  value: string;
}

/** The name of embedded mode's dead-letter file in its data folder. */
export const DEAD_LETTER_FILE = 'dead-letters.jsonl';

/** Embedded mode: appends every dead letter published on the bus to `file`. */
export async function recordDeadLetters(bus: Bus, file: string, logger: Logger): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  await bus.subscribe({
    topic: TOPICS.deadLetter,
    group: 'switchyard-dead-letter-file',
    handleBatch: async (messages) => {
      const at = new Date().toISOString();
      const lines = messages.map((message) => JSON.stringify({ at, key: message.key, headers: message.headers, value: jsonText(message.value) } satisfies DeadLetterRecord));
      await fs.promises.appendFile(file, lines.join('\n') + '\n').catch((error) => logger.error('could not write dead letters to their file', { file, error }));
    },
  });
}

function jsonText(value: unknown): string {
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (error) {
    return `(not JSON: ${(error as Error).message})`;
  }
}
