// The config topic: the gateway configuration as published by `npm run config:publish`. One partition,
// one key, compacted, so it holds the latest version (and, until compaction, a few before it). Every
// instance reads it whole, from the beginning, in a consumer group of its own: a version reaches them all.
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { Logger } from '@switchyard/telemetry';
import { createKafkaClient, whileKafkaSettles } from './kafka-bus';

/** A configuration as published: its text, checked by the publisher and again by every instance. */
export interface ConfigRecord {
  /** The configuration version of `text` (configVersionOf). */
  config_version: string;
  /** The YAML text as it was in the file. */
  text: string;
  /** The file it was published from, as the publisher named it. */
  source: string;
  /** ISO 8601 time of publishing. */
  published_at: string;
}

/** Every record of the topic has this key, so that compaction keeps the latest. */
export const CONFIG_RECORD_KEY = 'gateway';

export interface ConfigTopicOptions {
  brokers: string[];
  topic: string;
  clientId: string;
  logger: Logger;
  /** Replicas of the topic when it is created; from 2, min.insync.replicas is one fewer. */
  replicationFactor?: number;
}

/** Creates the topic, compacted and of one partition, unless it is there. */
async function ensureConfigTopic(admin: Admin, options: ConfigTopicOptions): Promise<void> {
  const replicationFactor = options.replicationFactor ?? 1;
  const configEntries = [{ name: 'cleanup.policy', value: 'compact' }, ...(replicationFactor > 1 ? [{ name: 'min.insync.replicas', value: String(replicationFactor - 1) }] : [])];
  await whileKafkaSettles(async () => {
    if ((await admin.listTopics()).includes(options.topic)) return;
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: options.topic, numPartitions: 1, replicationFactor, configEntries }] });
  }, options.logger);
}

async function withAdmin<T>(kafka: Kafka, use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Publishes a configuration, stamped with the time it is sent; every instance applies it once it has checked it. */
export async function publishConfigRecord(options: ConfigTopicOptions, unsent: Omit<ConfigRecord, 'published_at'>): Promise<ConfigRecord> {
  const kafka = createKafkaClient(options);
  await withAdmin(kafka, (admin) => ensureConfigTopic(admin, options));
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const record: ConfigRecord = { ...unsent, published_at: new Date().toISOString() };
    await producer.send({ topic: options.topic, messages: [{ key: CONFIG_RECORD_KEY, value: JSON.stringify(record) }] });
    return record;
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}

export interface ConfigTopicReader {
  /** The latest record published before this instance started; undefined when none was. */
  latest: ConfigRecord | undefined;
  /** Hands each later record to `onRecord`, in the order published, those come meanwhile first. */
  follow(onRecord: (record: ConfigRecord) => void): void;
  stop(): Promise<void>;
}

/**
 * Reads the topic to its end as it is now, then keeps reading. Resolves once the records published
 * before the start have been read, with the latest of them.
 */
export async function readConfigTopic(options: ConfigTopicOptions): Promise<ConfigTopicReader> {
  const kafka = createKafkaClient(options);
  // The end now: the records before it make up the past, the latest of which the instance starts on.
  const end = await withAdmin(kafka, async (admin) => {
    await ensureConfigTopic(admin, options);
    const [partition] = await whileKafkaSettles(() => admin.fetchTopicOffsets(options.topic), options.logger);
    return { high: BigInt(partition.high), low: BigInt(partition.low) };
  });
  let latest: ConfigRecord | undefined;
  let listener: ((record: ConfigRecord) => void) | undefined;
  const waiting: ConfigRecord[] = [];
  let caughtUp!: () => void;
  const past = new Promise<void>((resolve) => (caughtUp = resolve));
  if (end.high <= end.low) caughtUp();
  // No offsets are committed: each start reads the topic from its beginning again.
  const consumer: Consumer = kafka.consumer({ groupId: `${options.clientId}-config-${randomUUID().slice(0, 8)}`, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await whileKafkaSettles(() => consumer.subscribe({ topic: options.topic, fromBeginning: true }), options.logger);
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ message }) => {
      const offset = BigInt(message.offset);
      const record = decodeConfigRecord(message.value, options.logger);
      if (offset < end.high) {
        if (record) latest = record;
        if (offset >= end.high - 1n) caughtUp();
        return;
      }
      if (!record) return;
      if (listener) listener(record);
      else waiting.push(record);
    },
  });
  await past;
  return {
    latest,
    follow(onRecord) {
      listener = onRecord;
      for (const record of waiting.splice(0)) onRecord(record);
    },
    async stop() {
      await consumer.disconnect().catch(() => undefined);
    },
  };
}

function decodeConfigRecord(value: Buffer | null, logger: Logger): ConfigRecord | undefined {
  if (!value) return undefined;
  try {
    const record = JSON.parse(value.toString('utf8')) as Partial<ConfigRecord>;
    if (typeof record.text === 'string' && typeof record.config_version === 'string') {
      return { config_version: record.config_version, text: record.text, source: String(record.source ?? 'config topic'), published_at: String(record.published_at ?? '') };
    }
    logger.error('ignoring a record of the config topic without text and config_version');
  } catch (error) {
    logger.error('ignoring a record of the config topic that is not JSON', { error: (error as Error).message });
  }
  return undefined;
}
