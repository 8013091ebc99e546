import { InMemoryBus } from '@switchyard/bus';
import { GatewayError, TOPICS, type ChatResult, type CompletionEvent, type RequestEvent } from '@switchyard/contracts';
import { runStage, type StageContext, type StageOutput } from '@switchyard/pipeline';
import { createMockProvider, type ChatStreamEvent, type ProviderAdapter } from '@switchyard/providers';
import { createLogger } from '@switchyard/telemetry';
import { OVERLOADED_RETRY_AFTER_MS, createProviderWorker } from './provider-worker';

const request = (overrides: Partial<RequestEvent> = {}): RequestEvent => ({
  request_id: 'r1',
  kind: 'chat',
  stream: false,
  reply_to: 'switchyard.replies.i1',
  received_at: Date.now(),
  deadline_at: Date.now() + 5000,
  api_key_id: 'anonymous',
  chat: { model: 'fast', messages: [{ role: 'user', content: 'echo this back' }] },
  route: { provider: 'mock', upstream_model: 'mock-echo' },
  ...overrides,
});

function context(emitted: StageOutput[] = []): StageContext {
  return { emit: async (output) => void emitted.push(output), span: { setAttributes: () => undefined } as never, logger: {} as never };
}

describe('provider-worker', () => {
  it('calls the routed provider with its own model name and hands the result to metering', async () => {
    const seen: string[] = [];
    const spy: ProviderAdapter = {
      name: 'mock',
      chat: async (chat) => {
        seen.push(chat.model);
        return { choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] } satisfies ChatResult;
      },
    };
    const worker = createProviderWorker(new Map([['mock', spy]]));
    const [output] = await worker.stage.handle(request(), context());
    expect(seen).toEqual(['mock-echo']);
    expect(output).toMatchObject({ topic: TOPICS.completions, value: { status: 'ok', chat: { choices: [{ message: { content: 'ok' } }] } } });
  });

  it('sends each streamed piece to the caller as it arrives, and the whole to metering', async () => {
    const worker = createProviderWorker(new Map([['mock', createMockProvider({ latencyMs: 0 })]]));
    const emitted: StageOutput[] = [];
    const [output] = await worker.stage.handle(request({ stream: true }), context(emitted));
    expect(emitted.length).toBeGreaterThanOrEqual(3);
    expect(emitted.every((piece) => piece.topic === 'switchyard.replies.i1')).toBe(true);
    const text = emitted.map((piece) => (piece.value as { chunk: { delta: { content?: string } } }).chunk.delta.content ?? '').join('');
    expect(text).toBe('echo this back');
    expect(output.value).toMatchObject({ status: 'ok', chat: { choices: [{ message: { content: 'echo this back' }, finish_reason: 'stop' }] } });
    expect((output.value as { time_to_first_chunk_ms: number }).time_to_first_chunk_ms).toBeGreaterThanOrEqual(0);
  });

  it('stops the upstream call when the caller cancels, and records it as cancelled', async () => {
    let upstreamAborted = false;
    const endless: ProviderAdapter = {
      name: 'slow',
      async *chatStream(_chat, { signal }): AsyncIterable<ChatStreamEvent> {
        yield { index: 0, content: 'first' };
        await new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => {
            upstreamAborted = true;
            reject(signal.reason);
          }),
        );
      },
    };
    const worker = createProviderWorker(new Map([['slow', endless]]));
    const handling = worker.stage.handle(request({ stream: true, route: { provider: 'slow', upstream_model: 'x' } }), context());
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(worker.inFlight()).toBe(1);
    await worker.cancellations.handle({ request_id: 'r1', reason: 'client_cancelled' }, context());
    const [output] = await handling;
    expect(upstreamAborted).toBe(true);
    expect(output.value).toMatchObject({ status: 'cancelled', error: { code: 'cancelled' } });
    expect(worker.inFlight()).toBe(0);
  });

  it('gives up at the caller deadline', async () => {
    const worker = createProviderWorker(new Map([['mock', createMockProvider({ latencyMs: 5000 })]]));
    const [output] = await worker.stage.handle(request({ deadline_at: Date.now() + 50 }), context());
    expect(output.value).toMatchObject({ status: 'error', error: { code: 'provider_timeout' } });
  });

  it('maps a provider failure to an error completion that keeps the provider message', async () => {
    const failing: ProviderAdapter = {
      name: 'mock',
      chat: async () => {
        throw new GatewayError('provider_rate_limited', 'mock returned 429: slow down', { providerStatus: 429, retryAfterMs: 1000 });
      },
    };
    const worker = createProviderWorker(new Map([['mock', failing]]));
    const [output] = await worker.stage.handle(request(), context());
    expect(output.value).toMatchObject({ status: 'error', error: { code: 'provider_rate_limited', message: 'mock returned 429: slow down', retry_after_ms: 1000, provider_status: 429 } });
  });
});

/** A provider whose calls to the models in `hanging` wait until the test releases them; it counts every call it gets. */
function hangingProvider(models: string[]) {
  let hanging = models;
  const calls: string[] = [];
  const held: (() => void)[] = [];
  const adapter: ProviderAdapter = {
    name: 'fake',
    async chat(chat, { signal }) {
      calls.push(chat.model);
      if (hanging.includes(chat.model)) {
        await new Promise<void>((resolve, reject) => {
          held.push(resolve);
          signal.addEventListener('abort', () => reject(signal.reason));
        });
      }
      return { choices: [{ index: 0, message: { role: 'assistant', content: chat.model }, finish_reason: 'stop' }] } satisfies ChatResult;
    },
  };
  return {
    adapter,
    calls,
    /** Answers the calls waiting, and every later call at once. */
    release: () => {
      hanging = [];
      held.splice(0).forEach((resolve) => resolve());
    },
  };
}

const routed = (id: string, provider: string, model: string, overrides: Partial<RequestEvent> = {}) =>
  request({ request_id: id, route: { provider, upstream_model: model }, ...overrides });

async function completionOf(handling: Promise<StageOutput[]> | StageOutput[]): Promise<CompletionEvent> {
  const [output] = await handling;
  return output.value as CompletionEvent;
}

describe('provider-worker limits per route', () => {
  it('a model with 300 hanging calls holds up no request to another model, on the bus', async () => {
    const fake = hangingProvider(['slow']);
    const worker = createProviderWorker(new Map([['fake', fake.adapter]]), { max_in_flight_per_route: 64, max_queued_per_route: 256 });
    const bus = new InMemoryBus();
    await runStage(bus, worker.stage, { logger: createLogger('provider-worker-test', 'error') });
    const completions = new Map<string, CompletionEvent>();
    const arrived: (() => void)[] = [];
    await bus.subscribe({
      topic: TOPICS.completions,
      group: 'test',
      handleBatch: async (messages) => {
        messages.forEach((message) => completions.set(message.key, message.value as CompletionEvent));
        arrived.splice(0).forEach((wake) => wake());
      },
    });
    const completionFor = async (id: string) => {
      while (!completions.has(id)) await new Promise<void>((wake) => arrived.push(wake));
      return completions.get(id)!;
    };
    // One batch each, as requests from separate callers arrive: the bus limits batches in flight, not messages.
    for (let i = 0; i < 300; i++) {
      await bus.publish(TOPICS.guarded, [{ key: `slow-${i}`, value: routed(`slow-${i}`, 'fake', 'slow') }]);
      await new Promise(setImmediate);
    }
    await bus.publish(TOPICS.guarded, [{ key: 'fast', value: routed('fast', 'fake', 'fast') }]);

    expect(await completionFor('fast')).toMatchObject({ status: 'ok', chat: { choices: [{ message: { content: 'fast' } }] } });
    expect(fake.calls.filter((model) => model === 'slow')).toHaveLength(64);
    expect(worker.load()).toEqual([{ provider: 'fake', upstream_model: 'slow', in_flight: 64, queued: 236 }]);
    fake.release();
    expect(await completionFor('slow-299')).toMatchObject({ status: 'ok' });
    expect(fake.calls).toHaveLength(301);
    await bus.close();
    expect(worker.load()).toEqual([]);
    expect(worker.inFlight()).toBe(0);
  });

  it('never sends a waiting request whose caller cancelled, and answers it cancelled', async () => {
    const fake = hangingProvider(['slow']);
    const worker = createProviderWorker(new Map([['fake', fake.adapter]]), { max_in_flight_per_route: 1, max_queued_per_route: 10 });
    const first = worker.stage.handle(routed('first', 'fake', 'slow'), context());
    const waiting = worker.stage.handle(routed('waiting', 'fake', 'slow'), context());
    expect(worker.load()).toEqual([{ provider: 'fake', upstream_model: 'slow', in_flight: 1, queued: 1 }]);

    await worker.cancellations.handle({ request_id: 'waiting', reason: 'client_cancelled' }, context());
    expect(await completionOf(waiting)).toMatchObject({ status: 'cancelled', error: { code: 'cancelled' } });
    fake.release();
    expect(await completionOf(first)).toMatchObject({ status: 'ok' });
    expect(fake.calls).toEqual(['slow']);
  });

  it('never sends a waiting request whose deadline passed, and answers it deadline_exceeded', async () => {
    const fake = hangingProvider(['slow']);
    const worker = createProviderWorker(new Map([['fake', fake.adapter]]), { max_in_flight_per_route: 1, max_queued_per_route: 10 });
    const first = worker.stage.handle(routed('first', 'fake', 'slow'), context());
    const late = worker.stage.handle(routed('late', 'fake', 'slow', { deadline_at: Date.now() + 30 }), context());
    const next = worker.stage.handle(routed('next', 'fake', 'slow'), context());

    expect(await completionOf(late)).toMatchObject({ status: 'error', error: { code: 'deadline_exceeded' } });
    expect(fake.calls).toEqual(['slow']);
    fake.release();
    expect(await completionOf(first)).toMatchObject({ status: 'ok' });
    expect(await completionOf(next)).toMatchObject({ status: 'ok' });
    expect(fake.calls).toEqual(['slow', 'slow']);
  });

  it('answers overloaded at once when the line is full, saying when to retry', async () => {
    const fake = hangingProvider(['slow']);
    const worker = createProviderWorker(new Map([['fake', fake.adapter]]), { max_in_flight_per_route: 1, max_queued_per_route: 1 });
    const first = worker.stage.handle(routed('first', 'fake', 'slow'), context());
    const second = worker.stage.handle(routed('second', 'fake', 'slow'), context());

    expect(await completionOf(worker.stage.handle(routed('third', 'fake', 'slow'), context()))).toMatchObject({
      status: 'error',
      error: { code: 'overloaded', retry_after_ms: OVERLOADED_RETRY_AFTER_MS, message: 'too many calls to fake model slow: 1 in flight and 1 waiting, the most provider_calls allows; retry later' },
    });
    expect(fake.calls).toEqual(['slow']);
    fake.release();
    expect((await Promise.all([first, second].map(completionOf))).map((completion) => completion.status)).toEqual(['ok', 'ok']);
    expect(fake.calls).toEqual(['slow', 'slow']);
  });

  it('limits each route apart: the same provider\'s other model, and another provider\'s model of the same name', async () => {
    const fake = hangingProvider(['slow', 'slow-too']);
    const other = hangingProvider(['slow']);
    const worker = createProviderWorker(new Map([['fake', fake.adapter], ['other', other.adapter]]), { max_in_flight_per_route: 1, max_queued_per_route: 0 });
    const held = [
      worker.stage.handle(routed('a', 'fake', 'slow'), context()),
      worker.stage.handle(routed('b', 'fake', 'slow-too'), context()),
      worker.stage.handle(routed('c', 'other', 'slow'), context()),
    ];
    expect(await completionOf(worker.stage.handle(routed('d', 'fake', 'slow'), context()))).toMatchObject({ error: { code: 'overloaded' } });
    expect(fake.calls).toEqual(['slow', 'slow-too']);
    expect(other.calls).toEqual(['slow']);
    expect(worker.inFlight()).toBe(3);
    fake.release();
    other.release();
    expect((await Promise.all(held.map(completionOf))).map((completion) => completion.status)).toEqual(['ok', 'ok', 'ok']);
    expect(worker.load()).toEqual([]);
  });

  it('never sends a request whose cancellation arrived before it', async () => {
    const fake = hangingProvider([]);
    const worker = createProviderWorker(new Map([['fake', fake.adapter]]));
    await worker.cancellations.handle({ request_id: 'gone', reason: 'deadline_exceeded' }, context());
    expect(await completionOf(worker.stage.handle(routed('gone', 'fake', 'fast'), context()))).toMatchObject({ status: 'error', error: { code: 'deadline_exceeded' } });
    expect(fake.calls).toEqual([]);
  });
});
