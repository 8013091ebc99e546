import { InMemoryBus } from '@switchyard/bus';
import { BREAKERS_TOPIC, GatewayError, TOPICS, summarizeRequest, type BreakerEvent, type ChatResult, type CompletionEvent, type ReplyEvent, type RequestEvent } from '@switchyard/contracts';
import { runStage, type StageContext, type StageOutput } from '@switchyard/pipeline';
import { createMockProvider, type ChatStreamEvent, type ProviderAdapter } from '@switchyard/providers';
import { countRequestUsage } from '@switchyard/pricing';
import { createLogger } from '@switchyard/telemetry';
import { DEFAULT_BREAKER, DEFAULT_RETRY, parseRoute, parseTarget, type RouteContext, type RouteNode } from '@switchyard/routing';
import { OUTCOMES_KEPT_AFTER_DEADLINE_MS, OVERLOADED_RETRY_AFTER_MS, createProviderWorker, type ProviderWorkerOptions } from './provider-worker';

const request = (overrides: Partial<RequestEvent> = {}): RequestEvent => ({
  request_id: 'r1',
  kind: 'chat',
  stream: false,
  reply_to: 'switchyard.replies.i1',
  received_at: Date.now(),
  deadline_at: Date.now() + 5000,
  api_key_id: 'anonymous',
  chat: { model: 'mock/mock-echo', messages: [{ role: 'user', content: 'echo this back' }] },
  ...overrides,
});

/** Models named <provider>/<upstream model> are served by that target alone. */
const oneTarget = (model: string): RouteNode | undefined => {
  const target = parseTarget(model);
  return target && { kind: 'target', path: 'models.0', target, key: model, retry: DEFAULT_RETRY };
};

function context(emitted: StageOutput[] = [], logged: string[] = []): StageContext {
  const log = (message: string, fields?: Record<string, unknown>) => void logged.push(`${message} ${JSON.stringify(fields)}`);
  const logger: StageContext['logger'] = { debug: log, info: log, warn: log, error: log, child: () => logger };
  return { emit: async (output) => void emitted.push(output), span: { isRecording: () => false } as never, logger };
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
    const worker = createProviderWorker(new Map([['mock', spy]]), { routes: oneTarget });
    const [output] = await worker.stage.handle(request(), context());
    expect(seen).toEqual(['mock-echo']);
    expect(output).toMatchObject({ topic: TOPICS.completions, value: { status: 'ok', chat: { choices: [{ message: { content: 'ok' } }] } } });
  });

  it("hands metering the request's summary, not its prompt, and counts the tokens of an answer whose provider reported none", async () => {
    const answer: ChatResult = { choices: [{ index: 0, message: { role: 'assistant', content: 'a reply of five words' }, finish_reason: 'stop' }] };
    const worker = createProviderWorker(new Map<string, ProviderAdapter>([['mock', { name: 'mock', chat: async () => answer }]]), { routes: oneTarget });
    const asked = request({ chat: { model: 'mock/mock-echo', messages: [{ role: 'user', content: 'a prompt nobody after the call reads' }], metadata: { team: 'a' } }, signature: 'c2lnbmVk', guardrail_placeholders: { '<EMAIL_1>': 'bob@example.com' } });
    const [output] = await worker.stage.handle(asked, context());
    const completion = output.value as CompletionEvent;
    expect(completion.request).toEqual({ ...summarizeRequest(asked), route: { provider: 'mock', upstream_model: 'mock-echo', path: 'models.0' } });
    expect(completion.request).toMatchObject({ model: 'mock/mock-echo', metadata: { team: 'a' } });
    expect(JSON.stringify(completion)).not.toMatch(/a prompt nobody|c2lnbmVk|bob@example/);
    expect(completion.counted_usage).toEqual(countRequestUsage(asked, answer.choices));
    expect(completion.counted_usage!.prompt_tokens).toBeGreaterThan(5);
    expect(completion.counted_usage!.completion_tokens).toBe(5);
  });

  it("counts no tokens of an answer whose provider reported its usage", async () => {
    const usage = { prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 };
    const worker = createProviderWorker(new Map<string, ProviderAdapter>([['mock', { name: 'mock', chat: async () => ({ choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }], usage }) }]]), { routes: oneTarget });
    const [output] = await worker.stage.handle(request(), context());
    expect(output.value).toMatchObject({ chat: { usage } });
    expect(output.value).not.toHaveProperty('counted_usage');
  });

  it('sends each streamed piece to the caller as it arrives, and the whole to metering', async () => {
    const worker = createProviderWorker(new Map([['mock', createMockProvider({ latencyMs: 0 })]]), { routes: oneTarget });
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
    const worker = createProviderWorker(new Map([['slow', endless]]), { routes: oneTarget });
    const handling = worker.stage.handle(request({ stream: true, chat: { model: 'slow/x', messages: [{ role: 'user', content: 'hi' }] } }), context());
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(worker.inFlight()).toBe(1);
    await worker.cancellations.handle({ request_id: 'r1', reason: 'client_cancelled' }, context());
    const [output] = await handling;
    expect(upstreamAborted).toBe(true);
    expect(output.value).toMatchObject({ status: 'cancelled', error: { code: 'cancelled' } });
    expect(worker.inFlight()).toBe(0);
  });

  it('gives up at the caller deadline', async () => {
    const worker = createProviderWorker(new Map([['mock', createMockProvider({ latencyMs: 5000 })]]), { routes: oneTarget });
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
    const worker = createProviderWorker(new Map([['mock', failing]]), { routes: oneTarget });
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
  request({ request_id: id, chat: { model: `${provider}/${model}`, messages: [{ role: 'user', content: 'echo this back' }] }, ...overrides });

async function completionOf(handling: Promise<StageOutput[]> | StageOutput[]): Promise<CompletionEvent> {
  const [output] = await handling;
  return output.value as CompletionEvent;
}

describe('provider-worker limits per route', () => {
  it('a model with 300 hanging calls holds up no request to another model, on the bus', async () => {
    const fake = hangingProvider(['slow']);
    const worker = createProviderWorker(new Map([['fake', fake.adapter]]), { routes: oneTarget, limits: { max_in_flight_per_route: 64, max_queued_per_route: 256 } });
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
    const worker = createProviderWorker(new Map([['fake', fake.adapter]]), { routes: oneTarget, limits: { max_in_flight_per_route: 1, max_queued_per_route: 10 } });
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
    const worker = createProviderWorker(new Map([['fake', fake.adapter]]), { routes: oneTarget, limits: { max_in_flight_per_route: 1, max_queued_per_route: 10 } });
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
    const worker = createProviderWorker(new Map([['fake', fake.adapter]]), { routes: oneTarget, limits: { max_in_flight_per_route: 1, max_queued_per_route: 1 } });
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
    const worker = createProviderWorker(new Map([['fake', fake.adapter], ['other', other.adapter]]), { routes: oneTarget, limits: { max_in_flight_per_route: 1, max_queued_per_route: 0 } });
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
    const worker = createProviderWorker(new Map([['fake', fake.adapter]]), { routes: oneTarget });
    await worker.cancellations.handle({ request_id: 'gone', reason: 'deadline_exceeded' }, context());
    expect(await completionOf(worker.stage.handle(routed('gone', 'fake', 'fast'), context()))).toMatchObject({ status: 'error', error: { code: 'deadline_exceeded' } });
    expect(fake.calls).toEqual([]);
  });
});

/** A provider that answers each call as its script says, in turn, and counts its calls. */
function scripted(name: string, script: ('ok' | 'hang' | 'chunk-then-reset' | GatewayError)[]) {
  let calls = 0;
  const next = () => script[Math.min(calls++, script.length - 1)];
  const answer = (chat: { model: string }): ChatResult => ({ choices: [{ index: 0, message: { role: 'assistant', content: `${name} ${chat.model}` }, finish_reason: 'stop' }] });
  const hang = (signal: AbortSignal) => new Promise<never>((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
  const adapter: ProviderAdapter = {
    name,
    async chat(chat, { signal }) {
      const step = next();
      if (step instanceof GatewayError) throw step;
      if (step === 'hang') await hang(signal);
      return answer(chat);
    },
    async *chatStream(chat, { signal }): AsyncIterable<ChatStreamEvent> {
      const step = next();
      if (step instanceof GatewayError) throw step;
      if (step === 'hang') await hang(signal);
      yield { index: 0, role: 'assistant', content: `${name} ${chat.model}` };
      if (step === 'chunk-then-reset') throw new GatewayError('provider_bad_response', `${name} closed the connection mid-answer (UND_ERR_SOCKET)`);
    },
  };
  return { adapter, calls: () => calls };
}

describe('provider-worker routes', () => {
  const anyProvider: RouteContext = { hasProvider: () => true, capabilities: ['chat'], targetCapabilities: () => undefined };
  const unavailable = () => new GatewayError('provider_unavailable', 'a returned 503: down', { providerStatus: 503 });
  const rateLimited = (retryAfterMs: number) => new GatewayError('provider_rate_limited', 'a returned 429: slow down', { providerStatus: 429, retryAfterMs });

  function routed(tree: unknown, adapters: ReturnType<typeof scripted>[], overrides: Partial<ProviderWorkerOptions> = {}) {
    const route = parseRoute(tree, 'models.0.route', anyProvider);
    return createProviderWorker(new Map(adapters.map((scriptedAdapter) => [scriptedAdapter.adapter.name, scriptedAdapter.adapter])), {
      routes: (model) => (model === 'routed' ? route : undefined),
      random: () => 0.5,
      ...overrides,
    });
  }
  const chat = (overrides: Partial<RequestEvent> = {}) => request({ chat: { model: 'routed', messages: [{ role: 'user', content: 'hi' }] }, ...overrides });

  it.each([
    [
      'falls back on a 5xx and says which target answered after how many tries',
      { fallback: [{ target: 'a/m1' }, { target: 'b/m2' }] },
      [[unavailable()], ['ok']],
      { status: 'ok', attempts: 2, request: { route: { provider: 'b', upstream_model: 'm2', path: 'models.0.route.fallback.1' } }, failed_attempts: [{ target: 'a/m1', code: 'provider_unavailable' }] },
      [1, 1],
    ],
    [
      'retries a 429 on the same target after its Retry-After when the deadline allows it',
      { fallback: [{ target: 'a/m1', retry: { attempts: 2 } }, { target: 'b/m2' }] },
      [[rateLimited(20), 'ok'], ['ok']],
      { status: 'ok', attempts: 2, request: { route: { provider: 'a', upstream_model: 'm1' } }, failed_attempts: [{ target: 'a/m1', code: 'provider_rate_limited' }] },
      [2, 0],
    ],
    [
      'moves on at once when a Retry-After does not fit the deadline',
      { fallback: [{ target: 'a/m1', retry: { attempts: 3 } }, { target: 'b/m2' }] },
      [[rateLimited(60_000)], ['ok']],
      { status: 'ok', attempts: 2, request: { route: { provider: 'b' } }, failed_attempts: [{ target: 'a/m1', code: 'provider_rate_limited' }] },
      [1, 1],
    ],
    [
      'answers a provider\'s refusal at once, without falling back',
      { fallback: [{ target: 'a/m1', retry: { attempts: 3 } }, { target: 'b/m2' }] },
      [[new GatewayError('provider_invalid_request', 'a returned 400: bad', { providerStatus: 400 })], ['ok']],
      { status: 'error', attempts: 1, error: { code: 'provider_invalid_request' }, request: { route: { provider: 'a' } } },
      [1, 0],
    ],
    [
      'falls back on a refusal the fallback lists under on',
      { fallback: [{ target: 'a/m1' }, { target: 'b/m2' }], on: ['provider_auth_failed'] },
      [[new GatewayError('provider_auth_failed', 'a returned 401', { providerStatus: 401 })], ['ok']],
      { status: 'ok', attempts: 2, request: { route: { provider: 'b' } }, failed_attempts: [{ target: 'a/m1', code: 'provider_auth_failed' }] },
      [1, 1],
    ],
    [
      'answers the last failure when every target failed, listing the tries before it',
      { fallback: [{ target: 'a/m1', retry: { attempts: 2, backoff_ms: 1 } }, { target: 'b/m2' }] },
      [[unavailable()], [unavailable()]],
      { status: 'error', attempts: 3, error: { code: 'provider_unavailable' }, request: { route: { provider: 'b' } }, failed_attempts: [{ code: 'provider_unavailable' }, { code: 'provider_unavailable' }] },
      [2, 1],
    ],
    [
      'ends a try at its own timeout and tries the next target within the caller\'s deadline',
      { fallback: [{ target: 'a/m1', timeout_ms: 30 }, { target: 'b/m2' }] },
      [['hang'], ['ok']],
      { status: 'ok', attempts: 2, request: { route: { provider: 'b' } }, failed_attempts: [{ target: 'a/m1', code: 'provider_timeout' }] },
      [1, 1],
    ],
  ])('%s', async (_name, tree, scripts, expected, calls) => {
    const adapters = scripts.map((script, index) => scripted(['a', 'b'][index], script as never));
    const completion = await completionOf(routed(tree, adapters).stage.handle(chat(), context()));
    expect(completion).toMatchObject(expected);
    expect(completion.failed_attempts?.length).toBe((expected as { failed_attempts?: unknown[] }).failed_attempts?.length);
    expect(adapters.map((adapter) => adapter.calls())).toEqual(calls);
  });

  it('answers a caller who cancels while a retry waits cancelled, without the retry', async () => {
    const a = scripted('a', [rateLimited(2000), 'ok']);
    const worker = routed({ target: 'a/m1', retry: { attempts: 2 } }, [a]);
    const waiting = worker.stage.handle(chat(), context());
    await new Promise((resolve) => setTimeout(resolve, 20));
    await worker.cancellations.handle({ request_id: 'r1', reason: 'client_cancelled' }, context());
    expect(await completionOf(waiting)).toMatchObject({ status: 'cancelled', attempts: 1, error: { code: 'cancelled' } });
    expect(a.calls()).toBe(1);
  });

  it('never retries nor falls back once a streamed chunk has reached the caller', async () => {
    const adapters = [scripted('a', ['chunk-then-reset']), scripted('b', ['ok'])];
    const emitted: StageOutput[] = [];
    const worker = routed({ fallback: [{ target: 'a/m1', retry: { attempts: 3 } }, { target: 'b/m2' }] }, adapters);
    const completion = await completionOf(worker.stage.handle(chat({ stream: true }), context(emitted)));
    expect(completion).toMatchObject({ status: 'error', attempts: 1, error: { code: 'provider_bad_response' } });
    expect(emitted.map((output) => (output.value as ReplyEvent & { chunk: { delta: unknown } }).chunk.delta)).toEqual([{ role: 'assistant', content: 'a m1' }]);
    expect(adapters.map((adapter) => adapter.calls())).toEqual([1, 0]);
  });

  it('opens a target\'s breaker after consecutive failures, sends it no calls while open, probes it after the cooldown and closes on success', async () => {
    let clock = 1_000_000;
    const a = scripted('a', [unavailable(), unavailable(), 'ok']);
    const b = scripted('b', ['ok']);
    const worker = routed({ fallback: [{ target: 'a/m1' }, { target: 'b/m2' }] }, [a, b], {
      now: () => clock,
      breaker: { ...DEFAULT_BREAKER, consecutive_failures: 2, min_calls: 0, cooldown_ms: 1000, max_cooldown_ms: 10_000 },
    });
    const logged: string[] = [];
    let served = 0;
    const serve = async () => (await completionOf(worker.stage.handle(chat({ request_id: `serve-${++served}`, deadline_at: clock + 5000 }), context([], logged)))).request.route!.provider;
    expect([await serve(), await serve()]).toEqual(['b', 'b']);
    expect(worker.breakers()).toEqual([{ target: 'a/m1', health: 'open' }]);
    expect(logged).toEqual([
      'circuit breaker opened: the target gets no calls but a probe until it answers {"target":"a/m1","failures":2,"open_for_ms":1000,"error_code":"provider_unavailable"}',
    ]);
    expect([await serve(), await serve()]).toEqual(['b', 'b']);
    expect(a.calls()).toBe(2);
    clock += 1000;
    expect(worker.breakers()).toEqual([{ target: 'a/m1', health: 'probe' }]);
    expect(await serve()).toBe('a');
    expect(a.calls()).toBe(3);
    expect(worker.breakers()).toEqual([]);
    expect(logged.slice(1)).toEqual(['circuit breaker closed: the target answered {"target":"a/m1"}']);
  });

  it('does not retry a target whose breaker its failure opened while another target is closed', async () => {
    const a = scripted('a', [unavailable(), 'ok']);
    const b = scripted('b', ['ok']);
    const worker = routed({ fallback: [{ target: 'a/m1', retry: { attempts: 3, backoff_ms: 1 } }, { target: 'b/m2' }] }, [a, b], {
      breaker: { ...DEFAULT_BREAKER, consecutive_failures: 1, min_calls: 0, cooldown_ms: 60_000, max_cooldown_ms: 60_000 },
    });
    expect(await completionOf(worker.stage.handle(chat(), context()))).toMatchObject({ status: 'ok', attempts: 2, request: { route: { provider: 'b' } } });
    expect([a.calls(), b.calls()]).toEqual([1, 1]);
  });

  it('sends a target due a probe one call only, while the probe is out', async () => {
    let clock = 1_000_000;
    const a = scripted('a', [unavailable(), 'hang']);
    const b = scripted('b', ['ok']);
    const worker = routed({ fallback: [{ target: 'a/m1' }, { target: 'b/m2' }] }, [a, b], {
      now: () => clock,
      breaker: { ...DEFAULT_BREAKER, consecutive_failures: 1, min_calls: 0, cooldown_ms: 1000, max_cooldown_ms: 10_000 },
    });
    await worker.stage.handle(chat({ request_id: 'opens', deadline_at: clock + 5000 }), context());
    clock += 1000;
    const probe = worker.stage.handle(chat({ request_id: 'probe', deadline_at: clock + 5000 }), context());
    const during = await completionOf(worker.stage.handle(chat({ request_id: 'during', deadline_at: clock + 5000 }), context()));
    expect(during).toMatchObject({ status: 'ok', attempts: 1, request: { route: { provider: 'b' } } });
    expect(a.calls()).toBe(2);
    await worker.cancellations.handle({ request_id: 'probe', reason: 'client_cancelled' }, context());
    expect(await completionOf(probe)).toMatchObject({ status: 'cancelled' });
    expect(worker.breakers()).toEqual([{ target: 'a/m1', health: 'probe' }]);
  });

  it('still calls the targets of a node whose breakers are all open, rather than none', async () => {
    const a = scripted('a', [unavailable()]);
    const worker = routed({ target: 'a/m1' }, [a], { breaker: { ...DEFAULT_BREAKER, consecutive_failures: 1, min_calls: 0, cooldown_ms: 60_000, max_cooldown_ms: 60_000 } });
    await worker.stage.handle(chat({ request_id: 'opens' }), context());
    expect(worker.breakers()).toEqual([{ target: 'a/m1', health: 'open' }]);
    expect(await completionOf(worker.stage.handle(chat({ request_id: 'while-open' }), context()))).toMatchObject({ status: 'error', error: { code: 'provider_unavailable' } });
    expect(a.calls()).toBe(2);
  });

  describe('a request delivered again (a rebalance, or an instance that died before it committed)', () => {
    function counting(): { adapter: ProviderAdapter; calls: () => number; release: () => void } {
      let calls = 0;
      let release = () => undefined as void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const adapter: ProviderAdapter = {
        name: 'mock',
        chat: async () => {
          calls++;
          await released;
          return { choices: [{ index: 0, message: { role: 'assistant', content: 'once' }, finish_reason: 'stop' }] } satisfies ChatResult;
        },
      };
      return { adapter, calls: () => calls, release };
    }

    it('is not called again while its first delivery is in flight, and the copy ends with the first', async () => {
      const upstream = counting();
      const worker = createProviderWorker(new Map([['mock', upstream.adapter]]), { routes: oneTarget });
      const logged: string[] = [];
      const first = worker.stage.handle(request(), context());
      const copy = worker.stage.handle(request(), context([], logged));
      await new Promise((resolve) => setTimeout(resolve, 10));
      upstream.release();
      const [outputs, copyOutputs] = await Promise.all([first, copy]);
      expect(upstream.calls()).toBe(1);
      expect(outputs.map((output) => (output.value as CompletionEvent).status)).toEqual(['ok']);
      expect(copyOutputs).toEqual([]);
      expect(logged).toEqual(['a request delivered again is not called again: it was being handled {"request_id":"r1"}']);
    });

    it('is not called again once its outcome was produced here', async () => {
      const upstream = counting();
      upstream.release();
      const worker = createProviderWorker(new Map([['mock', upstream.adapter]]), { routes: oneTarget });
      expect(await worker.stage.handle(request(), context())).toHaveLength(1);
      expect(await worker.stage.handle(request(), context())).toEqual([]);
      expect(upstream.calls()).toBe(1);
    });

    it('is not called when another instance produced its outcome, and is called again once that is forgotten', async () => {
      let clock = 1_000_000;
      const upstream = counting();
      upstream.release();
      const worker = createProviderWorker(new Map([['mock', upstream.adapter]]), { routes: oneTarget, now: () => clock });
      const answered = request({ deadline_at: clock + 5000 });
      await worker.outcomes.handle({ request: summarizeRequest(answered), status: 'ok', provider_latency_ms: 3, stage: 'provider-worker' }, context());
      expect(await worker.stage.handle(answered, context())).toEqual([]);
      expect(upstream.calls()).toBe(0);
      clock += 5000 + OUTCOMES_KEPT_AFTER_DEADLINE_MS;
      const late = await worker.stage.handle({ ...answered, deadline_at: clock + 5000 }, context());
      expect(late.map((output) => (output.value as CompletionEvent).status)).toEqual(['ok']);
      expect(upstream.calls()).toBe(1);
    });
  });

  describe('a batch request (a kill -9 of the provider-worker mid-batch asked the provider again for requests it had answered)', () => {
    it('announces its provider call on the provider-calls topic before it calls, once, and an interactive request\'s not at all', async () => {
      const order: string[] = [];
      const adapter: ProviderAdapter = {
        name: 'mock',
        chat: async () => {
          order.push('provider called');
          return { choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] } satisfies ChatResult;
        },
      };
      const worker = createProviderWorker(new Map([['mock', adapter]]), { routes: oneTarget });
      const emitted: StageOutput[] = [];
      const recording: StageContext = {
        ...context(),
        emit: async (output) => {
          order.push(`emitted to ${output.topic}`);
          emitted.push(output);
        },
      };
      const line = request({ request_id: 'batch_1-7', batch_id: 'batch_1' });
      expect(await completionOf(worker.stage.handle(line, recording))).toMatchObject({ status: 'ok' });
      expect(order).toEqual([`emitted to ${TOPICS.providerCalls}`, 'provider called']);
      expect(emitted).toEqual([{ topic: TOPICS.providerCalls, key: 'batch_1-7', value: { request_id: 'batch_1-7', deadline_at: line.deadline_at } }]);
      order.length = 0;
      expect(await completionOf(worker.stage.handle(request({ request_id: 'interactive' }), recording))).toMatchObject({ status: 'ok' });
      expect(order).toEqual(['provider called']);
    });

    it('delivered again with no outcome after a worker announced its call is not called again: it fails with provider_unavailable', async () => {
      let calls = 0;
      const adapter: ProviderAdapter = {
        name: 'mock',
        chat: async () => {
          calls++;
          return { choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] } satisfies ChatResult;
        },
      };
      const worker = createProviderWorker(new Map([['mock', adapter]]), { routes: oneTarget });
      const line = request({ request_id: 'batch_1-8', batch_id: 'batch_1' });
      await worker.providerCalls.handle({ request_id: 'batch_1-8', deadline_at: line.deadline_at }, context());
      const logged: string[] = [];
      expect(await completionOf(worker.stage.handle(line, context([], logged)))).toMatchObject({
        status: 'error',
        error: { code: 'provider_unavailable', message: expect.stringContaining('it is not sent again, as the provider may have answered it') },
      });
      expect(calls).toBe(0);
      expect(logged).toEqual(['a batch request whose provider call was started by a worker that stopped is not called again {"request_id":"batch_1-8"}']);
      // One whose outcome is known is not answered again either: its answer went out.
      await worker.outcomes.handle({ request: summarizeRequest(line), status: 'ok', provider_latency_ms: 3, stage: 'provider-worker' }, context());
      expect(await worker.stage.handle(line, context())).toEqual([]);
      expect(calls).toBe(0);
    });
  });

  const breakerEvents = (emitted: StageOutput[]) => emitted.filter((output) => output.topic === BREAKERS_TOPIC).map((output) => output.value as BreakerEvent);

  it('cools the fallback targets that failed too, not only the first', async () => {
    const a = scripted('a', [unavailable()]);
    const b = scripted('b', [unavailable()]);
    const c = scripted('c', ['ok']);
    const worker = routed({ fallback: [{ target: 'a/m1' }, { target: 'b/m2' }, { target: 'c/m3' }] }, [a, b, c], {
      breaker: { ...DEFAULT_BREAKER, consecutive_failures: 1, min_calls: 0, cooldown_ms: 60_000, max_ejection_percent: 100 },
    });
    expect(await completionOf(worker.stage.handle(chat(), context()))).toMatchObject({ status: 'ok', attempts: 3 });
    expect(worker.breakers()).toEqual([{ target: 'a/m1', health: 'open' }, { target: 'b/m2', health: 'open' }]);
    expect(await completionOf(worker.stage.handle(chat({ request_id: 'r2' }), context()))).toMatchObject({ status: 'ok', attempts: 1, request: { route: { provider: 'c' } } });
    expect([a.calls(), b.calls(), c.calls()]).toEqual([1, 1, 2]);
  });

  it('tells every instance of each transition, and keeps off a target another instance found failing', async () => {
    let clock = 1_000_000;
    const a = scripted('a', [unavailable(), 'ok']);
    const b = scripted('b', ['ok']);
    const breaker = { ...DEFAULT_BREAKER, consecutive_failures: 1, min_calls: 0, cooldown_ms: 1000 };
    const tree = { fallback: [{ target: 'a/m1' }, { target: 'b/m2' }] };
    const first = routed(tree, [a, b], { now: () => clock, breaker, instance: 'worker-1' });
    const second = routed(tree, [a, b], { now: () => clock, breaker, instance: 'worker-2' });
    const emitted: StageOutput[] = [];
    await first.stage.handle(chat({ deadline_at: clock + 5000 }), context(emitted));
    const [opened] = breakerEvents(emitted);
    expect(opened).toEqual({ target: 'a/m1', state: 'open', since: clock, open_until: clock + 1000, openings: 1, failures: 1, worker: 'worker-1' });

    await second.breakerTransitions.handle(opened, context());
    expect(second.breakers()).toEqual([{ target: 'a/m1', health: 'open' }]);
    expect(await completionOf(second.stage.handle(chat({ request_id: 'r2', deadline_at: clock + 5000 }), context()))).toMatchObject({ request: { route: { provider: 'b' } } });
    expect(a.calls()).toBe(1);

    // The second instance probes after the cooldown; the probe's answer closes the breaker in the first.
    clock += 1000;
    const probed: StageOutput[] = [];
    expect(await completionOf(second.stage.handle(chat({ request_id: 'r3', deadline_at: clock + 5000 }), context(probed)))).toMatchObject({ request: { route: { provider: 'a' } } });
    const [probe, closed] = breakerEvents(probed);
    expect(probe).toEqual({ target: 'a/m1', state: 'half_open', since: clock, open_until: clock + 5000, openings: 1, failures: 1, worker: 'worker-2' });
    expect(closed).toEqual({ target: 'a/m1', state: 'closed', since: clock, open_until: 0, openings: 0, failures: 0, worker: 'worker-2' });
    await first.breakerTransitions.handle(probe, context());
    expect(first.breakers()).toEqual([{ target: 'a/m1', health: 'open' }]);
    await first.breakerTransitions.handle(closed, context());
    expect(first.breakers()).toEqual([]);
    // Its own transitions read back, and an opening from before it closed, change nothing.
    await second.breakerTransitions.handle({ ...opened, worker: 'worker-2', since: clock + 1, open_until: clock + 60_000 }, context());
    await second.breakerTransitions.handle(opened, context());
    expect(second.breakers()).toEqual([]);
  });

  it('uses the settings the configuration gives a target apart', async () => {
    const a = scripted('a', [unavailable()]);
    const b = scripted('b', [unavailable()]);
    const worker = routed({ loadbalance: { targets: [{ target: 'a/m1' }, { target: 'b/m2' }] } }, [a, b], {
      breaker: { ...DEFAULT_BREAKER, consecutive_failures: 2, min_calls: 0, targets: { 'b/m2': { ...DEFAULT_BREAKER, consecutive_failures: 1, min_calls: 0 } } },
    });
    await worker.stage.handle(chat(), context());
    expect(worker.breakers()).toEqual([{ target: 'b/m2', health: 'open' }]);
  });

  it('judges each outcome by the breaker settings of the configuration version now current', async () => {
    const a = scripted('a', [unavailable(), unavailable()]);
    let current = { ...DEFAULT_BREAKER, consecutive_failures: 3, min_calls: 0 };
    const worker = routed({ target: 'a/m1' }, [a], { breaker: () => current });
    await worker.stage.handle(chat({ request_id: 'before' }), context());
    expect(worker.breakers()).toEqual([]);
    current = { ...current, consecutive_failures: 2 };
    await worker.stage.handle(chat({ request_id: 'after' }), context());
    expect(worker.breakers()).toEqual([{ target: 'a/m1', health: 'open' }]);
  });
});
