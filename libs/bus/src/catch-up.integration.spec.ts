// Regression: after a broker restart a provider-worker took over a partition and called a request again
// whose outcome the previous owner had published, because its own reading of the outcomes lagged. A
// subscription can now wait, each time it is given partitions, until another has read up to now.
import { randomUUID } from 'node:crypto';
import { createLogger } from '@switchyard/telemetry';
import { KafkaBus } from './kafka-bus';

describe('KafkaBus: a subscription that waits for another to catch up', () => {
  const brokers = process.env.KAFKA_BROKERS!.split(',');
  const run = randomUUID().slice(0, 8);
  const requests = `bus-catch-up-requests.${run}`;
  const outcomes = `bus-catch-up-outcomes.${run}`;
  let bus: KafkaBus;
  const warnings: string[] = [];

  beforeAll(async () => {
    const logger = createLogger('bus-catch-up-test', 'error');
    logger.warn = (message: string) => void warnings.push(message);
    bus = new KafkaBus({ brokers, clientId: 'bus-catch-up-test', logger, partitions: 2 });
    await bus.connect();
    await bus.ensureTopics([requests, outcomes], 2);
  });

  afterAll(async () => {
    await bus.close();
    await bus.deleteTopics([requests, outcomes]);
  });

  it('handles nothing it is given before the other subscription has handled what its topic held at the join', async () => {
    const order: string[] = [];
    let releaseOutcomes: () => void = () => undefined;
    const outcomesReleased = new Promise<void>((resolve) => (releaseOutcomes = resolve));
    const outcomesRead = await bus.subscribe({
      topic: outcomes,
      group: `outcomes-${run}`,
      handleBatch: async (messages) => {
        await outcomesReleased;
        order.push(...messages.map((message) => `outcome ${message.key}`));
      },
    });
    await bus.publish(outcomes, ['a', 'b', 'c'].map((key) => ({ key, value: { key } })));
    await bus.publish(requests, [{ key: 'a', value: { key: 'a' } }]);
    let requestHandled: () => void = () => undefined;
    const handled = new Promise<void>((resolve) => (requestHandled = resolve));
    await bus.subscribe({
      topic: requests,
      group: `requests-${run}`,
      beforeConsuming: () => outcomesRead.readUpToNow(),
      handleBatch: async (messages) => {
        order.push(...messages.map((message) => `request ${message.key}`));
        requestHandled();
      },
    });
    // The outcomes are held back well past the request's first fetch: without the wait it would go first.
    setTimeout(releaseOutcomes, 1500);
    await handled;
    expect(order.slice().sort()).toEqual(['outcome a', 'outcome b', 'outcome c', 'request a']);
    expect(order[order.length - 1]).toBe('request a');
    // It waited for the outcomes to be read, not for its bound to pass.
    expect(warnings.filter((warning) => warning.startsWith('consuming before'))).toEqual([]);
  });
});
