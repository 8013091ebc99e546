import { AssignerProtocol, Kafka, PartitionAssigners, Partitioners, logLevel, type Admin, type PartitionAssigner, type Consumer, type EachBatchPayload, type ISocketFactory, type Producer, type LogEntry } from 'kafkajs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { createRequire } from 'node:module';
import { gatewayMetrics, type Logger } from '@switchyard/telemetry';
import { MessageTooLargeError, type Bus, type IncomingMessage, type OutgoingMessage, type Subscribed, type Subscription } from './bus';
import { ConsumerLagPoller, type GroupTopic } from './consumer-lag';

/**
 * kafkajs 2.2.4 re-arms a timer in every connection's request queue each time it checks the queue,
 * even when nothing waits: a 1 ms timer loop per broker connection, for ever. With a producer, an
 * admin and a consumer or two per service that was most of an idle service's CPU (600 ms/s across
 * the six services) and a timer storm under every request. The timer only matters while requests
 * wait (client-side throttling), so it is armed only then.
 */
function stopIdleRequestQueueTimers(): void {
  const RequestQueue = createRequire(require.resolve('kafkajs'))('./src/network/requestQueue') as {
    prototype: { pending: unknown[]; scheduleCheckPendingRequests(): void; __armsOnlyWhenPending?: true };
  };
  const prototype = RequestQueue.prototype;
  if (prototype.__armsOnlyWhenPending) return;
  const schedule = prototype.scheduleCheckPendingRequests;
  prototype.scheduleCheckPendingRequests = function (this: typeof prototype) {
    if (this.pending.length > 0) schedule.call(this);
  };
  prototype.__armsOnlyWhenPending = true;
}
stopIdleRequestQueueTimers();

/**
 * What a member does after it learns of a rebalance and before it rejoins, by group and member id: it
 * finishes the batches in flight and commits them, so that no partition moves to another member with
 * work that was done (or is being done) but not committed, which the next owner would do again.
 * kafkajs has no hook there (it emits REBALANCING and rejoins at once), so its rejoin is wrapped; the
 * gate is given a heartbeat, which keeps the member's session alive while it waits.
 */
const rejoinGates = new Map<string, (heartbeat: () => Promise<void>) => Promise<void>>();

function gateRejoins(): void {
  const ConsumerGroup = createRequire(require.resolve('kafkajs'))('./src/consumer/consumerGroup') as {
    prototype: { groupId: string; memberId: string | null; joinAndSync(): Promise<void>; heartbeat(options: { interval: number }): Promise<void>; __gatedRejoins?: true };
  };
  const prototype = ConsumerGroup.prototype;
  if (prototype.__gatedRejoins) return;
  const joinAndSync = prototype.joinAndSync;
  prototype.joinAndSync = async function (this: typeof prototype) {
    const key = `${this.groupId}\0${this.memberId}`;
    const gate = rejoinGates.get(key);
    rejoinGates.delete(key);
    if (gate) await gate(() => this.heartbeat({ interval: 0 }).catch(() => undefined));
    return joinAndSync.call(this);
  };
  prototype.__gatedRejoins = true;
}
gateRejoins();

/**
 * kafkajs leaves Nagle's algorithm on. A connection carries several requests at once (a fetch waiting
 * beside produce, heartbeat and commit requests), and a small request written while another is
 * unacknowledged could then wait for the broker's delayed ACK. Kafka's own clients set TCP_NODELAY.
 */
const noDelaySocket: ISocketFactory = ({ host, port, ssl, onConnect }) => {
  const socket = ssl
    ? tls.connect({ host, port, ...(net.isIP(host) ? {} : { servername: host }), ...ssl }, onConnect)
    : net.connect({ host, port }, onConnect);
  socket.setNoDelay(true);
  socket.setKeepAlive(true, 60_000);
  return socket;
};

export interface KafkaBusOptions {
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
  /** Topics whose names start with one of these are counted as one, `replies`, in the publish metrics. */
  replyTopicPrefixes?: readonly string[];
}

/** Partitions of the pipeline's topics: room for that many instances of a stage to share its work. */
export const DEFAULT_PARTITIONS = 12;
export const DEFAULT_SESSION_TIMEOUT_MS = 6000;
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 1000;
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;

/** Kafka's default `message.max.bytes` (1,048,588), rounded down. */
export const KAFKA_DEFAULT_MAX_MESSAGE_BYTES = 1_048_576;
// What a record batch and a record take beside the key, value and headers (at most ~100 bytes).
const RECORD_BATCH_OVERHEAD_BYTES = 512;

function recordBytes(message: { key: string; value: Buffer; headers: Record<string, string> }): number {
  let bytes = message.value.length + Buffer.byteLength(message.key);
  for (const name in message.headers) bytes += Buffer.byteLength(name) + Buffer.byteLength(message.headers[name]);
  return bytes;
}

export class BusUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BusUnavailableError';
  }
}

interface PendingSend {
  topic: string;
  /** performance.now() when it was published, for the publish latency metric. */
  at: number;
  messages: { key: string; value: Buffer; headers: Record<string, string> }[];
  bytes: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** Per-partition bookkeeping so that offsets are committed only up to the last finished batch. */
class PartitionProgress {
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

/**
 * Offsets a consumer may commit, sent together every COMMIT_INTERVAL_MS rather than one OffsetCommit
 * request per batch: at a few hundred events a second, a commit per batch doubled the requests each
 * consumer and the broker handle. Commits stay in order (one in flight at a time) and only ever move
 * forward; a crash redelivers at most the last interval's events, which every stage tolerates.
 */
class OffsetCommitter {
  private readonly pending = new Map<string, { topic: string; partition: number; offset: string }>();
  private timer?: NodeJS.Timeout;
  private committing: Promise<void> = Promise.resolve();

  constructor(
    private readonly consumer: Consumer,
    private readonly logger: Logger,
  ) {}

  /** Records the next offset to read of a partition; it is committed with the next flush. */
  add(topic: string, partition: number, offset: bigint): void {
    this.pending.set(`${topic}:${partition}`, { topic, partition, offset: offset.toString() });
    this.timer ??= setTimeout(() => void this.flush(), COMMIT_INTERVAL_MS);
  }

  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return this.committing;
    const offsets = [...this.pending.values()];
    this.pending.clear();
    this.committing = this.committing.then(() =>
      this.consumer.commitOffsets(offsets).catch((error) => this.logger.warn('offset commit failed; the batches may be redelivered', { error })),
    );
    return this.committing;
  }
}

const COMMIT_INTERVAL_MS = 100;

/** One subscription's consumer, its batches in flight, and this generation's progress by `topic:partition`. */
interface Consuming {
  consumer: Consumer;
  committer: OffsetCommitter;
  topics: string[];
  group: string;
  work: Set<Promise<void>>;
  progress: Map<string, PartitionProgress>;
  /** Per `topic:partition`, the offset after the last message handled, over every generation: see readUpToNow. */
  handledUpTo: Map<string, bigint>;
  handled: Array<() => void>;
  /** What this generation's batches wait for before they are handled: see Subscription.beforeConsuming. */
  ready?: Promise<void>;
}

/**
 * Gives partition p of every topic the group reads to the same member (the members sorted, p modulo
 * their number), so that events keyed alike on co-partitioned topics of the same partition count reach
 * one member. kafkajs's round robin deals the topics' partitions out one after another, which splits them.
 */
export const copartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: 'SwitchyardCopartitionedAssigner',
  version: 0,
  async assign({ members, topics }) {
    const memberIds = members.map(({ memberId }) => memberId).sort();
    const assignments = new Map<string, Record<string, number[]>>(memberIds.map((id) => [id, {}]));
    for (const topic of topics) {
      for (const { partitionId } of cluster.findTopicPartitionMetadata(topic)) {
        const assignment = assignments.get(memberIds[partitionId % memberIds.length])!;
        (assignment[topic] ??= []).push(partitionId);
      }
    }
    return [...assignments].map(([memberId, assignment]) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment, userData: Buffer.alloc(0) }),
    }));
  },
  protocol({ topics }) {
    return { name: 'SwitchyardCopartitionedAssigner', metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
  },
});

/** A kafkajs client with the settings every Switchyard connection uses, logging through `logger`. */
export function createKafkaClient(options: { brokers: string[]; clientId: string; logger: Logger }): Kafka {
  if (options.brokers.length === 0) throw new BusUnavailableError('no Kafka brokers configured (set KAFKA_BROKERS)');
  const logger = options.logger;
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: 3000,
    requestTimeout: 10_000,
    retry: { retries: 3, initialRetryTime: 100, maxRetryTime: 2000 },
    logLevel: logLevel.WARN,
    socketFactory: noDelaySocket,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...fields } = log;
        if (level <= logLevel.ERROR) logger.error(`kafka: ${message}`, fields);
        else logger.warn(`kafka: ${message}`, fields);
      },
  });
}

/** The bus of distributed mode, on Kafka with kafkajs. Events travel as JSON. */
export class KafkaBus implements Bus {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private readonly producer: Producer;
  private readonly consumers: Consuming[] = [];
  private admin?: Admin;
  private producerReady?: Promise<void>;
  private queue: PendingSend[] = [];
  private lagPoller?: ConsumerLagPoller;
  /** The loop sending queued publishes, while one runs. */
  private sending?: Promise<void>;

  constructor(private readonly options: KafkaBusOptions) {
    this.kafka = createKafkaClient(options);
    this.producer = this.kafka.producer({
      allowAutoTopicCreation: true,
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: options.idempotent ?? false,
      ...(options.idempotent ? { maxInFlightRequests: 1 } : {}),
    });
  }

  /** Connects the producer; call at start so that an unreachable Kafka is reported at once. */
  async connect(): Promise<void> {
    this.producerReady ??= this.producer.connect().catch((error) => {
      this.producerReady = undefined;
      throw new BusUnavailableError(`Kafka is unreachable at ${this.options.brokers.join(',')}: ${error.message}`, {
        cause: error,
      });
    });
    await this.producerReady;
  }

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

  private get maxMessageBytes(): number {
    return this.options.maxMessageBytes ?? KAFKA_DEFAULT_MAX_MESSAGE_BYTES;
  }

  /**
   * One produce request in flight at a time; what is published meanwhile goes in the next one. A Kafka
   * request costs far more CPU than a message in it (two process wake-ups and a round trip through
   * kafkajs), so under load this batches by itself, while an idle producer sends at once.
   */
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
    const byTopic = new Map<string, PendingSend['messages']>();
    for (const send of sends) {
      const list = byTopic.get(send.topic);
      if (list) list.push(...send.messages);
      else byTopic.set(send.topic, [...send.messages]);
    }
    try {
      await this.connect();
      await this.producer.sendBatch({
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      const metrics = gatewayMetrics();
      const acknowledged = performance.now();
      for (const send of sends) {
        metrics.publishDuration.observe([metrics.topic(send.topic, this.options.replyTopicPrefixes ?? [])], (acknowledged - send.at) / 1000);
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

  async subscribe(subscription: Subscription): Promise<Subscribed> {
    const sessionTimeout = this.options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    const heartbeatInterval = this.options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    const rebalanceTimeout = 4 * sessionTimeout;
    const topics = [subscription.topic, ...(subscription.copartitionedTopics ?? [])];
    const consumer = this.kafka.consumer({
      groupId: subscription.group,
      // Round robin stays second, so that a group whose older members know only it still forms.
      ...(topics.length > 1 ? { partitionAssigners: [copartitionedAssigner, PartitionAssigners.roundRobin] } : {}),
      maxWaitTimeInMs: this.options.maxWaitTimeMs ?? 500,
      sessionTimeout,
      heartbeatInterval,
      // The longest the group waits for its members to rejoin in a rebalance: a member rejoins once it
      // has finished its batches in flight (see rejoinGates), for which it has all but a session of it.
      rebalanceTimeout,
      allowAutoTopicCreation: true,
      // kafkajs stops a consumer for good after errors it deems fatal, such as no group coordinator
      // yet on a broker that has just started; a stage must keep consuming, so it always restarts.
      retry: {
        retries: 5,
        restartOnFailure: async (error: Error) => {
          this.options.logger.warn('consumer failed; restarting it', { group: subscription.group, error: error.message });
          return true;
        },
      },
    });
    const committer = new OffsetCommitter(consumer, this.options.logger);
    const work = new Set<Promise<void>>();
    const consuming: Consuming = { consumer, committer, work, topics, group: subscription.group, progress: new Map(), handledUpTo: new Map(), handled: [] };
    this.consumers.push(consuming);
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    // Each generation keeps its own bookkeeping: a batch of an earlier one that finishes late commits
    // nothing, since its partition may be another member's now.
    consumer.on(consumer.events.GROUP_JOIN, () => {
      consuming.progress = new Map();
      if (subscription.beforeConsuming) consuming.ready = this.beforeConsuming(subscription, sessionTimeout);
    });
    consumer.on(consumer.events.REBALANCING, ({ payload }) =>
      rejoinGates.set(`${payload.groupId}\0${payload.memberId}`, async (heartbeat) => {
        const until = Date.now() + Math.min(this.options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS, rebalanceTimeout - sessionTimeout);
        while (work.size > 0 && Date.now() < until) {
          await Promise.race([Promise.all([...work]), delay(Math.min(heartbeatInterval, until - Date.now()))]);
          await heartbeat();
        }
        if (work.size > 0) this.options.logger.warn('rejoining with batches still in flight; another member may get them again', { group: subscription.group, batches: work.size });
        await committer.flush();
      }),
    );
    // A group that starts at a time reads up to what the topic held when it joined before it counts as subscribed.
    const backlog = subscription.since === undefined ? undefined : await this.startGroupAt(subscription.group, subscription.topic, subscription.since);
    let readBacklog: (() => void) | undefined;
    const backlogRead = new Promise<void>((resolve) => (readBacklog = resolve));
    const read = (topic: string, partition: number, next: bigint) => {
      if (!backlog || topic !== subscription.topic) return;
      if (next >= (backlog.get(partition) ?? 0n)) backlog.delete(partition);
      if (backlog.size === 0) readBacklog!();
    };
    await consumer.connect();
    await whileKafkaSettles(() => consumer.subscribe({ topics, fromBeginning: true }), this.options.logger);
    const limit = subscription.maxInFlightBatches ?? 1;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: (this.options.partitions ?? DEFAULT_PARTITIONS) * topics.length,
      eachBatch: (payload) => this.consumeBatch(consuming, subscription, payload, limit, read),
    });
    await joined;
    if (backlog) {
      if (backlog.size === 0) readBacklog!();
      await backlogRead;
    }
    return { readUpToNow: () => this.readUpToNow(consuming) };
  }

  /** Bounded by a session: a stage waits that long for another subscription to catch up, never for ever. */
  private async beforeConsuming(subscription: Subscription, timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timed out'>((resolve) => (timer = setTimeout(() => resolve('timed out'), timeoutMs)));
    try {
      const outcome = await Promise.race([subscription.beforeConsuming!().then(() => 'ready' as const), timedOut]);
      if (outcome === 'timed out') this.options.logger.warn('consuming before what it waits for is ready: it took longer than a session', { group: subscription.group, wait_ms: timeoutMs });
    } catch (error) {
      this.options.logger.warn('consuming before what it waits for is ready: it failed', { group: subscription.group, error: (error as Error).message });
    } finally {
      clearTimeout(timer);
    }
  }

  private async readUpToNow(consuming: Consuming): Promise<void> {
    const admin = await this.connectAdmin();
    const ends = await Promise.all(consuming.topics.map(async (topic) => ({ topic, partitions: await whileKafkaSettles(() => admin.fetchTopicOffsets(topic), this.options.logger) })));
    const committed = await whileKafkaSettles(() => admin.fetchOffsets({ groupId: consuming.group, topics: consuming.topics }), this.options.logger);
    const committedByPartition = new Map<string, bigint>(committed.flatMap(({ topic, partitions }) => partitions.map(({ partition, offset }) => [`${topic}:${partition}`, BigInt(offset)] as const)));
    // A partition is read up to `high` when this member handled that far, the group committed that far
    // (a partition this member was not given, or with nothing new), or nothing is left below it.
    const behind = () =>
      ends.some(({ topic, partitions }) =>
        partitions.some(({ partition, high, low }) => {
          const key = `${topic}:${partition}`;
          const upTo = [consuming.handledUpTo.get(key) ?? -1n, committedByPartition.get(key) ?? -1n, BigInt(low)];
          return upTo.every((offset) => BigInt(high) > offset);
        }),
      );
    while (behind()) await new Promise<void>((resolve) => consuming.handled.push(resolve));
  }

  /**
   * A group of its own starts reading `topic` at the first message written at or after `since`. Returns,
   * for each partition with messages from there, the high watermark now: the offset to read up to.
   */
  private async startGroupAt(group: string, topic: string, since: number): Promise<Map<number, bigint>> {
    const admin = await this.connectAdmin();
    const starts = await whileKafkaSettles(() => admin.fetchTopicOffsetsByTimestamp(topic, since), this.options.logger);
    await whileKafkaSettles(() => admin.setOffsets({ groupId: group, topic, partitions: starts }), this.options.logger);
    const highs = await whileKafkaSettles(() => admin.fetchTopicOffsets(topic), this.options.logger);
    const backlog = new Map<number, bigint>();
    for (const { partition, high } of highs) {
      const start = starts.find((each) => each.partition === partition);
      if (start && BigInt(start.offset) < BigInt(high)) backlog.set(partition, BigInt(high));
    }
    return backlog;
  }

  private async consumeBatch(
    consuming: Consuming,
    subscription: Subscription,
    { batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload,
    limit: number,
    onRead: (topic: string, partition: number, next: bigint) => void,
  ): Promise<void> {
    if (batch.messages.length === 0) return;
    while (consuming.ready) {
      const ready = consuming.ready;
      const waited = await Promise.race([ready.then(() => true), delay(this.options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS).then(() => false)]);
      if (waited) {
        if (consuming.ready === ready) consuming.ready = undefined;
        break;
      }
      try {
        await heartbeat();
      } catch (error) {
        if (isRebalancing(error)) return;
      }
    }
    const partitionKey = `${batch.topic}:${batch.partition}`;
    let progress = consuming.progress.get(partitionKey);
    if (!progress) consuming.progress.set(partitionKey, (progress = new PartitionProgress()));
    const messages: IncomingMessage[] = batch.messages.map((message) => decode(batch.topic, batch.partition, message));
    const entry = progress.start(BigInt(batch.lastOffset()));
    // Reading moves on at once; committing waits until this batch and all before it are done.
    resolveOffset(batch.lastOffset());
    const work = subscription
      .handleBatch(messages)
      .catch((error) => this.options.logger.error('batch handler failed', { topic: batch.topic, error }))
      .then(() => {
        const next = progress!.finish(entry);
        const handledUpTo = BigInt(batch.lastOffset()) + 1n;
        onRead(batch.topic, batch.partition, handledUpTo);
        if (handledUpTo > (consuming.handledUpTo.get(partitionKey) ?? -1n)) consuming.handledUpTo.set(partitionKey, handledUpTo);
        consuming.handled.splice(0).forEach((wake) => wake());
        if (next !== undefined && consuming.progress.get(partitionKey) === progress) consuming.committer.add(batch.topic, batch.partition, next);
      });
    consuming.work.add(work);
    void work.finally(() => consuming.work.delete(work));
    // Back-pressure: stop fetching this partition while it has as many batches in flight as allowed.
    while (progress.inFlight >= limit && isRunning() && !isStale()) {
      await Promise.race([progress.changed(), delay(1000)]);
      try {
        await heartbeat();
      } catch (error) {
        // A rebalance waits for every member to rejoin, and this one rejoins only once it returns here:
        // waiting on would stall the whole group's partitions, not just this one.
        if (isRebalancing(error)) return;
      }
    }
  }

  async ensureTopics(topics: string[], partitions = this.options.partitions ?? DEFAULT_PARTITIONS, options: { compacted?: boolean } = {}): Promise<void> {
    const admin = await this.connectAdmin();
    const replicationFactor = this.options.replicationFactor ?? 1;
    // acks=all (kafkajs's default) waits for the in-sync replicas; with one fewer required than there
    // are replicas, a write survives one broker's loss and one broker down does not stop writes.
    const configEntries = replicationFactor > 1 ? [{ name: 'min.insync.replicas', value: String(replicationFactor - 1) }] : [];
    if (options.compacted) configEntries.push({ name: 'cleanup.policy', value: 'compact' });
    await whileKafkaSettles(async () => {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((topic) => !existing.has(topic));
      if (missing.length > 0) {
        await admin.createTopics({
          waitForLeaders: true,
          topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor, configEntries })),
        });
      }
      const present = topics.filter((topic) => existing.has(topic));
      if (present.length === 0) return;
      // Topics made with fewer partitions (an older default) are grown, so more instances have work.
      const { topics: described } = await admin.fetchTopicMetadata({ topics: present });
      const short = described.filter((topic) => topic.partitions.length < partitions);
      if (short.length === 0) return;
      this.options.logger.info('growing topics to more partitions', { topics: short.map((topic) => topic.name), partitions });
      await admin.createPartitions({ topicPartitions: short.map((topic) => ({ topic: topic.name, count: partitions })) });
    }, this.options.logger);
  }

  /** Starts polling the consumer lag of `watched` into the process's metrics; close() stops it. */
  watchConsumerLag(watched: readonly GroupTopic[], intervalMs: number): void {
    this.lagPoller ??= new ConsumerLagPoller(() => this.connectAdmin(), watched, intervalMs, this.options.logger);
    this.lagPoller.start();
  }

  /**
   * Waits until the broker can coordinate consumer groups. A broker that has just started has no group
   * coordinator until its offsets topic is ready, and kafkajs gives up on a consumer that joins before.
   */
  async awaitGroupCoordinator(group: string): Promise<void> {
    const admin = await this.connectAdmin();
    await whileKafkaSettles(() => admin.describeGroups([group]), this.options.logger);
  }

  async deleteTopics(topics: string[]): Promise<void> {
    const admin = await this.connectAdmin();
    await admin.deleteTopics({ topics, timeout: 5000 }).catch(() => undefined);
  }

  private async connectAdmin(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin();
      try {
        await admin.connect();
      } catch (error) {
        throw new BusUnavailableError(
          `Kafka is unreachable at ${this.options.brokers.join(',')}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      this.admin = admin;
    }
    return this.admin;
  }

  /**
   * Drains: stops fetching, lets the batches in flight finish (for drainTimeoutMs at most), commits what
   * finished, and only then leaves the groups (disconnect), so that they rebalance at once rather than
   * after the session timeout, and no partition moves while its work is still being done. A batch still
   * running then is not committed: another instance gets it again.
   */
  async close(): Promise<void> {
    await this.lagPoller?.stop();
    for (const { consumer, topics, group } of this.consumers) {
      try {
        consumer.pause(topics.map((topic) => ({ topic })));
      } catch (error) {
        // kafkajs throws when the consumer has no group at the moment (it is restarting after a failure,
        // such as a broker restart): it has no batches in flight to stop either.
        this.options.logger.info('a consumer being restarted had nothing to pause', { group, error: (error as Error).message });
      }
    }
    const drainTimeoutMs = this.options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
    const inFlight = this.consumers.flatMap(({ work }) => [...work]);
    const drained = await Promise.race([Promise.all(inFlight).then(() => true), delay(drainTimeoutMs).then(() => false)]);
    if (!drained) this.options.logger.warn('batches still in flight after the drain timeout; leaving them to be redelivered', { batches: this.consumers.reduce((total, { work }) => total + work.size, 0), drain_timeout_ms: drainTimeoutMs });
    await Promise.all(this.consumers.map(({ committer }) => committer.flush()));
    await Promise.all(this.consumers.map(({ consumer }) => consumer.disconnect().catch(() => undefined)));
    await this.sending;
    if (this.queue.length > 0) await this.send(this.queue.splice(0));
    await this.producer.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }
}

function decode(
  topic: string,
  partition: number,
  message: { key: Buffer | null; value: Buffer | null; offset: string; headers?: Record<string, unknown> },
): IncomingMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? String(value[0]) : String(value);
  }
  const incoming: IncomingMessage = {
    topic,
    partition,
    offset: message.offset,
    key: message.key?.toString() ?? '',
    value: undefined,
    headers,
  };
  if (!message.value) {
    incoming.decodeError = 'message has no value';
    return incoming;
  }
  try {
    incoming.value = JSON.parse(message.value.toString('utf8'));
  } catch (error) {
    incoming.decodeError = `value is not JSON: ${(error as Error).message}`;
    incoming.raw = message.value;
  }
  return incoming;
}

/** kafkajs's own test for a rebalance (not exported), and a member the group no longer knows. */
function isRebalancing(error: unknown): boolean {
  const type = (error as { type?: string }).type;
  return type === 'REBALANCE_IN_PROGRESS' || type === 'NOT_COORDINATOR_FOR_GROUP' || type === 'ILLEGAL_GENERATION' || type === 'UNKNOWN_MEMBER_ID';
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** A connected KafkaBus for a distributed service, with the pipeline's topics in place. */
export async function connectKafkaBus(options: KafkaBusOptions & { topics: readonly string[] }): Promise<KafkaBus> {
  const bus = new KafkaBus(options);
  await bus.connect();
  await bus.ensureTopics([...options.topics]);
  await bus.awaitGroupCoordinator(options.clientId);
  if (options.consumerLag) bus.watchConsumerLag(options.consumerLag.watched, options.consumerLag.intervalMs);
  return bus;
}

/**
 * Retries a start-up step while Kafka answers with a retriable error. A broker that has just started,
 * or topics that several services create at once, answer "does not host this topic-partition" or
 * "coordinator is loading" for a few seconds; a service must wait that out, not exit.
 */
export async function whileKafkaSettles<T>(step: () => Promise<T>, logger: Logger, giveUpAfterMs = 60_000): Promise<T> {
  const giveUpAt = Date.now() + giveUpAfterMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (error) {
      const retriable =
        (error as { retriable?: boolean }).retriable === true ||
        /already exists|topic creation errors|coordinator/i.test(`${(error as Error).name} ${(error as Error).message}`);
      if (!retriable || Date.now() > giveUpAt) throw error;
      logger.warn('Kafka is not ready yet; retrying', { attempt, error: (error as Error).message });
      await delay(Math.min(200 * attempt, 2000));
    }
  }
}
