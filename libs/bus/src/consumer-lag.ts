// Consumer lag: how far each consumer group is behind the end of its topic, partition by partition,
// polled from the brokers at an interval (two admin requests a group), never per message.
import type { Admin } from 'kafkajs';
import { gatewayMetrics, type ConsumerLag, type Logger } from '@switchyard/telemetry';

/** A consumer group and the topic it reads. */
export interface GroupTopic {
  group: string;
  topic: string;
}

/**
 * Each partition's end offset less the group's committed offset. A group that never committed on a
 * partition is behind by everything the partition still holds.
 */
export async function fetchConsumerLag(admin: Admin, watched: readonly GroupTopic[]): Promise<ConsumerLag[]> {
  const ends = new Map<string, { partition: number; high: string; low: string }[]>();
  for (const topic of new Set(watched.map((each) => each.topic))) ends.set(topic, await admin.fetchTopicOffsets(topic));
  const lags: ConsumerLag[] = [];
  for (const { group, topic } of watched) {
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const committedBy = new Map(committed?.partitions.map((partition) => [partition.partition, Number(partition.offset)]) ?? []);
    for (const { partition, high, low } of ends.get(topic) ?? []) {
      const offset = committedBy.get(partition) ?? -1;
      const from = offset >= 0 ? offset : Number(low);
      lags.push({ group, topic, partition, lag: Math.max(0, Number(high) - from) });
    }
  }
  return lags;
}

/** Polls the lag of `watched` every `intervalMs` into the process's metrics until stopped. */
export class ConsumerLagPoller {
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private stopped = false;

  constructor(
    private readonly admin: () => Promise<Admin>,
    private readonly watched: readonly GroupTopic[],
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.polling = this.poll();
  }

  private async poll(): Promise<void> {
    try {
      gatewayMetrics().setConsumerLag(await fetchConsumerLag(await this.admin(), this.watched));
    } catch (error) {
      this.logger.warn('could not poll consumer lag; trying again at the next interval', { error: (error as Error).message });
    }
    if (this.stopped) return;
    this.timer = setTimeout(() => (this.polling = this.poll()), this.intervalMs);
    this.timer.unref();
  }

  /** Stops polling, after the poll in progress, if any. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.polling;
  }
}
