// What the Kafka bus does the same whichever client carries it (kafkajs, @platformatic/kafka): its
// settings, the produce queue with one request in flight, the per-partition progress that commits only
// finished batches, the offset committer, and decoding a record into an IncomingMessage.
import { gatewayMetrics, type Logger } from '@switchyard/telemetry';
import { MessageTooLargeError, type IncomingMessage, type OutgoingMessage } from './bus';
import type { KafkaClientName } from '@switchyard/config';
import type { GroupTopic } from './consumer-lag';

export interface KafkaBusOptions {
  /** The client connectKafkaBus builds the bus on (default kafkajs): KafkaBus or PlatformaticKafkaBus. */
  client?: KafkaClientName;
  brokers: string[];
  clientId: string;
  logger: Logger;
  /** Partitions of topics this bus creates, and the least an existing pipeline topic is grown to. */
  partitions?: number;
  /** Replicas of each partition of topics this bus creates; from 2, min.insync.replicas is one fewer. */
  replicationFactor?: number;
  /**
   * How long the group waits for a consumer's heartbeat before it hands the consumer's partitions to the
   * others: the time a killed instance's partitions stand still. kafkajs heartbeats between batches only,
   * and every subscription here returns from a batch at once, so a slow handler does not delay them.
   */
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** How long close() waits for batches in flight before it commits what finished and leaves anyway. */
  drainTimeoutMs?: number;
  /**
   * Kafka's idempotent producer: a produce request retried after a lost acknowledgement is not written
   * twice. kafkajs marks it experimental; it needs one produce request in flight, which this bus keeps.
   */
  idempotent?: boolean;
  /** How long a fetch waits on an idle partition. Only idle consumers wait; data returns at once. */
  maxWaitTimeMs?: number;
  /** The broker's `message.max.bytes` (default: Kafka's own, 1 MiB). */
  maxMessageBytes?: number;
  /** Consumer groups whose lag is polled into the process's metrics, and how often. */
  consumerLag?: { watched: readonly GroupTopic[]; intervalMs: number };
  /** Topics whose names start with this are counted as one, `replies`, in the publish metrics. */
  replyTopicPrefix?: string;
}

/** Partitions of the pipeline's topics: room for that many instances of a stage to share its work. */
export const DEFAULT_PARTITIONS = 12;
export const DEFAULT_SESSION_TIMEOUT_MS = 6000;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 1000;
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;
/** How long a fetch waits on an idle partition, unless maxWaitTimeMs says otherwise. */
export const DEFAULT_MAX_WAIT_TIME_MS = 500;

/** Kafka's default `message.max.bytes` (1,048,588), rounded down. */
export const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_576;
// What a record batch and a record take beside the key, value and headers (at most ~100 bytes).
const RECORD_BATCH_OVERHEAD_BYTES = 512;

export class BusUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BusUnavailableError';
  }
}

/** A message as it goes to Kafka: the event encoded. */
export interface EncodedMessage {
  key: string;
  value: Buffer;
  headers: Record<string, string>;
}

function recordBytes(message: EncodedMessage): number {
  let bytes = message.value.length + Buffer.byteLength(message.key);
  for (const name in message.headers) bytes += Buffer.byteLength(name) + Buffer.byteLength(message.headers[name]);
  return bytes;
}

interface PendingSend {
  topic: string;
  /** performance.now() when it was published, for the publish latency metric. */
  at: number;
  messages: EncodedMessage[];
  bytes: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/**
 * One produce request in flight at a time; what is published meanwhile goes in the next one. A Kafka
 * request costs far more CPU than a message in it (two process wake-ups and a round trip through the
 * client), so under load this batches by itself, while an idle producer sends at once.
 */
export class ProduceQueue {
  private queue: PendingSend[] = [];
  /** The loop sending queued publishes, while one runs. */
  private sending?: Promise<void>;

  constructor(
    private readonly options: Pick<KafkaBusOptions, 'maxMessageBytes' | 'replyTopicPrefix'>,
    /** Sends one produce request: the messages of each topic, in order. */
    private readonly produce: (byTopic: Map<string, EncodedMessage[]>) => Promise<void>,
  ) {}

  publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    const encoded = messages.map((message) => ({
      key: message.key,
      value: Buffer.isBuffer(message.value) ? message.value : Buffer.from(JSON.stringify(message.value)),
      headers: message.headers ?? {},
    }));
    let bytes = 0;
    for (const message of encoded) {
      const size = recordBytes(message);
      if (size > this.maxMessageBytes - RECORD_BATCH_OVERHEAD_BYTES) return Promise.reject(new MessageTooLargeError(topic, size, this.maxMessageBytes));
      bytes += size;
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ topic, at: performance.now(), messages: encoded, bytes, resolve, reject });
      this.sending ??= this.sendQueued();
    });
  }

  /** Waits for the request in flight, then sends what is still queued. */
  async flush(): Promise<void> {
    await this.sending;
    if (this.queue.length > 0) await this.send(this.queue.splice(0));
  }

  private get maxMessageBytes(): number {
    return this.options.maxMessageBytes ?? KAFKA_DEFAULT_MAX_MESSAGE_BYTES;
  }

  private async sendQueued(): Promise<void> {
    // Publishes made in the same turn of the event loop start out together.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.queue.length > 0) {
      // A produce request of at most maxMessageBytes: the messages of a partition go as one record
      // batch, which the broker refuses (with the whole request) when it is over the limit.
      let count = 1;
      let bytes = this.queue[0].bytes;
      while (count < this.queue.length && bytes + this.queue[count].bytes <= this.maxMessageBytes - RECORD_BATCH_OVERHEAD_BYTES) bytes += this.queue[count++].bytes;
      await this.send(this.queue.splice(0, count));
    }
    this.sending = undefined;
  }

  private async send(sends: PendingSend[]): Promise<void> {
    const byTopic = new Map<string, EncodedMessage[]>();
    for (const send of sends) {
      const list = byTopic.get(send.topic);
      if (list) list.push(...send.messages);
      else byTopic.set(send.topic, [...send.messages]);
    }
    try {
      await this.produce(byTopic);
      const metrics = gatewayMetrics();
      const acknowledged = performance.now();
      for (const send of sends) {
        metrics.publishDuration.observe([metrics.topic(send.topic, this.options.replyTopicPrefix ?? '\0')], (acknowledged - send.at) / 1000);
        send.resolve();
      }
    } catch (error) {
      const failure =
        error instanceof BusUnavailableError
          ? error
          : new BusUnavailableError(`Kafka did not accept the message: ${(error as Error).message}`, { cause: error });
      sends.forEach((send) => send.reject(failure));
    }
  }
}

/** Per-partition bookkeeping so that offsets are committed only up to the last finished batch. */
export class PartitionProgress {
  private readonly pending: { end: bigint; done: boolean }[] = [];
  private waiters: Array<() => void> = [];

  start(end: bigint): { end: bigint; done: boolean } {
    const entry = { end, done: false };
    this.pending.push(entry);
    return entry;
  }

  /** Marks a batch finished; returns the offset to commit (next to read) if it advanced. */
  finish(entry: { end: bigint; done: boolean }): bigint | undefined {
    entry.done = true;
    this.waiters.splice(0).forEach((wake) => wake());
    let committable: bigint | undefined;
    while (this.pending.length > 0 && this.pending[0].done) committable = this.pending.shift()!.end + 1n;
    return committable;
  }

  get inFlight(): number {
    return this.pending.length;
  }

  /** Resolves when any batch of the partition finishes. */
  changed(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** The next offset to read of a partition, as it is committed. */
export interface PartitionOffset {
  topic: string;
  partition: number;
  offset: bigint;
}

const COMMIT_INTERVAL_MS = 100;

/**
 * Offsets a consumer may commit, sent together every COMMIT_INTERVAL_MS rather than one OffsetCommit
 * request per batch: at a few hundred events a second, a commit per batch doubled the requests each
 * consumer and the broker handle. Commits stay in order (one in flight at a time) and only ever move
 * forward; a crash redelivers at most the last interval's events, which every stage tolerates.
 */
export class OffsetCommitter {
  private readonly pending = new Map<string, PartitionOffset>();
  private timer?: NodeJS.Timeout;
  private committing: Promise<void> = Promise.resolve();

  constructor(
    private readonly commit: (offsets: PartitionOffset[]) => Promise<void>,
    private readonly logger: Logger,
  ) {}

  /** Records the next offset to read of a partition; it is committed with the next flush. */
  add(topic: string, partition: number, offset: bigint): void {
    this.pending.set(`${topic}:${partition}`, { topic, partition, offset });
    this.timer ??= setTimeout(() => void this.flush(), COMMIT_INTERVAL_MS);
  }

  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return this.committing;
    const offsets = [...this.pending.values()];
    this.pending.clear();
    this.committing = this.committing.then(() =>
      this.commit(offsets).catch((error) => this.logger.warn('offset commit failed; the batches may be redelivered', { error })),
    );
    return this.committing;
  }
}

/** A record as a client hands it over, decoded into the event it carries (or why it could not be). */
export function decode(
  topic: string,
  partition: number,
  offset: string,
  key: Buffer | null | undefined,
  value: Buffer | null | undefined,
  headerEntries: Iterable<[string, unknown]>,
): IncomingMessage {
  const headers: Record<string, string> = {};
  for (const [name, header] of headerEntries) {
    if (header !== undefined) headers[name] = Array.isArray(header) ? String(header[0]) : String(header);
  }
  const incoming: IncomingMessage = { topic, partition, offset, key: key?.toString() ?? '', value: undefined, headers };
  if (!value) {
    incoming.decodeError = 'message has no value';
    return incoming;
  }
  try {
    incoming.value = JSON.parse(value.toString('utf8'));
  } catch (error) {
    incoming.decodeError = `value is not JSON: ${(error as Error).message}`;
    incoming.raw = value;
  }
  return incoming;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Retries a start-up step while Kafka answers with a retriable error. A broker that has just started,
 * or topics that several services create at once, answer "does not host this topic-partition" or
 * "coordinator is loading" for a few seconds; a service must wait that out, not exit. kafkajs marks
 * such errors `retriable`, @platformatic/kafka `canRetry` (on the error or one it aggregates).
 */
export async function whileKafkaSettles<T>(step: () => Promise<T>, logger: Logger, giveUpAfterMs = 60_000): Promise<T> {
  const giveUpAt = Date.now() + giveUpAfterMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      const retriable =
        (error as { retriable?: boolean }).retriable === true ||
        Boolean((error as { findBy?: (property: string, value: unknown) => unknown }).findBy?.('canRetry', true)) ||
        /already exists|topic creation errors|coordinator/i.test(`${(error as Error).name} ${(error as Error).message}`);
      if (!retriable || Date.now() > giveUpAt) throw error;
      logger.warn('Kafka is not ready yet; retrying', { attempt, error: (error as Error).message });
      await delay(Math.min(200 * attempt, 2000));
    }
  }
}
