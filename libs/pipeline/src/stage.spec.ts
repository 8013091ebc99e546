import { InMemoryBus, MessageTooLargeError, type IncomingMessage } from '@switchyard/bus';
import { DEAD_LETTER_HEADERS, GatewayError, InvalidEventError, TOPICS, type RequestEvent } from '@switchyard/contracts';
import { createLogger, startTracing, stopTracing } from '@switchyard/telemetry';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-node';
import { failedCompletion } from './completions';
import { RetryingPublisher, runStage, type Stage } from './stage';

interface Ping {
  request_id: string;
  n: number;
}

const logger = createLogger('stage-test', 'error');

function collect(bus: InMemoryBus, topic: string): IncomingMessage[] {
  const seen: IncomingMessage[] = [];
  void bus.subscribe({ topic, group: `collector-${topic}`, handleBatch: async (messages) => void seen.push(...messages) });
  return seen;
}

/** Waits until `done` holds (the bus delivers asynchronously), then a little longer for stragglers. */
async function settle(done: () => boolean): Promise<void> {
  for (let waited = 0; !done() && waited < 2000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
  await new Promise((resolve) => setTimeout(resolve, 20));
}

describe('runStage', () => {
  beforeAll(() => startTracing('stage-test'));
  afterAll(() => stopTracing());

  const stage: Stage<Ping> = {
    name: 'doubler',
    input: 'in',
    group: 'doublers',
    parse(value) {
      const event = value as Ping;
      if (typeof event?.n !== 'number') throw new InvalidEventError('n is not a number');
      return event;
    },
    handle(event) {
      if (event.n < 0) throw new Error('negative numbers are not supported');
      return [{ topic: 'out', key: event.request_id, value: { ...event, n: event.n * 2 } }];
    },
    onFailure: (event, error) => [{ topic: 'failures', key: event.request_id, value: { request_id: event.request_id, code: error.code, message: error.message } }],
  };

  const traceId = 'ab'.repeat(16);
  const incomingTrace = { traceparent: `00-${traceId}-${'cd'.repeat(8)}-00`, tracestate: 'vendor=1' };

  it('publishes what the stage returns, handing the trace context on as it came while spans are not recorded', async () => {
    const bus = new InMemoryBus();
    const out = collect(bus, 'out');
    await runStage(bus, stage, { logger });
    await bus.publish('in', [{ key: 'a', value: { request_id: 'a', n: 21 }, headers: { ...incomingTrace, other: 'not a trace header' } }]);
    await settle(() => out.length > 0);
    expect(out.map((message) => message.value)).toEqual([{ request_id: 'a', n: 42 }]);
    expect(out[0].headers).toEqual(incomingTrace);
  });

  it('publishes in a child span of the incoming trace while spans are recorded', async () => {
    await stopTracing();
    const exporter = new InMemorySpanExporter();
    startTracing('stage-test', [new SimpleSpanProcessor(exporter)]);
    try {
      const bus = new InMemoryBus();
      const out = collect(bus, 'out');
      await runStage(bus, stage, { logger });
      await bus.publish('in', [{ key: 'a', value: { request_id: 'a', n: 21 }, headers: { traceparent: `00-${traceId}-${'cd'.repeat(8)}-01` } }]);
      await settle(() => out.length > 0);
      const [span] = exporter.getFinishedSpans();
      expect(span.name).toBe('doubler');
      expect(span.spanContext().traceId).toBe(traceId);
      expect(out[0].headers.traceparent).toBe(`00-${traceId}-${span.spanContext().spanId}-01`);
    } finally {
      await stopTracing();
      startTracing('stage-test');
    }
  });

  it('dead-letters an event it cannot parse, with the reason, and goes on', async () => {
    const bus = new InMemoryBus();
    const dead = collect(bus, TOPICS.deadLetter);
    const out = collect(bus, 'out');
    await runStage(bus, stage, { logger });
    await bus.publish('in', [
      { key: 'bad', value: { request_id: 'bad', n: 'seven' } },
      { key: 'good', value: { request_id: 'good', n: 1 } },
    ]);
    await settle(() => dead.length > 0 && out.length > 0);
    expect(dead).toHaveLength(1);
    expect(dead[0].headers).toMatchObject({
      [DEAD_LETTER_HEADERS.reason]: 'n is not a number',
      [DEAD_LETTER_HEADERS.stage]: 'doubler',
      [DEAD_LETTER_HEADERS.originalTopic]: 'in',
    });
    expect(dead[0].value).toEqual({ request_id: 'bad', n: 'seven' });
    expect(out.map((message) => message.key)).toEqual(['good']);
  });

  it('turns a failing handler into the outputs that make the failure visible', async () => {
    const bus = new InMemoryBus();
    const failures = collect(bus, 'failures');
    await runStage(bus, stage, { logger });
    await bus.publish('in', [{ key: 'neg', value: { request_id: 'neg', n: -1 } }]);
    await settle(() => failures.length > 0);
    expect(failures.map((message) => message.value)).toEqual([{ request_id: 'neg', code: 'internal', message: 'negative numbers are not supported' }]);
  });

  it('answers with the failure outputs when an output is too large for the bus', async () => {
    const bus = new InMemoryBus();
    const failures = collect(bus, 'failures');
    const publish = bus.publish.bind(bus);
    bus.publish = async (topic, messages) => {
      if (topic === 'out') throw new MessageTooLargeError('out', 2_000_000, 1_048_576);
      return publish(topic, messages);
    };
    await runStage(bus, stage, { logger });
    await bus.publish('in', [{ key: 'big', value: { request_id: 'big', n: 1 } }]);
    await settle(() => failures.length > 0);
    expect(failures.map((message) => message.value)).toEqual([
      {
        request_id: 'big',
        code: 'request_too_large',
        message: 'doubler could not pass the request on: a message of 2000000 bytes for out is larger than the 1048576 bytes the bus carries',
      },
    ]);
  });
});

describe('RetryingPublisher', () => {
  /** A bus whose first `failures` publishes fail, as a broker that is down for a while. */
  function flakyBus(failures: number) {
    const published: string[] = [];
    let calls = 0;
    const bus = new InMemoryBus();
    bus.publish = async (topic) => {
      if (++calls <= failures) throw new Error(`broker down (call ${calls})`);
      published.push(topic);
    };
    return { bus, published, calls: () => calls };
  }

  it('retries a failed publish until the bus takes it', async () => {
    const { bus, published, calls } = flakyBus(2);
    await new RetryingPublisher(bus, logger, 5_000).publish('t', [{ key: 'k', value: 1 }]);
    expect(published).toEqual(['t']);
    expect(calls()).toBe(3);
  });

  it('gives up with the last error once its time is spent', async () => {
    const { bus, calls } = flakyBus(Infinity);
    await expect(new RetryingPublisher(bus, logger, 300).publish('t', [{ key: 'k', value: 1 }])).rejects.toThrow(/broker down \(call [23]\)/);
    expect(calls()).toBeGreaterThan(1);
  });

  it('does not retry a message too large for the bus: it would be refused again', async () => {
    const bus = new InMemoryBus();
    let calls = 0;
    bus.publish = async (topic) => {
      calls++;
      throw new MessageTooLargeError(topic, 2_000_000, 1_048_576);
    };
    await expect(new RetryingPublisher(bus, logger, 5_000).publish('t', [{ key: 'k', value: 1 }])).rejects.toBeInstanceOf(MessageTooLargeError);
    expect(calls).toBe(1);
  });
});

describe('failedCompletion', () => {
  it('marks cancellations as cancelled and everything else as an error', () => {
    const request: RequestEvent = { request_id: 'r', kind: 'chat', stream: false, reply_to: 't', received_at: 0, deadline_at: 1, api_key_id: 'a', chat: { model: 'm', messages: [] } };
    expect(failedCompletion(request, new GatewayError('cancelled', 'gone'), 'x').value).toMatchObject({ status: 'cancelled' });
    expect(failedCompletion(request, new GatewayError('internal', 'boom'), 'x').value).toMatchObject({ status: 'error', error: { code: 'internal', message: 'boom' } });
  });
});
