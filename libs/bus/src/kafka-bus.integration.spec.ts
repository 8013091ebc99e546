// KafkaBus against a real broker: what a message too large for Kafka does to it and to its neighbours, and
// a batch committed before its handler finishes.
import { Kafka, logLevel } from 'kafkajs';
import { createLogger } from '@switchyard/telemetry';
import { KafkaBus } from './kafka-bus';
import { MessageTooLargeError } from './bus';

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

describe('KafkaBus commitNow', () => {
  const brokers = process.env.KAFKA_BROKERS!.split(',');
  const topic = `bus-commit-test.${Date.now()}`;
  const group = `bus-commit-test-${Date.now()}`;
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  let bus: KafkaBus;

  beforeAll(async () => {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
    bus = new KafkaBus({ brokers, clientId: 'bus-commit-test', logger: createLogger('bus-commit-test', 'error') });
    await bus.connect();
  });

  afterAll(async () => {
    await bus.close();
    await admin.deleteTopics({ topics: [topic] });
    await admin.disconnect();
  });

  // Regression: an ingress killed just after answering left its reply uncommitted for up to the commit
  // interval; the instance restarted in its place read it again and recorded the answer as undelivered.
  it('has the broker hold the batch\'s offsets before the handler finishes', async () => {
    let release!: () => void;
    const committedInside = new Promise<string>((resolve) => {
      void bus.subscribe({
        topic,
        group,
        handleBatch: async (messages, batch) => {
          await batch.commitNow();
          const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
          resolve(`${messages.length} read, ${offsets.partitions[0].offset} committed`);
          await new Promise<void>((resume) => (release = resume));
        },
      });
    });
    await bus.publish(topic, [{ key: 'a', value: { n: 1 } }, { key: 'a', value: { n: 2 } }]);
    expect(await committedInside).toBe('2 read, 2 committed');
    release();
  });
});
