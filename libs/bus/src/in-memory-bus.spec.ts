import { InMemoryBus } from './in-memory-bus';

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('InMemoryBus', () => {
  it('gives every consumer group each message once, and shares it within a group', async () => {
    const bus = new InMemoryBus();
    const seen: Record<string, string[]> = { a1: [], a2: [], b: [] };
    const record = (name: string) => async (messages: { key: string }[]) => void seen[name].push(...messages.map((m) => m.key));
    await bus.subscribe({ topic: 't', group: 'a', handleBatch: record('a1') });
    await bus.subscribe({ topic: 't', group: 'a', handleBatch: record('a2') });
    await bus.subscribe({ topic: 't', group: 'b', handleBatch: record('b') });
    await bus.publish('t', [1, 2, 3, 4].map((n) => ({ key: `k${n}`, value: n })));
    await settle();
    expect([...seen.a1, ...seen.a2].sort()).toEqual(['k1', 'k2', 'k3', 'k4']);
    expect(seen.a1.length).toBe(2);
    expect(seen.b).toEqual(['k1', 'k2', 'k3', 'k4']);
  });

  it('delivers within the turn of the event loop that published, in one batch per turn', async () => {
    const bus = new InMemoryBus();
    const batches: string[][] = [];
    await bus.subscribe({ topic: 't', group: 'g', handleBatch: async (messages) => void batches.push(messages.map((m) => m.key)) });
    const loopTurned = new Promise<string[][]>((resolve) => setImmediate(() => resolve(batches.map((batch) => [...batch]))));
    void bus.publish('t', [{ key: 'a', value: 1 }]);
    void bus.publish('t', [{ key: 'b', value: 2 }]);
    expect(await loopTurned).toEqual([['a', 'b']]);
  });

  it('holds a partition to one batch at a time unless more are allowed', async () => {
    const bus = new InMemoryBus();
    let running = 0;
    let most = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await bus.subscribe({
      topic: 't',
      group: 'g',
      handleBatch: async () => {
        most = Math.max(most, ++running);
        await gate;
        running--;
      },
    });
    await bus.publish('t', [{ key: '1', value: 1 }]);
    await settle();
    await bus.publish('t', [{ key: '2', value: 2 }]);
    await settle();
    expect(most).toBe(1);
    release();
    await bus.close();
  });

  it('reads co-partitioned topics each on its own, so a topic whose batch is stuck does not hold up the other', async () => {
    const bus = new InMemoryBus();
    const handled: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    await bus.subscribe({
      topic: 'interactive',
      copartitionedTopics: ['bulk'],
      group: 'g',
      handleBatch: async (messages) => {
        if (messages[0].topic === 'bulk') await gate;
        handled.push(...messages.map((message) => `${message.topic}:${message.key}`));
      },
    });
    await bus.publish('bulk', [{ key: 'b1', value: 1 }]);
    await settle();
    await bus.publish('bulk', [{ key: 'b2', value: 2 }]);
    await bus.publish('interactive', [{ key: 'i1', value: 3 }]);
    await settle();
    expect(handled).toEqual(['interactive:i1']);
    release();
    await bus.close();
    expect(handled).toEqual(['interactive:i1', 'bulk:b1', 'bulk:b2']);
  });

  it('waits for batches in flight when closed', async () => {
    const bus = new InMemoryBus();
    let done = false;
    await bus.subscribe({ topic: 't', group: 'g', handleBatch: () => new Promise((resolve) => setTimeout(() => resolve(void (done = true)), 30)) });
    await bus.publish('t', [{ key: '1', value: 1 }]);
    await settle();
    await bus.close();
    expect(done).toBe(true);
    await expect(bus.publish('t', [{ key: '2', value: 2 }])).rejects.toThrow('bus is closed');
  });

  it('reads up to now: resolves once the messages queued when asked are handled, not waiting for later ones', async () => {
    const bus = new InMemoryBus();
    const handled: string[] = [];
    const gates = new Map<string, () => void>();
    const subscribed = await bus.subscribe({
      topic: 't',
      group: 'g',
      handleBatch: async (messages) => {
        const first = messages[0].key;
        await new Promise<void>((resolve) => gates.set(first, resolve));
        handled.push(...messages.map((m) => m.key));
      },
    });
    await bus.publish('t', [{ key: '1', value: 1 }, { key: '2', value: 2 }]);
    const upToNow = subscribed.readUpToNow().then(() => [...handled]);
    await settle();
    await bus.publish('t', [{ key: '3', value: 3 }]);
    gates.get('1')!();
    // The later message's batch is still held: reading up to now does not wait for it.
    expect(await upToNow).toEqual(['1', '2']);
    await settle();
    gates.get('3')!();
    await bus.close();
    expect(handled).toEqual(['1', '2', '3']);
  });
});
