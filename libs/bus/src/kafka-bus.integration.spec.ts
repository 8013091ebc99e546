// KafkaBus against a real broker: what a message too large for Kafka does to it and to its neighbours, and co-partitioned topics across members of a group.
import { Kafka, logLevel } from 'kafkajs';
import { createLogger } from '@switchyard/telemetry';
import { KafkaBus } from './kafka-bus';
import { MessageTooLargeError } from './bus';
import { eventually } from '@switchyard/testing';

const LIMIT = 100_000;

describe('KafkaBus and the broker\'s message size limit', () => {
  const brokers = process.env.KAFKA_BROKERS!.split(',');
  const topic = `bus-size-test.${Date.now()}`;
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  let bus: KafkaBus;

  beforeAll(async () => {
    await admin.connect();
    // A topic that takes 100 KB a record batch, as a broker with that message.max.bytes would.
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: String(LIMIT) }] }] });
    bus = new KafkaBus({ brokers, clientId: 'bus-size-test', logger: createLogger('bus-size-test', 'error'), maxMessageBytes: LIMIT });
    await bus.connect();
  });

  afterAll(async () => {
    await bus.close();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  });

  it('sends messages published together in produce requests the broker takes', async () => {
    // Together 120 KB for one partition: one produce request would be refused whole.
    const text = 'x'.repeat(40_000);
    await expect(Promise.all([1, 2, 3].map((n) => bus.publish(topic, [{ key: 'same', value: { n, text } }])))).resolves.toHaveLength(3);
  });

  it('refuses a message over the limit by itself, and sends the ones published beside it', async () => {
    const results = await Promise.allSettled([
      bus.publish(topic, [{ key: 'a', value: { small: 1 } }]),
      bus.publish(topic, [{ key: 'b', value: { text: 'y'.repeat(LIMIT) } }]),
      bus.publish(topic, [{ key: 'c', value: { small: 2 } }]),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const refusal = (results[1] as PromiseRejectedResult).reason as MessageTooLargeError;
    expect(refusal).toBeInstanceOf(MessageTooLargeError);
    expect(refusal.message).toBe(`a message of ${refusal.bytes} bytes for ${topic} is larger than the ${LIMIT} bytes the bus carries`);
  });
});

describe('KafkaBus reading co-partitioned topics', () => {
  const brokers = process.env.KAFKA_BROKERS!.split(',');
  const run = Date.now();
  const topics = [`bus-copartitioned-a.${run}`, `bus-copartitioned-b.${run}`];
  const logger = createLogger('bus-copartitioned-test', 'error');
  // Three members on four partitions: kafkajs's round robin would deal partition p of the second topic to another member than the first's.
  const buses = [0, 1, 2].map((member) => new KafkaBus({ brokers, clientId: `bus-copartitioned-${member}`, logger, partitions: 4 }));

  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.close()));
    await buses[0].deleteTopics(topics);
  });

  it('gives partition p of every topic to one member of the group, so events keyed alike on either reach the same member', async () => {
    await buses[0].connect();
    await buses[0].ensureTopics(topics, 4);
    const readBy = new Map<string, number>();
    for (const [member, bus] of buses.entries()) {
      await bus.subscribe({
        topic: topics[0],
        copartitionedTopics: [topics[1]],
        group: `bus-copartitioned.${run}`,
        handleBatch: async (messages) => messages.forEach((message) => readBy.set(`${message.topic === topics[0] ? 'a' : 'b'} ${message.key}`, member)),
      });
    }
    const keys = Array.from({ length: 40 }, (_, i) => `owner-${i}`);
    for (const topic of topics) await buses[0].publish(topic, keys.map((key) => ({ key, value: { key } })));
    await eventually(async () => (readBy.size === 2 * keys.length ? true : undefined), 'every event read', 60_000, 100);
    expect(keys.filter((key) => readBy.get(`a ${key}`) !== readBy.get(`b ${key}`))).toEqual([]);
    // Each member had a share.
    expect(new Set(readBy.values()).size).toBe(3);
  });
});
