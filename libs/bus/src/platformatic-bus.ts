// The bus of distributed mode on @platformatic/kafka (SWITCHYARD_KAFKA_CLIENT=platformatic), with the
// semantics of KafkaBus on kafkajs: the same produce queue, per-partition progress, offset committer,
// back-pressure, `since`, drain on close, topics and lag. @platformatic/kafka is an ES module: it is
// imported when this bus connects, so a gateway on kafkajs never loads it.
import type { Admin, Consumer, Message, MessagesStream, Producer } from '@platformatic/kafka';
import type { ConsumerLag } from '@switchyard/telemetry';
import type { Bus, OutgoingMessage, Subscription } from './bus';
import { ConsumerLagPoller, lagOf, type GroupTopic } from './consumer-lag';
import {
  BusUnavailableError,
  DEFAULT_DRAIN_TIMEOUT_MS,
  DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_MAX_WAIT_TIME_MS,
  DEFAULT_PARTITIONS,
  DEFAULT_SESSION_TIMEOUT_MS,
  OffsetCommitter,
  PartitionProgress,
  ProduceQueue,
  decode,
  delay,
  whileKafkaSettles,
  type KafkaBusOptions,
} from './kafka-batches';

type Platformatic = typeof import('@platformatic/kafka');
/** Keys stay Buffers (decode reads them so); header names and values are strings, as in IncomingMessage. */
type BusConsumer = Consumer<Buffer, Buffer, string, string>;
type BusMessage = Message<Buffer, Buffer, string, string>;

let loaded: Promise<Platformatic> | undefined;
const loadPlatformatic = (): Promise<Platformatic> => (loaded ??= import('@platformatic/kafka'));

/** Whether a CreateTopics failed only because another client made the topic meanwhile. */
function isTopicAlreadyMade(error: unknown): boolean {
  return Boolean((error as { findBy?: (property: string, value: unknown) => unknown }).findBy?.('apiId', 'TOPIC_ALREADY_EXISTS'));
}

/** ListOffsets' answer for a timestamp after the partition's last message. */
const NO_OFFSET = -1n;

/** One subscription's consumer and stream, its batches in flight, and this generation's progress by partition. */
interface Consuming {
  consumer: BusConsumer;
  stream?: MessagesStream<Buffer, Buffer, string, string>;
  committer: OffsetCommitter;
  topic: string;
  group: string;
  work: Set<Promise<void>>;
  progress: Map<number, PartitionProgress>;
  /** Messages read but not yet handed over, by partition: their partition has its batches in flight. */
  fetched: Map<number, BusMessage[]>;
  closing: boolean;
}

/** The bus of distributed mode, on Kafka with @platformatic/kafka. Events travel as JSON. */
export class PlatformaticKafkaBus implements Bus {
  readonly kind = 'kafka' as const;
  private readonly consumers: Consuming[] = [];
  private readonly produceQueue: ProduceQueue;
  private kafka?: Promise<{ client: Platformatic; producer: Producer<string, Buffer, string, string> }>;
  private admin?: Admin;
  private lagPoller?: ConsumerLagPoller;

  constructor(private readonly options: KafkaBusOptions) {
    if (options.brokers.length === 0) throw new BusUnavailableError('no Kafka brokers configured (set KAFKA_BROKERS)');
    this.produceQueue = new ProduceQueue(options, async (byTopic) => {
      const { producer } = await this.connected();
      await producer.send({
        messages: [...byTopic].flatMap(([topic, messages]) => messages.map(({ key, value, headers }) => ({ topic, key, value, headers }))),
      });
    });
  }

  /** What every connection of this bus is given: kafkajs's timeouts and retries of KafkaBus. */
  private base(clientId: string) {
    return {
      clientId,
      bootstrapBrokers: this.options.brokers,
      connectTimeout: 3000,
      timeout: 10_000,
      retries: 3,
      retryDelay: (_client: unknown, _operation: string, attempt: number) => Math.min(100 * 2 ** (attempt - 1), 2000),
    };
  }

  private connected() {
    this.kafka ??= (async () => {
      const client = await loadPlatformatic();
      const producer = new client.Producer<string, Buffer, string, string>({
        ...this.base(this.options.clientId),
        // acks=all (kafkajs's default; this client's is the leader's alone): see ensureTopics.
        acks: client.ProduceAcks.ALL,
        idempotent: this.options.idempotent ?? false,
        autocreateTopics: true,
        // Kafka's own (Java) partitioner, as kafkajs's default: a key lands on the same partition whichever client sent it.
        partitioner: client.compatibilityPartitioner,
        serializers: { key: client.stringSerializer, headerKey: client.stringSerializer, headerValue: client.stringSerializer },
      });
      return { client, producer };
    })();
    return this.kafka;
  }

  /** Connects the producer; call at start so that an unreachable Kafka is reported at once. */
  async connect(): Promise<void> {
    try {
      const { producer } = await this.connected();
      await producer.metadata({ topics: [] });
    } catch (error) {
      throw new BusUnavailableError(`Kafka is unreachable at ${this.options.brokers.join(',')}: ${(error as Error).message}`, { cause: error });
    }
  }

  publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    return this.produceQueue.publish(topic, messages);
  }

  async subscribe(subscription: Subscription): Promise<void> {
    const { client } = await this.connected();
    const sessionTimeout = this.options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    const consumer: BusConsumer = new client.Consumer<Buffer, Buffer, string, string>({
      ...this.base(this.options.clientId),
      groupId: subscription.group,
      sessionTimeout,
      heartbeatInterval: this.options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
      rebalanceTimeout: 4 * sessionTimeout,
      maxWaitTime: this.options.maxWaitTimeMs ?? DEFAULT_MAX_WAIT_TIME_MS,
      autocommit: false,
      deserializers: { headerKey: client.stringDeserializer, headerValue: client.stringDeserializer },
    });
    const committer = new OffsetCommitter(
      (offsets) => consumer.commit({ offsets: offsets.map((offset) => ({ ...offset, leaderEpoch: -1 })) }),
      this.options.logger,
    );
    const consuming: Consuming = { consumer, committer, topic: subscription.topic, group: subscription.group, work: new Set(), progress: new Map(), fetched: new Map(), closing: false };
    this.consumers.push(consuming);
    // Each generation keeps its own bookkeeping: a batch of an earlier one that finishes late commits
    // nothing, since its partition may be another member's now. The stream reads again from the
    // committed offsets, so what was read and not yet handed over is dropped. Unlike kafkajs, this
    // client rejoins without a hook to finish the batches in flight first: their partitions' new
    // owners may handle the ones not yet committed again, as after a crash.
    consumer.on('consumer:group:join', () => {
      consuming.progress = new Map();
      consuming.fetched.clear();
    });
    // A group that starts at a time reads up to what the topic held when it joined before it counts as subscribed.
    const backlog = subscription.since === undefined ? undefined : await this.startGroupAt(subscription.group, subscription.topic, subscription.since);
    let readBacklog: (() => void) | undefined;
    const backlogRead = new Promise<void>((resolve) => (readBacklog = resolve));
    const read = (partition: number, next: bigint) => {
      if (!backlog) return;
      if (next >= (backlog.get(partition) ?? 0n)) backlog.delete(partition);
      if (backlog.size === 0) readBacklog!();
    };
    await this.consume(consuming, subscription, read);
    if (backlog) {
      if (backlog.size === 0) readBacklog!();
      await backlogRead;
    }
  }

  /**
   * Joins the group and reads the topic from the group's committed offsets (its start for a new group).
   * A stream that fails (a broker gone for longer than the retries) is started again, as KafkaBus has
   * kafkajs restart a failed consumer: a stage must keep consuming.
   */
  private async consume(consuming: Consuming, subscription: Subscription, onRead: (partition: number, next: bigint) => void): Promise<void> {
    const stream = await whileKafkaSettles(
      () => consuming.consumer.consume({ topics: [subscription.topic], mode: 'committed', fallbackMode: 'earliest', autocommit: false }),
      this.options.logger,
    );
    consuming.stream = stream;
    const limit = subscription.maxInFlightBatches ?? 1;
    let handOverScheduled = false;
    // The messages of one fetch response arrive one by one in the same turn; those of a partition go
    // together as one batch, as kafkajs hands them over.
    const handOver = () => {
      handOverScheduled = false;
      for (const [partition, messages] of consuming.fetched) {
        const progress = this.progressOf(consuming, partition);
        if (progress.inFlight >= limit) continue;
        consuming.fetched.delete(partition);
        this.startBatch(consuming, subscription, partition, progress, messages, onRead, handOver);
      }
      // Back-pressure: stop fetching while a partition has as many batches in flight as allowed and more waiting.
      if (consuming.fetched.size > 0) stream.pause();
      else if (stream.isPaused() && !consuming.closing) stream.resume();
    };
    stream.on('data', (message) => {
      const fetched = consuming.fetched.get(message.partition);
      if (fetched) fetched.push(message);
      else consuming.fetched.set(message.partition, [message]);
      if (!handOverScheduled) {
        handOverScheduled = true;
        queueMicrotask(handOver);
      }
    });
    stream.on('error', (error) => {
      if (consuming.closing) return;
      this.options.logger.warn('consumer failed; restarting it', { group: subscription.group, error: error.message });
      void delay(1000)
        .then(() => (consuming.closing ? undefined : this.consume(consuming, subscription, onRead)))
        .catch((restartError) => this.options.logger.error('could not restart a consumer', { group: subscription.group, error: (restartError as Error).message }));
    });
  }

  private progressOf(consuming: Consuming, partition: number): PartitionProgress {
    let progress = consuming.progress.get(partition);
    if (!progress) consuming.progress.set(partition, (progress = new PartitionProgress()));
    return progress;
  }

  private startBatch(
    consuming: Consuming,
    subscription: Subscription,
    partition: number,
    progress: PartitionProgress,
    messages: BusMessage[],
    onRead: (partition: number, next: bigint) => void,
    handOver: () => void,
  ): void {
    const last = messages[messages.length - 1].offset;
    const entry = progress.start(last);
    const incoming = messages.map((message) => decode(message.topic, partition, message.offset.toString(), message.key, message.value, message.headers));
    // Committing waits until this batch and all before it of the partition are done.
    const work = subscription
      .handleBatch(incoming)
      .catch((error) => this.options.logger.error('batch handler failed', { topic: subscription.topic, error }))
      .then(() => {
        const next = progress.finish(entry);
        onRead(partition, last + 1n);
        if (next !== undefined && consuming.progress.get(partition) === progress) consuming.committer.add(subscription.topic, partition, next);
        if (!consuming.closing) handOver();
      });
    consuming.work.add(work);
    void work.finally(() => consuming.work.delete(work));
  }

  /**
   * A group of its own starts reading `topic` at the first message written at or after `since`. Returns,
   * for each partition with messages from there, the high watermark now: the offset to read up to.
   */
  private async startGroupAt(group: string, topic: string, since: number): Promise<Map<number, bigint>> {
    const admin = await this.connectAdmin();
    const { client } = await this.connected();
    const partitions = await this.partitionsOf(admin, topic);
    const offsetsAt = (timestamp: bigint) =>
      whileKafkaSettles(() => admin.listOffsets({ topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) }] }), this.options.logger).then(
        ([listed]) => new Map(listed.partitions.map(({ partitionIndex, offset }) => [partitionIndex, offset])),
      );
    const highs = await offsetsAt(client.ListOffsetTimestamps.LATEST);
    const byTime = await offsetsAt(BigInt(since));
    // No message at or after `since`: the group starts at the end.
    const starts = partitions.map((partition) => ({ partition, offset: byTime.get(partition) === NO_OFFSET ? highs.get(partition)! : byTime.get(partition)! }));
    await whileKafkaSettles(() => admin.alterConsumerGroupOffsets({ groupId: group, topics: [{ name: topic, partitionOffsets: starts }] }), this.options.logger);
    const backlog = new Map<number, bigint>();
    for (const { partition, offset } of starts) {
      const high = highs.get(partition)!;
      if (offset < high) backlog.set(partition, high);
    }
    return backlog;
  }

  private async partitionsOf(admin: Admin, topic: string): Promise<number[]> {
    const metadata = await whileKafkaSettles(() => admin.metadata({ topics: [topic], forceUpdate: true }), this.options.logger);
    return Array.from({ length: metadata.topics.get(topic)!.partitionsCount }, (_, partition) => partition);
  }

  async ensureTopics(topics: string[], partitions = this.options.partitions ?? DEFAULT_PARTITIONS, options: { compacted?: boolean } = {}): Promise<void> {
    const admin = await this.connectAdmin();
    const replicationFactor = this.options.replicationFactor ?? 1;
    // acks=all waits for the in-sync replicas; with one fewer required than there are replicas, a
    // write survives one broker's loss and one broker down does not stop writes.
    const configs = replicationFactor > 1 ? [{ name: 'min.insync.replicas', value: String(replicationFactor - 1) }] : [];
    if (options.compacted) configs.push({ name: 'cleanup.policy', value: 'compact' });
    await whileKafkaSettles(async () => {
      const existing = new Set(await admin.listTopics());
      const missing = topics.filter((topic) => !existing.has(topic));
      if (missing.length > 0) {
        // Services that start together create the same topics at once: one of them wins, the others find them made.
        await admin.createTopics({ topics: missing, partitions, replicas: replicationFactor, configs }).catch((error: unknown) => {
          if (!isTopicAlreadyMade(error)) throw error;
        });
        await this.awaitLeaders(admin, missing);
      }
      const present = topics.filter((topic) => existing.has(topic));
      if (present.length === 0) return;
      // Topics made with fewer partitions (an older default) are grown, so more instances have work.
      const metadata = await admin.metadata({ topics: present, forceUpdate: true });
      const short = present.filter((topic) => metadata.topics.get(topic)!.partitionsCount < partitions);
      if (short.length === 0) return;
      this.options.logger.info('growing topics to more partitions', { topics: short, partitions });
      await admin.createPartitions({ topics: short.map((name) => ({ name, count: partitions })) });
    }, this.options.logger);
  }

  /** Waits until every partition of new topics has a leader (kafkajs's waitForLeaders). */
  private async awaitLeaders(admin: Admin, topics: string[]): Promise<void> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const metadata = await admin.metadata({ topics, forceUpdate: true }).catch(() => undefined);
      if (metadata && topics.every((topic) => metadata.topics.get(topic)?.partitions.every((partition) => partition.leader >= 0))) return;
      await delay(100);
    }
  }

  /** Starts polling the consumer lag of `watched` into the process's metrics; close() stops it. */
  watchConsumerLag(watched: readonly GroupTopic[], intervalMs: number): void {
    this.lagPoller ??= new ConsumerLagPoller(() => this.fetchConsumerLag(watched), intervalMs, this.options.logger);
    this.lagPoller.start();
  }

  private async fetchConsumerLag(watched: readonly GroupTopic[]): Promise<ConsumerLag[]> {
    const admin = await this.connectAdmin();
    const { client } = await this.connected();
    const ends = new Map<string, { partition: number; high: bigint; low: bigint }[]>();
    for (const topic of new Set(watched.map((each) => each.topic))) {
      const partitions = await this.partitionsOf(admin, topic);
      const listed = async (timestamp: bigint) => (await admin.listOffsets({ topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) }] }))[0].partitions;
      const highs = await listed(client.ListOffsetTimestamps.LATEST);
      const lows = new Map((await listed(client.ListOffsetTimestamps.EARLIEST)).map(({ partitionIndex, offset }) => [partitionIndex, offset]));
      ends.set(topic, highs.map(({ partitionIndex, offset }) => ({ partition: partitionIndex, high: offset, low: lows.get(partitionIndex) ?? 0n })));
    }
    const lags: ConsumerLag[] = [];
    for (const { group, topic } of watched) {
      const [committed] = await admin.listConsumerGroupOffsets({ groups: [{ groupId: group, topics: [{ name: topic, partitionIndexes: ends.get(topic)!.map(({ partition }) => partition) }] }] });
      const committedBy = new Map(committed?.topics.find((each) => each.name === topic)?.partitions.map((partition) => [partition.partitionIndex, partition.committedOffset]) ?? []);
      for (const { partition, high, low } of ends.get(topic) ?? []) lags.push({ group, topic, partition, lag: lagOf(high, low, committedBy.get(partition)) });
    }
    return lags;
  }

  /**
   * Waits until the broker can coordinate consumer groups. A broker that has just started has no group
   * coordinator until its offsets topic is ready.
   */
  async awaitGroupCoordinator(group: string): Promise<void> {
    const admin = await this.connectAdmin();
    await whileKafkaSettles(() => admin.describeGroups({ groups: [group] }), this.options.logger);
  }

  async deleteTopics(topics: string[]): Promise<void> {
    const admin = await this.connectAdmin();
    await admin.deleteTopics({ topics }).catch(() => undefined);
  }

  private async connectAdmin(): Promise<Admin> {
    if (!this.admin) {
      await this.connect();
      const { client } = await this.connected();
      this.admin = new client.Admin(this.base(this.options.clientId));
    }
    return this.admin;
  }

  /**
   * Drains: stops fetching, lets the batches in flight finish (for drainTimeoutMs at most), commits what
   * finished, and only then leaves the groups, so that they rebalance at once rather than after the
   * session timeout. A batch still running then is not committed: another instance gets it again.
   */
  async close(): Promise<void> {
    await this.lagPoller?.stop();
    for (const consuming of this.consumers) {
      consuming.closing = true;
      consuming.stream?.pause();
    }
    const drainTimeoutMs = this.options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS;
    const inFlight = this.consumers.flatMap(({ work }) => [...work]);
    const drained = await Promise.race([Promise.all(inFlight).then(() => true), delay(drainTimeoutMs).then(() => false)]);
    if (!drained) this.options.logger.warn('batches still in flight after the drain timeout; leaving them to be redelivered', { batches: this.consumers.reduce((total, { work }) => total + work.size, 0), drain_timeout_ms: drainTimeoutMs });
    await Promise.all(this.consumers.map(({ committer }) => committer.flush()));
    await Promise.all(
      this.consumers.map(async ({ consumer, stream }) => {
        await stream?.close().catch(() => undefined);
        await consumer.close().catch(() => undefined);
      }),
    );
    await this.produceQueue.flush();
    if (this.kafka) await (await this.kafka).producer.close().catch(() => undefined);
    await this.admin?.close().catch(() => undefined);
  }
}
