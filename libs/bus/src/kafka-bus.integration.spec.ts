// KafkaBus against a real broker: what a message too large for Kafka does to it and to its neighbours,
// delivery and decoding, commits that survive a restart, a group that starts at a time, back-pressure,
// the topics it makes, the lag it reports, and co-partitioned topics across members of a group.
import { Kafka, logLevel } from 'kafkajs';
import { createLogger, gatewayMetrics } from '@switchyard/telemetry';
import { eventually } from '@switchyard/testing';
import { KafkaBus, type KafkaBusOptions } from './kafka-bus';
import { MessageTooLargeError, type Bus, type IncomingMessage } from './bus';

const LIMIT = 100_000;
const brokers = process.env.KAFKA_BROKERS!.split(',');

describe('KafkaBus', () => {
  const run = `bus-test.${Date.now()}`;
  // The broker's view, through a client of the test's own.
  const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const buses: Bus[] = [];

  const openBus = async (options: Partial<KafkaBusOptions> = {}): Promise<KafkaBus> => {
    const bus = new KafkaBus({ brokers, clientId: run, logger: createLogger(run, 'error'), partitions: 1, ...options });
    await bus.connect();
    buses.push(bus);
    return bus;
  };
  /** Subscribes `group` to `topic`, collecting what it is handed. */
  const collect = async (bus: Bus, topic: string, group: string, options: { since?: number } = {}): Promise<IncomingMessage[]> => {
    const received: IncomingMessage[] = [];
    await bus.subscribe({ topic, group, since: options.since, handleBatch: async (messages) => void received.push(...messages) });
    return received;
  };
  const valuesOf = (messages: IncomingMessage[]) => messages.map((message) => message.value);

  beforeAll(() => admin.connect());

  afterAll(async () => {
    await Promise.all(buses.map((bus) => bus.close()));
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(run));
    await admin.deleteTopics({ topics });
    await admin.disconnect();
  });

  describe('and the broker\'s message size limit', () => {
    const topic = `${run}.size`;
    let bus: KafkaBus;

    beforeAll(async () => {
      // A topic that takes 100 KB a record batch, as a broker with that message.max.bytes would.
      await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: String(LIMIT) }] }] });
      bus = await openBus({ maxMessageBytes: LIMIT });
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

  it('hands over events with their key and headers in order, and bytes that are not JSON with why and the bytes', async () => {
    const topic = `${run}.delivery`;
    const bus = await openBus();
    await bus.ensureTopics([topic]);
    const received = await collect(bus, topic, `${run}.delivery-group`);
    await bus.publish(topic, [
      { key: 'req-1', value: { n: 1 }, headers: { trace: 't-1' } },
      { key: 'req-1', value: Buffer.from('not json') },
      { key: 'req-1', value: { n: 3 } },
    ]);
    await eventually(async () => (received.length >= 3 ? true : undefined), 'three messages handed over');
    expect(received.map(({ key, value, headers, decodeError, raw }) => ({ key, value, headers, decodeError: decodeError?.split(':')[0], raw: raw?.toString() }))).toEqual([
      { key: 'req-1', value: { n: 1 }, headers: { trace: 't-1' }, decodeError: undefined, raw: undefined },
      { key: 'req-1', value: undefined, headers: {}, decodeError: 'value is not JSON', raw: 'not json' },
      { key: 'req-1', value: { n: 3 }, headers: {}, decodeError: undefined, raw: undefined },
    ]);
    expect(received.map((message) => [message.topic, message.partition, message.offset])).toEqual([
      [topic, 0, '0'],
      [topic, 0, '1'],
      [topic, 0, '2'],
    ]);
  });

  it('commits what a group finished when it closes, so that the group goes on after it, not again', async () => {
    const topic = `${run}.restart`;
    const group = `${run}.restart-group`;
    const first = await openBus();
    await first.ensureTopics([topic]);
    const before = await collect(first, topic, group);
    await first.publish(topic, [1, 2, 3].map((n) => ({ key: `k${n}`, value: { n } })));
    await eventually(async () => (before.length === 3 ? true : undefined), 'the first bus handled three');
    buses.splice(buses.indexOf(first), 1);
    await first.close();
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    expect(committed.partitions.map(({ offset }) => offset)).toEqual(['3']);
    const second = await openBus();
    const after = await collect(second, topic, group);
    await second.publish(topic, [4, 5].map((n) => ({ key: `k${n}`, value: { n } })));
    await eventually(async () => (after.length >= 2 ? true : undefined), 'the second bus handled two');
    // One partition: had 1-3 not been committed, they would have come first.
    expect(valuesOf(after)).toEqual([{ n: 4 }, { n: 5 }]);
  });

  it('starts a new group at the first event written from `since` on, and subscribes once it has read what was there', async () => {
    const topic = `${run}.since`;
    const bus = await openBus();
    await bus.ensureTopics([topic]);
    await bus.publish(topic, [{ key: 'old', value: { at: 'before' } }]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const since = Date.now();
    await bus.publish(topic, [{ key: 'new', value: { at: 'after', n: 1 } }]);
    await bus.publish(topic, [{ key: 'new', value: { at: 'after', n: 2 } }]);
    const received = await collect(bus, topic, `${run}.since-group`, { since });
    expect(valuesOf(received)).toEqual([
      { at: 'after', n: 1 },
      { at: 'after', n: 2 },
    ]);
  });

  it('hands a partition one batch at a time by default, the next only once the one before is done', async () => {
    const topic = `${run}.one-at-a-time`;
    const bus = await openBus();
    await bus.ensureTopics([topic]);
    let running = 0;
    let mostAtOnce = 0;
    const handled: unknown[] = [];
    await bus.subscribe({
      topic,
      group: `${run}.one-at-a-time-group`,
      handleBatch: async (messages) => {
        mostAtOnce = Math.max(mostAtOnce, ++running);
        await new Promise((resolve) => setTimeout(resolve, 50));
        handled.push(...valuesOf(messages));
        running--;
      },
    });
    for (let n = 1; n <= 6; n++) await bus.publish(topic, [{ key: 'k', value: { n } }]);
    await eventually(async () => (handled.length === 6 ? true : undefined), 'six handled');
    expect(handled).toEqual([1, 2, 3, 4, 5, 6].map((n) => ({ n })));
    expect(mostAtOnce).toBe(1);
  });

  it('creates topics with their partitions and compaction, and grows a topic that has fewer', async () => {
    const [plain, compacted] = [`${run}.topics-plain`, `${run}.topics-compacted`];
    const bus = await openBus();
    await bus.ensureTopics([plain], 2);
    await bus.ensureTopics([compacted], 3, { compacted: true });
    await bus.ensureTopics([plain], 4);
    const { topics } = await admin.fetchTopicMetadata({ topics: [plain, compacted] });
    expect(Object.fromEntries(topics.map((topic) => [topic.name, topic.partitions.length]))).toEqual({ [plain]: 4, [compacted]: 3 });
    const { resources } = await admin.describeConfigs({ resources: [{ type: 2, name: compacted, configNames: ['cleanup.policy'] }], includeSynonyms: false });
    expect(resources[0].configEntries.map(({ configName, configValue }) => [configName, configValue])).toEqual([['cleanup.policy', 'compact']]);
  });

  it('reports a group\'s lag: the messages of each partition it has not committed', async () => {
    const topic = `${run}.lag`;
    const group = `${run}.lag-group`;
    const bus = await openBus();
    await bus.ensureTopics([topic]);
    await bus.publish(topic, [1, 2, 3, 4].map((n) => ({ key: `k${n}`, value: { n } })));
    await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '1' }] });
    bus.watchConsumerLag([{ group, topic }], 60_000);
    const line = `switchyard_kafka_consumer_lag{group="${group}",topic="${topic}",partition="0"}`;
    const lag = await eventually(async () => (await gatewayMetrics().exposition()).body.split('\n').find((each) => each.startsWith(line)), 'the lag in the metrics');
    expect(lag).toBe(`${line} 3`);
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
