// What the stage runner tells metrics and logs about each event it takes.
import { InMemoryBus } from '@switchyard/bus';
import { InvalidEventError } from '@switchyard/contracts';
import { createLogger, gatewayMetrics } from '@switchyard/telemetry';
import { runStage, type Stage } from './stage';

interface Ping {
  request_id: string;
  n: number;
}

const stage: Stage<Ping> = {
  name: 'counted',
  input: 'counted-in',
  group: 'counted',
  parse(value) {
    const event = value as Ping;
    if (typeof event?.n !== 'number') throw new InvalidEventError('n is not a number');
    return event;
  },
  handle(event) {
    if (event.n < 0) throw new Error('negative numbers are not supported');
    return [{ topic: 'counted-out', key: event.request_id, value: event }];
  },
  onFailure: () => [],
};

const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';

async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done() && waited < 2000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('the stage runner', () => {
  const lines: Record<string, unknown>[] = [];
  let write: jest.SpyInstance;

  beforeEach(() => {
    lines.length = 0;
    write = jest.spyOn(process.stderr, 'write').mockImplementation((text) => {
      lines.push(JSON.parse(String(text)) as Record<string, unknown>);
      return true;
    });
  });

  afterEach(() => write.mockRestore());

  it('counts each event by its outcome, and times it', async () => {
    const bus = new InMemoryBus();
    await runStage(bus, stage, { logger: createLogger('stage-telemetry-test', 'error') });
    await bus.publish('counted-in', [
      { key: 'a', value: { request_id: 'a', n: 1 } },
      { key: 'b', value: { request_id: 'b', n: 2 } },
      { key: 'c', value: { request_id: 'c', n: -1 } },
      { key: 'd', value: { request_id: 'd', n: 'x' } },
    ]);
    const counted = () => gatewayMetrics().stageEvents.get().values.filter((value) => value.labels.stage === 'counted');
    await until(() => counted().reduce((total, value) => total + value.value, 0) === 4);
    expect(Object.fromEntries(counted().map((value) => [value.labels.outcome, value.value]))).toEqual({ handled: 2, failed: 1, dead_lettered: 1 });
    const timed = gatewayMetrics().stageDuration.get().values.find((value) => value.metricName === 'switchyard_stage_duration_seconds_count' && value.labels.stage === 'counted');
    expect(timed?.value).toBe(4);
  });

  it("logs a failure with the trace id of the event's request", async () => {
    const bus = new InMemoryBus();
    await runStage(bus, stage, { logger: createLogger('stage-telemetry-test', 'error') });
    await bus.publish('counted-in', [{ key: 'e', value: { request_id: 'e', n: -5 }, headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-00` } }]);
    await until(() => lines.length > 0);
    expect(lines.map((line) => [line.msg, line.trace_id, line.key])).toEqual([['counted failed on an event', traceId, 'e']]);
  });
});
