import type { Bus, IncomingMessage, OutgoingMessage, Subscribed, Subscription } from './bus';

const MAX_BATCH = 1000;

interface Consumer {
  topic: string;
  subscription: Subscription;
  queue: IncomingMessage[];
  inFlight: number;
  scheduled: boolean;
  idle: Array<() => void>;
  /** Messages queued and handled since the subscription began: readUpToNow waits for the one to reach the other. */
  received: number;
  handled: number;
  caughtUp: Array<{ upTo: number; resolve: () => void }>;
}

/**
 * The bus of embedded mode: topics and consumer groups in one process. Events pass as objects, not
 * bytes, so there is nothing to decode. Each consumer group of a topic receives every message once.
 */
export class InMemoryBus implements Bus {
  readonly kind = 'in-memory' as const;
  private readonly groups = new Map<string, Map<string, Consumer[]>>();
  private readonly roundRobin = new Map<string, number>();
  private offset = 0;
  private closed = false;

  async publish(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (this.closed) throw new Error('bus is closed');
    const groups = this.groups.get(topic);
    if (!groups) return;
    for (const [group, consumers] of groups) {
      for (const message of messages) {
        const turn = this.roundRobin.get(group) ?? 0;
        this.roundRobin.set(group, turn + 1);
        const consumer = consumers[turn % consumers.length];
        consumer.received++;
        consumer.queue.push({
          topic,
          partition: 0,
          offset: String(this.offset++),
          key: message.key,
          value: message.value,
          headers: message.headers ?? {},
        });
        this.schedule(consumer);
      }
    }
  }

  async subscribe(subscription: Subscription): Promise<Subscribed> {
    // A queue of each topic: a backlog on one topic does not hold up another's messages.
    const subscribed: Consumer[] = [];
    for (const topic of [subscription.topic, ...(subscription.copartitionedTopics ?? [])]) {
      let groups = this.groups.get(topic);
      if (!groups) this.groups.set(topic, (groups = new Map()));
      const consumers = groups.get(subscription.group) ?? [];
      const consumer: Consumer = { topic, subscription, queue: [], inFlight: 0, scheduled: false, idle: [], received: 0, handled: 0, caughtUp: [] };
      consumers.push(consumer);
      subscribed.push(consumer);
      groups.set(subscription.group, consumers);
    }
    return { readUpToNow: () => Promise.all(subscribed.map((consumer) => this.readUpToNow(consumer))).then(() => undefined) };
  }

  async ensureTopics(): Promise<void> {
    // Topics exist as soon as somebody subscribes.
  }

  async deleteTopics(topics: string[]): Promise<void> {
    for (const topic of topics) this.groups.delete(topic);
  }

  async close(): Promise<void> {
    this.closed = true;
    const consumers = [...this.groups.values()].flatMap((groups) => [...groups.values()].flat());
    await Promise.all(consumers.map((consumer) => this.drained(consumer)));
  }

  private schedule(consumer: Consumer): void {
    if (consumer.scheduled) return;
    consumer.scheduled = true;
    // A microtask, not setImmediate: what is published in one turn of the event loop is still
    // delivered as one batch, without a turn of the loop per hop (an epoll wait each; 5 hops a request).
    queueMicrotask(() => {
      consumer.scheduled = false;
      this.deliver(consumer);
    });
  }

  private deliver(consumer: Consumer): void {
    const limit = consumer.subscription.maxInFlightBatches ?? 1;
    while (consumer.queue.length > 0 && consumer.inFlight < limit) {
      const batch = consumer.queue.splice(0, MAX_BATCH);
      consumer.inFlight++;
      const settled = () => {
        consumer.inFlight--;
        consumer.handled += batch.length;
        if (consumer.caughtUp.length > 0) this.wakeCaughtUp(consumer);
        if (consumer.queue.length > 0) this.deliver(consumer);
        else if (consumer.inFlight === 0) consumer.idle.splice(0).forEach((resolve) => resolve());
      };
      consumer.subscription.handleBatch(batch).then(settled, (error) => {
        process.stderr.write(`in-memory bus: handler of ${consumer.topic} failed: ${error}\n`);
        settled();
      });
    }
  }

  private readUpToNow(consumer: Consumer): Promise<void> {
    if (consumer.handled >= consumer.received) return Promise.resolve();
    return new Promise((resolve) => consumer.caughtUp.push({ upTo: consumer.received, resolve }));
  }

  private wakeCaughtUp(consumer: Consumer): void {
    // Batches of one consumer may finish out of order (maxInFlightBatches): counted, not by position.
    consumer.caughtUp = consumer.caughtUp.filter((waiter) => {
      if (consumer.handled < waiter.upTo) return true;
      waiter.resolve();
      return false;
    });
  }

  private drained(consumer: Consumer): Promise<void> {
    if (consumer.inFlight === 0 && consumer.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => consumer.idle.push(resolve));
  }
}
