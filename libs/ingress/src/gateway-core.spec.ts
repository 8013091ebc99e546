import { InMemoryBus } from '@switchyard/bus';
import { buildModelCatalog, parseGatewayConfig } from '@switchyard/config';
import { TOPICS, type CallerOutcomeEvent, type CancelEvent, type GatewayError, type ReplyEvent, type RequestEvent } from '@switchyard/contracts';
import { createLogger } from '@switchyard/telemetry';
import { createHash, createHmac } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { apiKeyIdsUnder, Cancellation, GatewayCore, gatewayKeysFrom, type CallOptions, type GatewayCoreOptions } from './gateway-core';
import { settledCallsJournal } from './settled-calls';

const core = (apiKeys?: string[]) => new GatewayCore({ bus: new InMemoryBus(), catalog: new Map(), logger: createLogger('core-test', 'error'), defaultTimeoutMs: 1000, apiKeys });

describe('gateway keys', () => {
  it('reads comma-separated keys from every variable auth names, and none without auth', () => {
    expect(gatewayKeysFrom(undefined, { KEYS: 'a' })).toEqual([]);
    expect(gatewayKeysFrom({ api_keys_env: 'KEYS' }, { KEYS: ' sk-one, sk-two ,' })).toEqual(['sk-one', 'sk-two']);
    expect(gatewayKeysFrom({ api_keys_env: ['KEYS', 'MORE'] }, { KEYS: 'sk-one', MORE: 'sk-three' })).toEqual(['sk-one', 'sk-three']);
  });

  it('refuses to start open when auth names a variable that holds no keys', () => {
    expect(() => gatewayKeysFrom({ api_keys_env: 'SWITCHYARD_API_KEYS' }, {})).toThrow(
      'auth.api_keys_env names SWITCHYARD_API_KEYS, but SWITCHYARD_API_KEYS holds no keys; set it to comma-separated gateway keys',
    );
    expect(() => gatewayKeysFrom({ api_keys_env: 'KEYS' }, { KEYS: ' , ' })).toThrow(/holds no keys/);
  });

  it('lets everyone in when no keys are configured', () => {
    expect(() => core().authenticate(undefined)).not.toThrow();
    expect(() => core([]).listModels()).not.toThrow();
  });

  it('accepts any configured key and refuses a missing, wrong or near-miss one as unauthenticated', () => {
    const guarded = core(['sk-alpha', 'sk-beta']);
    expect(() => guarded.authenticate('sk-alpha')).not.toThrow();
    expect(() => guarded.authenticate('sk-beta')).not.toThrow();
    for (const credential of [undefined, '', 'sk-alph', 'sk-alphaa', 'SK-ALPHA']) {
      expect(() => guarded.authenticate(credential)).toThrow(expect.objectContaining({ code: 'unauthenticated' }));
    }
    expect(() => guarded.listModels({ credential: 'nope' })).toThrow('the gateway key is not valid');
    expect(guarded.servedModels()).toEqual([]);
  });

  it('checks the key before anything else on every call', async () => {
    const guarded = core(['sk-alpha']);
    await expect(guarded.chat({ model: '', messages: [] }, { credential: 'wrong' })).rejects.toMatchObject({ code: 'unauthenticated' });
    await expect(guarded.chatStream({ model: '', messages: [] }, () => undefined)).rejects.toMatchObject({ code: 'unauthenticated' });
    await expect(guarded.embed({ model: '', input: [] }, { credential: 'wrong' })).rejects.toMatchObject({ code: 'unauthenticated' });
    await expect(guarded.chat({ model: '', messages: [] }, { credential: 'sk-alpha' })).rejects.toMatchObject({ code: 'invalid_request' });
  });
});

describe('served models', () => {
  it('a provider block without api_key_env whose default key variable is unset is left out of ListModels and GET /v1/models', () => {
    const config = parseGatewayConfig(`
models: [{ name: gpt, provider: openai }, { name: claude, provider: aws, upstream_model: anthropic.claude-3-haiku-20240307-v1:0 }, { name: echo, provider: mock }]
providers: { openai: {}, aws: { kind: bedrock, api_key_env: TEAM_AWS_ID, secret_key_env: TEAM_AWS_SECRET }, mock: {} }`);
    const served = new GatewayCore({ bus: new InMemoryBus(), catalog: buildModelCatalog(config, { TEAM_AWS_ID: 'AKIA' }), logger: createLogger('core-test', 'error'), defaultTimeoutMs: 1000 });
    expect(served.listModels().map((model) => model.id)).toEqual(['echo']);
    expect(() => served.getModel('gpt')).toThrow(expect.objectContaining({ code: 'model_not_found' }));
    expect(() => served.getModel('claude')).toThrow(expect.objectContaining({ code: 'model_not_found' }));
  });
});

describe('apiKeyIdsUnder', () => {
  const SECRET = 'a-server-secret-of-thirty-two-characters';
  const keyedId = (key: string, secret = SECRET) => 'key_' + createHmac('sha256', secret).update(key).digest('hex').slice(0, 16);

  it('names a key by the start of its HMAC-SHA-256 under the secret, the same each time, and a call without one anonymous', () => {
    const apiKeyIdOf = apiKeyIdsUnder(SECRET);
    expect(apiKeyIdOf('sk-alpha')).toBe(keyedId('sk-alpha'));
    expect(apiKeyIdOf('sk-alpha')).toBe(keyedId('sk-alpha'));
    expect(apiKeyIdsUnder(SECRET)('sk-alpha')).toBe(keyedId('sk-alpha'));
    expect(apiKeyIdOf('sk-beta')).not.toBe(apiKeyIdOf('sk-alpha'));
    expect(apiKeyIdOf(undefined)).toBe('anonymous');
    expect(apiKeyIdOf('')).toBe('anonymous');
  });

  it('gives a key another id under another secret', () => {
    expect(apiKeyIdsUnder('another-server-secret-of-32-characters')('sk-alpha')).toBe(keyedId('sk-alpha', 'another-server-secret-of-32-characters'));
    expect(apiKeyIdsUnder('another-server-secret-of-32-characters')('sk-alpha')).not.toBe(apiKeyIdsUnder(SECRET)('sk-alpha'));
  });

  it('a row cannot confirm a guessed key without the secret: the id is no longer the unsalted SHA-256 of the key', () => {
    const unsalted = 'key_' + createHash('sha256').update('sk-alpha').digest('hex').slice(0, 16);
    expect(apiKeyIdsUnder(SECRET)('sk-alpha')).not.toBe(unsalted);
  });

  it('still names every key right after more keys than it keeps ids of', () => {
    const apiKeyIdOf = apiKeyIdsUnder(SECRET);
    const keys = Array.from({ length: 3000 }, (_, i) => `sk-${i}`);
    for (const key of keys) apiKeyIdOf(key);
    for (const key of [keys[0], keys[1500], keys[2999]]) expect(apiKeyIdOf(key)).toBe(keyedId(key));
  });
});

describe('the topic a request enters by', () => {
  it('puts a batch\'s request on the batch requests topic and an interactive one on the requests topic, keyed alike by the owner of its limits', async () => {
    const bus = new InMemoryBus();
    const seen: string[] = [];
    const record = async (messages: { topic: string; key: string; value: unknown }[]) => void seen.push(...messages.map((m) => `${m.topic} ${m.key} ${(m.value as RequestEvent).request_id}`));
    await bus.subscribe({ topic: TOPICS.requests, group: 'router', handleBatch: record });
    await bus.subscribe({ topic: TOPICS.batchRequests, group: 'router', handleBatch: record });
    const gateway = new GatewayCore({ bus, catalog: new Map(), logger: createLogger('core-test', 'error'), defaultTimeoutMs: 50 });
    await gateway.start();
    const request = { model: 'm', messages: [{ role: 'user' as const, content: 'x' }] };
    await gateway.chat(request).catch(() => undefined);
    await gateway.chat(request, { batch: { batch_id: 'batch_1', request_id: 'batch_1-1', caller: { api_key_id: 'key_owner' } } }).catch(() => undefined);
    expect(seen).toEqual([expect.stringMatching(new RegExp(`^${TOPICS.requests} ([0-9a-f-]{36}) \\1$`)), `${TOPICS.batchRequests} batch_1-1 batch_1-1`]);
    await gateway.stop();
  });
});

describe('a caller that goes away', () => {
  // A pipeline that takes requests and answers only when told to, and records the cancellations and
  // caller outcomes it is sent.
  async function unanswered(defaultTimeoutMs = 10_000, options: Partial<GatewayCoreOptions> = {}) {
    const bus = new InMemoryBus();
    const requests: RequestEvent[] = [];
    const cancellations: CancelEvent[] = [];
    const outcomes: CallerOutcomeEvent[] = [];
    await bus.subscribe({ topic: TOPICS.requests, group: 'silent', handleBatch: async (messages) => void requests.push(...messages.map((m) => m.value as RequestEvent)) });
    await bus.subscribe({ topic: TOPICS.cancellations, group: 'worker', handleBatch: async (messages) => void cancellations.push(...messages.map((m) => m.value as CancelEvent)) });
    await bus.subscribe({ topic: TOPICS.usage, group: 'analytics', handleBatch: async (messages) => void outcomes.push(...messages.map((m) => m.value as CallerOutcomeEvent)) });
    const gateway = new GatewayCore({ bus, catalog: new Map(), logger: createLogger('core-test', 'error'), defaultTimeoutMs, ...options });
    await gateway.start();
    const answer = (request: RequestEvent) => {
      const response = { id: request.request_id, model: 'm', provider: 'fake', choices: [{ index: 0, message: { role: 'assistant' as const, content: 'late' }, finish_reason: 'stop' }], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 }, cost_usd: 0.01 };
      const reply: ReplyEvent = { request_id: request.request_id, type: 'chat', response };
      return bus.publish(request.reply_to, [{ key: request.request_id, value: reply }]);
    };
    return { bus, gateway, requests, cancellations, outcomes, answer };
  }
  const request = { model: 'm', messages: [{ role: 'user' as const, content: 'x' }] };
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  const outcomeOf = (sent: RequestEvent, status: CallerOutcomeEvent['status'], error_code: CallerOutcomeEvent['error_code']): CallerOutcomeEvent => ({
    type: 'caller_outcome',
    request_id: sent.request_id,
    ts: new Date(sent.received_at).toISOString(),
    api_key_id: 'anonymous',
    kind: 'chat',
    stream: false,
    model: 'm',
    status,
    error_code,
  });

  it('takes a new configuration version whole: its keys, models and timeout, and its version on each request taken in after', async () => {
    const { gateway, requests } = await unanswered();
    const entry = { id: 'm2', provider: 'mock', upstream_model: 'm2', capabilities: { chat: true, streaming: true, tools: false, vision: false, embeddings: false }, route_targets: ['mock/m2'], enabled: true };
    void gateway.chat(request).catch(() => undefined);
    gateway.reconfigure({ catalog: new Map([['m2', entry]]), defaultTimeoutMs: 1234, apiKeys: ['sk-new'], configVersion: '3f1c0e6a9b2d4c71' });
    expect(() => gateway.authenticate(undefined)).toThrow('this gateway requires a key');
    expect(gateway.listModels({ credential: 'sk-new' }).map((model) => model.id)).toEqual(['m2']);
    void gateway.chat(request, { credential: 'sk-new' }).catch(() => undefined);
    await settle();
    expect(requests.map((sent) => [sent.config_version, sent.deadline_at - sent.received_at])).toEqual([
      [undefined, 10_000],
      ['3f1c0e6a9b2d4c71', 1234],
    ]);
    await gateway.stop();
  });

  // A front door tells deadline_exceeded when it closed the call at its deadline (gRPC does).
  it.each([
    ['cancelled', 'client_cancelled', 'cancelled'],
    ['deadline_exceeded', 'deadline_exceeded', 'error'],
  ] as const)('ends the call as %s when its front door says so, and tells the pipeline and analytics, once', async (code, reason, status) => {
    const { gateway, requests, cancellations, outcomes } = await unanswered();
    const cancellation = new Cancellation();
    const call = gateway.chat(request, { cancellation });
    await settle();
    expect(requests).toHaveLength(1);
    cancellation.cancel(code);
    cancellation.cancel();
    await expect(call).rejects.toMatchObject({ code });
    await settle();
    expect(cancellations).toEqual([{ request_id: requests[0].request_id, reason }]);
    expect(outcomes).toEqual([outcomeOf(requests[0], status, code)]);
  });

  describe('of an Analyze call', () => {
    const analyze = { text: 'x', tasks: [{ type: 'summarize' as const, model: 'm' }, { type: 'summarize' as const, model: 'm' }] };

    it('sends every task at once under the call\'s id, and cancels each one still running when the caller goes away, telling analytics of each', async () => {
      const { gateway, requests, cancellations, outcomes } = await unanswered();
      const cancellation = new Cancellation();
      const call = gateway.analyze(analyze, { cancellation });
      await settle();
      expect(requests).toHaveLength(2);
      expect(requests[0].analyze_id).toEqual(expect.any(String));
      expect(requests[1].analyze_id).toBe(requests[0].analyze_id);
      cancellation.cancel();
      const response = await call;
      expect(response.id).toBe(requests[0].analyze_id);
      expect(response.results.map((result) => [result.request_id, result.status, result.error?.code])).toEqual(requests.map((sent) => [sent.request_id, 'error', 'cancelled']));
      await settle();
      expect(cancellations).toEqual(requests.map((sent) => ({ request_id: sent.request_id, reason: 'client_cancelled' })));
      expect(outcomes).toEqual(requests.map((sent) => outcomeOf(sent, 'cancelled', 'cancelled')));
    });

    it('answers with the tasks that came back when the deadline passes for the others', async () => {
      const { gateway, requests, answer } = await unanswered(2000);
      const call = gateway.analyze(analyze);
      await settle();
      await answer(requests[0]);
      const response = await call;
      expect(response.results.map((result) => [result.status, result.output ?? result.error?.code])).toEqual([
        ['ok', 'late'],
        ['error', 'deadline_exceeded'],
      ]);
      expect(response.cost_usd).toBe(0.01);
    });

    it('counts a streamed result as delivered: the caller going away later marks only the tasks still running', async () => {
      const { gateway, requests, outcomes, answer } = await unanswered();
      const cancellation = new Cancellation();
      const streamed: string[] = [];
      const call = gateway.analyze(analyze, { cancellation }, (result) => void streamed.push(result.request_id));
      await settle();
      await answer(requests[0]);
      await settle();
      expect(streamed).toEqual([requests[0].request_id]);
      cancellation.cancel();
      await call;
      await settle();
      expect(outcomes).toEqual([outcomeOf(requests[1], 'cancelled', 'cancelled')]);
    });
  });

  it('fails a call whose caller had already gone, and reports no outcome for a request the pipeline never saw', async () => {
    const { gateway, requests, cancellations, outcomes } = await unanswered();
    const cancellation = new Cancellation();
    cancellation.cancel();
    await expect(gateway.chat(request, { cancellation })).rejects.toMatchObject({ code: 'cancelled' });
    await settle();
    expect(cancellations).toHaveLength(1);
    expect(requests).toEqual([]);
    expect(outcomes).toEqual([]);
  });

  // Regression: callers got 504 and their rows said ok, the pipeline's answer having come after the deadline.
  it('answers deadline_exceeded when the deadline passes, and tells analytics so, whatever the late answer says', async () => {
    const { gateway, requests, cancellations, outcomes, answer } = await unanswered(50);
    await expect(gateway.chat(request)).rejects.toMatchObject({ code: 'deadline_exceeded' });
    await answer(requests[0]);
    await settle();
    expect(cancellations).toEqual([{ request_id: requests[0].request_id, reason: 'deadline_exceeded' }]);
    expect(outcomes).toEqual([outcomeOf(requests[0], 'error', 'deadline_exceeded')]);
  });

  // Regression: a provider-worker killed mid-stream; the request, redelivered, streamed again from the start
  // on another, and the caller got the first words twice ("upstreamupstream says: ...").
  it('fails a stream that a second provider call starts over, after part of the first reached the caller, and tells analytics so', async () => {
    const { bus, gateway, requests, cancellations, outcomes } = await unanswered();
    const received: string[] = [];
    const call = gateway.chatStream(request, (chunk) => void received.push(chunk.delta.content ?? ''));
    await settle();
    const sent = requests[0];
    const chunk = (content: string, stream_id: string): ReplyEvent => ({ request_id: sent.request_id, type: 'chunk', stream_id, chunk: { id: sent.request_id, model: 'm', provider: 'fake', index: 0, delta: { content } } });
    await bus.publish(sent.reply_to, [{ key: sent.request_id, value: chunk('upstream', 'first') }]);
    await bus.publish(sent.reply_to, [{ key: sent.request_id, value: chunk('upstream', 'second') }]);
    await expect(call).rejects.toMatchObject({ code: 'provider_unavailable' });
    await settle();
    expect(received).toEqual(['upstream']);
    expect(cancellations).toEqual([{ request_id: sent.request_id, reason: 'client_cancelled' }]);
    expect(outcomes).toEqual([{ ...outcomeOf(sent, 'error', 'provider_unavailable'), stream: true }]);
  });

  it('passes each chunk of a provider call once, and ends the stream with metering\'s last chunk, which names no provider call', async () => {
    const { bus, gateway, requests, outcomes } = await unanswered();
    const received: string[] = [];
    const call = gateway.chatStream(request, (chunk) => void received.push(chunk.delta.content ?? ''));
    await settle();
    const sent = requests[0];
    const chunk = { id: sent.request_id, model: 'm', provider: 'fake', index: 0 };
    const first: ReplyEvent = { request_id: sent.request_id, type: 'chunk', stream_id: 'only', seq: 0, chunk: { ...chunk, delta: { content: 'whole' } } };
    // The same chunk twice (a publish retried after a broker failover) reaches the caller once.
    await bus.publish(sent.reply_to, [{ key: sent.request_id, value: first }]);
    await bus.publish(sent.reply_to, [{ key: sent.request_id, value: first }]);
    await bus.publish(sent.reply_to, [{ key: sent.request_id, value: { request_id: sent.request_id, type: 'chunk', chunk: { ...chunk, delta: {}, finish_reason: 'stop' } } satisfies ReplyEvent }]);
    await expect(call).resolves.toBeUndefined();
    await settle();
    expect(received).toEqual(['whole', '']);
    expect(outcomes).toEqual([]);
  });

  // Regression: the callers of an ingress killed with -9 got a connection error and their rows said ok.
  it('records a final reply no call waits for (its caller\'s ingress died; this one took over its reply topic) as cancelled, once', async () => {
    const { bus, gateway, outcomes } = await unanswered();
    const origin = { received_at: Date.parse('2026-12-01T10:00:00Z'), api_key_id: 'key_1', kind: 'chat' as const, stream: true, model: 'm' };
    const reply: ReplyEvent = { request_id: 'orphan-1', type: 'error', error: { code: 'provider_unavailable', message: 'x' }, origin };
    await bus.publish(gateway.replyTopic, [{ key: 'orphan-1', value: reply }, { key: 'orphan-1', value: reply }]);
    await settle();
    expect(outcomes).toEqual([
      { type: 'caller_outcome', request_id: 'orphan-1', ts: '2026-12-01T10:00:00.000Z', api_key_id: 'key_1', kind: 'chat', stream: true, model: 'm', status: 'cancelled', error_code: 'cancelled' },
    ]);
  });

  it('does not record as cancelled a reply its killed predecessor had answered, read again uncommitted by the instance restarted in its place (regression: an answered call\'s row said cancelled)', async () => {
    const journal = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'core-journal-')), 'ingress-0.settled');
    const killed = await unanswered(10_000, { instanceId: 'ingress-0', settledCalls: settledCallsJournal(journal) });
    const call = killed.gateway.chat(request, { cancellation: new Cancellation() });
    await settle();
    await killed.answer(killed.requests[0]);
    expect((await call).choices[0].message.content).toBe('late');
    // A new process: a bus of its own, the same instance id and journal; the killed one never stopped.
    const restarted = await unanswered(10_000, { instanceId: 'ingress-0', settledCalls: settledCallsJournal(journal) });
    const origin = { received_at: Date.parse('2026-12-01T10:00:00Z'), api_key_id: 'anonymous', kind: 'chat' as const, stream: false, model: 'm' };
    const replyTo = (request_id: string): ReplyEvent => ({ request_id, type: 'chat', response: { id: request_id, model: 'm', provider: 'fake', choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }, cost_usd: 0 }, origin });
    await restarted.bus.publish(restarted.gateway.replyTopic, [
      { key: killed.requests[0].request_id, value: replyTo(killed.requests[0].request_id) },
      { key: 'undelivered-1', value: replyTo('undelivered-1') },
    ]);
    await settle();
    expect(restarted.outcomes.map((outcome) => `${outcome.request_id} ${outcome.status}`)).toEqual(['undelivered-1 cancelled']);
  });

  it('records a batch request\'s final reply in its batch, not as cancelled, whether or not a call waits for it; a store that fails holds up no other reply', async () => {
    const recorded: string[] = [];
    const recordBatchReply = async (reply: ReplyEvent, batchId: string) => {
      if (reply.request_id === 'batch_1-2') throw new Error('the database is down');
      recorded.push(`${batchId} ${reply.request_id} ${reply.type}`);
      return true;
    };
    const { bus, gateway, requests, outcomes, answer } = await unanswered(10_000, { recordBatchReply });
    const origin = { received_at: Date.parse('2026-12-01T10:00:00Z'), api_key_id: 'key_owner', kind: 'chat' as const, stream: false, model: 'm', batch_id: 'batch_1' };
    const batchReply = (request_id: string): ReplyEvent => ({ request_id, type: 'error', error: { code: 'provider_unavailable', message: 'x' }, origin });
    await bus.publish(gateway.replyTopic, [
      { key: 'batch_1-1', value: batchReply('batch_1-1') },
      { key: 'batch_1-2', value: batchReply('batch_1-2') },
    ]);
    await settle();
    const call = gateway.chat(request, { cancellation: new Cancellation() });
    await settle();
    await answer(requests[0]);
    expect((await call).choices[0].message.content).toBe('late');
    expect([recorded, outcomes]).toEqual([['batch_1 batch_1-1 error'], []]);
  });

  it('waits at most 2 s for a batch store that does not answer before it goes on to the next replies', async () => {
    const recordBatchReply = () => new Promise<boolean>(() => undefined);
    const { bus, gateway, requests, answer } = await unanswered(10_000, { recordBatchReply });
    const origin = { received_at: Date.parse('2026-12-01T10:00:00Z'), api_key_id: 'key_owner', kind: 'chat' as const, stream: false, model: 'm', batch_id: 'batch_1' };
    await bus.publish(gateway.replyTopic, [{ key: 'batch_1-1', value: { request_id: 'batch_1-1', type: 'error', error: { code: 'provider_unavailable', message: 'x' }, origin } satisfies ReplyEvent }]);
    await settle();
    const startedAt = Date.now();
    const call = gateway.chat(request);
    await settle();
    await answer(requests[0]);
    expect((await call).choices[0].message.content).toBe('late');
    const waited = Date.now() - startedAt;
    expect([waited >= 1500, waited < 5000]).toEqual([true, true]);
  });

  // Regression: batch and interactive replies shared one topic, so an interactive reply read after a batch
  // reply waited until the batch store had recorded it (up to 2 s).
  it('answers an interactive call while a batch reply waits on the batch store: batch replies come on a topic of their own', async () => {
    const recordBatchReply = () => new Promise<boolean>(() => undefined);
    const { bus, gateway, requests, answer } = await unanswered(10_000, { recordBatchReply });
    const batchRequests: RequestEvent[] = [];
    await bus.subscribe({ topic: TOPICS.batchRequests, group: 'router', handleBatch: async (messages) => void batchRequests.push(...messages.map((m) => m.value as RequestEvent)) });
    const batchCall = gateway.chat(request, { batch: { batch_id: 'batch_1', request_id: 'batch_1-1', caller: { api_key_id: 'key_owner' } } });
    await settle();
    const origin = { received_at: batchRequests[0].received_at, api_key_id: 'key_owner', kind: 'chat' as const, stream: false, model: 'm', batch_id: 'batch_1' };
    await bus.publish(batchRequests[0].reply_to, [{ key: 'batch_1-1', value: { request_id: 'batch_1-1', type: 'error', error: { code: 'provider_unavailable', message: 'x' }, origin } satisfies ReplyEvent }]);
    expect(await batchCall.catch((error: GatewayError) => error.code)).toBe('provider_unavailable');
    const startedAt = Date.now();
    const call = gateway.chat(request);
    await settle();
    await answer(requests[0]);
    expect((await call).choices[0].message.content).toBe('late');
    expect([batchRequests[0].reply_to, requests[0].reply_to, Date.now() - startedAt < 1000]).toEqual([gateway.batchReplyTopic, gateway.replyTopic, true]);
  });

  it('answers a batch request\'s call once its answer is in the batch, and says so, so that the runner does not write it again', async () => {
    let store: (recorded: boolean) => void = () => undefined;
    const recordBatchReply = () => new Promise<boolean>((resolve) => (store = resolve));
    const { bus, gateway } = await unanswered(10_000, { recordBatchReply });
    const batchRequests: RequestEvent[] = [];
    await bus.subscribe({ topic: TOPICS.batchRequests, group: 'router', handleBatch: async (messages) => void batchRequests.push(...messages.map((m) => m.value as RequestEvent)) });
    const sent = async (options: CallOptions, line: number) => {
      options.batch = { batch_id: 'batch_1', request_id: `batch_1-${line}`, caller: { api_key_id: 'key_owner' } };
      const answered = gateway.chat(request, options).then(() => 'answered');
      await settle();
      const sentEvent = batchRequests[batchRequests.length - 1];
      const origin = { received_at: sentEvent.received_at, api_key_id: 'key_owner', kind: 'chat' as const, stream: false, model: 'm', batch_id: 'batch_1' };
      const response = { id: sentEvent.request_id, model: 'm', provider: 'fake', choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }, cost_usd: 0 };
      await bus.publish(sentEvent.reply_to, [{ key: sentEvent.request_id, value: { request_id: sentEvent.request_id, type: 'chat', response, origin } satisfies ReplyEvent }]);
      await settle();
      return answered;
    };
    const recordedCall: CallOptions = {};
    const answered = await Promise.race([sent(recordedCall, 1).then(() => 'answered before recorded'), new Promise((resolve) => setTimeout(() => resolve('waits for the batch'), 50))]);
    store(true);
    await settle();
    const unrecordedCall: CallOptions = {};
    const second = sent(unrecordedCall, 2);
    store(false);
    await second;
    expect([answered, recordedCall.answerRecorded, unrecordedCall.answerRecorded]).toEqual(['waits for the batch', true, undefined]);
  });

  it('sets the call\'s time in the gateway from its answer, its provider\'s time taken out', async () => {
    const { bus, gateway, requests } = await unanswered();
    const timed = async (providerMs: number) => {
      const options: CallOptions = {};
      const call = gateway.chat(request, options);
      await settle();
      const sent = requests[requests.length - 1];
      await new Promise((resolve) => setTimeout(resolve, 30));
      const response = { id: sent.request_id, model: 'm', provider: 'fake', choices: [], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 }, cost_usd: 0 };
      await bus.publish(sent.reply_to, [{ key: sent.request_id, value: { request_id: sent.request_id, type: 'chat', response, provider_latency_ms: providerMs } satisfies ReplyEvent }]);
      await call;
      return options.pipelineMs!;
    };
    const [whole, none] = [await timed(0), await timed(60_000)];
    expect([whole >= 29 && whole < 1000, none]).toEqual([true, 0]);
  });

  // Regression: a request redelivered after a provider-worker was killed was answered twice; the second
  // answer, which no call waited for, marked the row of an answered caller cancelled.
  it('reports nothing for a second answer to a call already answered', async () => {
    const { bus, gateway, requests, outcomes, answer } = await unanswered();
    const call = gateway.chat(request, { cancellation: new Cancellation() });
    await settle();
    await answer(requests[0]);
    expect((await call).choices[0].message.content).toBe('late');
    const origin = { received_at: requests[0].received_at, api_key_id: 'anonymous', kind: 'chat' as const, stream: false, model: 'm' };
    const again: ReplyEvent = { request_id: requests[0].request_id, type: 'error', error: { code: 'provider_unavailable', message: 'x' }, origin };
    await bus.publish(gateway.replyTopic, [{ key: requests[0].request_id, value: again }]);
    await settle();
    expect(outcomes).toEqual([]);
  });

  it('reports nothing for a call answered and delivered: the pipeline\'s row is the caller\'s', async () => {
    const { gateway, requests, outcomes, answer } = await unanswered();
    const call = gateway.chat(request, { cancellation: new Cancellation() });
    await settle();
    await answer(requests[0]);
    expect((await call).choices[0].message.content).toBe('late');
    await settle();
    expect(outcomes).toEqual([]);
  });

  it('reports a call answered but not delivered, its caller having gone before the answer was written, as cancelled, once', async () => {
    const { gateway, requests, cancellations, outcomes, answer } = await unanswered();
    const cancellation = new Cancellation();
    const call = gateway.chat(request, { cancellation });
    await settle();
    await answer(requests[0]);
    await call;
    cancellation.cancel();
    cancellation.cancel('deadline_exceeded');
    await settle();
    expect(outcomes).toEqual([outcomeOf(requests[0], 'cancelled', 'cancelled')]);
    expect(cancellations).toEqual([]);
  });

  it('reports an ended call once, however its front door then fails to deliver the error', async () => {
    const { gateway, requests, outcomes } = await unanswered(50);
    const cancellation = new Cancellation();
    await expect(gateway.chat(request, { cancellation })).rejects.toMatchObject({ code: 'deadline_exceeded' });
    cancellation.cancel();
    await settle();
    expect(outcomes).toEqual([outcomeOf(requests[0], 'error', 'deadline_exceeded')]);
  });
});
