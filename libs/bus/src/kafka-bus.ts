import { Kafka, Partitioners, logLevel, type Admin, type Consumer, type EachBatchPayload, type ISocketFactory, type Producer, type LogEntry } from 'kafkajs';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { createRequire } from 'node:module';
import type { Logger } from '@switchyard/telemetry';
import type { Bus, IncomingMessage, OutgoingMessage, Subscription } from './bus';
import { PlatformaticKafkaBus } from './platformatic-bus';
import { ConsumerLagPoller, fetchConsumerLag, type GroupTopic } from './consumer-lag';
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

/** One subscription's consumer, its batches in flight, and this generation's progress by partition. */
interface Consuming {
  consumer: Consumer;
  committer: OffsetCommitter;
  topic: string;
  group: string;
  work: Set<Promise<void>>;
  progress: Map<number, PartitionProgress>;
}

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
  private readonly produceQueue: ProduceQueue;
  private lagPoller?: ConsumerLagPoller;

  constructor(private readonly options: KafkaBusOptions) {
    this.kafka = createKafkaClient(options);
    this.producer = this.kafka.producer({
      allowAutoTopicCreation: true,
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: options.idempotent ?? false,
      ...(options.idempotent ? { maxInFlightRequests: 1 } : {}),
    });
    this.produceQueue = new ProduceQueue(options, async (byTopic) => {
      await this.connect();
      await this.producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
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
    return this.produceQueue.publish(topic, messages);
  }

  async subscribe(subscription: Subscription): Promise<void> {
    const sessionTimeout = this.options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS;
    const heartbeatInterval = this.options.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
    const rebalanceTimeout = 4 * sessionTimeout;
    const consumer = this.kafka.consumer({
      groupId: subscription.group,
      maxWaitTimeInMs: this.options.maxWaitTimeMs ?? DEFAULT_MAX_WAIT_TIME_MS,
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
    const committer = new OffsetCommitter(
      (offsets) => consumer.commitOffsets(offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset: offset.toString() }))),
      this.options.logger,
    );
    const work = new Set<Promise<void>>();
    const consuming: Consuming = { consumer, committer, work, topic: subscription.topic, group: subscription.group, progress: new Map() };
    this.consumers.push(consuming);
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    // Each generation keeps its own bookkeeping: a batch of an earlier one that finishes late commits
    // nothing, since its partition may be another member's now.
    consumer.on(consumer.events.GROUP_JOIN, () => (consuming.progress = new Map()));
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
    const read = (partition: number, next: bigint) => {
      if (!backlog) return;
      if (next >= (backlog.get(partition) ?? 0n)) backlog.delete(partition);
      if (backlog.size === 0) readBacklog!();
    };
    await consumer.connect();
    await whileKafkaSettles(() => consumer.subscribe({ topic: subscription.topic, fromBeginning: true }), this.options.logger);
    const limit = subscription.maxInFlightBatches ?? 1;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.options.partitions ?? DEFAULT_PARTITIONS,
      eachBatch: (payload) => this.consumeBatch(consuming, subscription, payload, limit, read),
    });
    await joined;
    if (backlog) {
      if (backlog.size === 0) readBacklog!();
      await backlogRead;
    }
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
    onRead: (partition: number, next: bigint) => void,
  ): Promise<void> {
    if (batch.messages.length === 0) return;
    const progressByPartition = consuming.progress;
    let progress = progressByPartition.get(batch.partition);
    if (!progress) progressByPartition.set(batch.partition, (progress = new PartitionProgress()));
    const messages: IncomingMessage[] = batch.messages.map((message) => decode(batch.topic, batch.partition, message.offset, message.key, message.value, Object.entries(message.headers ?? {})));
    const entry = progress.start(BigInt(batch.lastOffset()));
    // Reading moves on at once; committing waits until this batch and all before it are done.
    resolveOffset(batch.lastOffset());
    const work = subscription
      .handleBatch(messages)
      .catch((error) => this.options.logger.error('batch handler failed', { topic: batch.topic, error }))
      .then(() => {
        const next = progress!.finish(entry);
        onRead(batch.partition, BigInt(batch.lastOffset()) + 1n);
        if (next !== undefined && consuming.progress.get(batch.partition) === progress) consuming.committer.add(batch.topic, batch.partition, next);
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
    this.lagPoller ??= new ConsumerLagPoller(async () => fetchConsumerLag(await this.connectAdmin(), watched), intervalMs, this.options.logger);
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
    for (const { consumer, topic, group } of this.consumers) {
      try {
        consumer.pause([{ topic }]);
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
    await this.produceQueue.flush();
    await this.producer.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }
}

/** kafkajs's own test for a rebalance (not exported), and a member the group no longer knows. */
function isRebalancing(error: unknown): boolean {
  const type = (error as { type?: string }).type;
  return type === 'REBALANCE_IN_PROGRESS' || type === 'NOT_COORDINATOR_FOR_GROUP' || type === 'ILLEGAL_GENERATION' || type === 'UNKNOWN_MEMBER_ID';
}

/** A connected Kafka bus on the client `options.client` names, for a distributed service, with the pipeline's topics in place. */
export async function connectKafkaBus(options: KafkaBusOptions & { topics: readonly string[] }): Promise<Bus> {
  const bus = options.client === 'platformatic' ? new PlatformaticKafkaBus(options) : new KafkaBus(options);
  await bus.connect();
  await bus.ensureTopics([...options.topics]);
  await bus.awaitGroupCoordinator(options.clientId);
  if (options.consumerLag) bus.watchConsumerLag(options.consumerLag.watched, options.consumerLag.intervalMs);
  return bus;
}
