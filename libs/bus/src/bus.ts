// The message bus that connects the stages. Kafka in distributed mode, an in-process bus in embedded
// mode; stages only see this interface, so the same stage code runs on both.

export interface OutgoingMessage {
  /** Partitioning key: the request id, so that all events of a request stay in order. */
  key: string;
  /** The event. Kafka carries it as JSON; a Buffer is sent as it is (dead letters keep the original bytes). */
  value: unknown;
  headers?: Record<string, string>;
}

export interface IncomingMessage {
  topic: string;
  partition: number;
  offset: string;
  key: string;
  /** The decoded event; undefined when decoding failed (see decodeError). */
  value: unknown;
  headers: Record<string, string>;
  /** Why the bytes could not be decoded as an event. */
  decodeError?: string;
  /** The original bytes, kept for dead-lettering. */
  raw?: Buffer;
}

export interface Subscription {
  topic: string;
  /**
   * More topics this subscription reads, co-partitioned with `topic`: partition p of each goes to the
   * member that holds partition p of `topic`, so that events keyed alike on any of them reach one member
   * (the router's limits, keyed by owner on the requests and batch requests topics). Each partition of
   * each topic is consumed on its own: a backlog on one topic does not hold up the others.
   */
  copartitionedTopics?: readonly string[];
  /** Consumer group: instances in the same group share the topic's messages. */
  group: string;
  /** Handles one batch. The batch's offsets are committed only after the returned promise settles. */
  handleBatch(messages: IncomingMessage[]): Promise<void>;
  /**
   * Batches of one partition handled at once. 1 (the default) handles a partition strictly in order;
   * more lets slow work (a long provider stream) not hold up the messages behind it, while commits still
   * wait for every earlier batch of the partition.
   */
  maxInFlightBatches?: number;
  /**
   * For a group of its own, new to the bus: it first reads what was written from this time on (epoch
   * ms), and subscribe resolves once it has read what the topic held when it joined. Only a bus whose
   * messages outlive their reading (Kafka) has anything to replay; the in-memory bus ignores it. It
   * applies to `topic` alone.
   */
  since?: number;
  /**
   * Run each time the subscription is given partitions (a new group generation); its messages wait
   * until the promise settles, or for at most a session timeout. A stage that must know what others did
   * before it takes over their partitions waits here for another subscription's `readUpToNow`.
   */
  beforeConsuming?: () => Promise<void>;
}

/** A running subscription. */
export interface Subscribed {
  /**
   * Resolves once this subscription has read and handled everything its topic held when called: on
   * every partition, up to the end offset of that moment.
   */
  readUpToNow(): Promise<void>;
}

export interface Bus {
  readonly kind: 'kafka' | 'in-memory';
  publish(topic: string, messages: OutgoingMessage[]): Promise<void>;
  /** Starts consuming; resolves once the subscription receives messages. */
  subscribe(subscription: Subscription): Promise<Subscribed>;
  /** `compacted`: the broker keeps the last message of each key (a topic of states, not of events). */
  ensureTopics(topics: string[], partitions?: number, options?: { compacted?: boolean }): Promise<void>;
  deleteTopics(topics: string[]): Promise<void>;
  /** Stops consuming, waits for batches in flight, then flushes and closes the producer. */
  close(): Promise<void>;
}

/**
 * A message larger than the bus carries (Kafka's `message.max.bytes`). It is refused before it is sent,
 * so it fails alone: sent, it would have made the broker refuse every message of its produce request.
 */
export class MessageTooLargeError extends Error {
  constructor(
    readonly topic: string,
    readonly bytes: number,
    readonly limitBytes: number,
  ) {
    super(`a message of ${bytes} bytes for ${topic} is larger than the ${limitBytes} bytes the bus carries`);
    this.name = 'MessageTooLargeError';
  }
}
