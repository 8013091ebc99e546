import { GatewayError, TOPICS, summarizeRequest, type CompletionEvent, type RequestEvent, type RequestSummary } from '@switchyard/contracts';
import { buildPriceTable, countPromptTokens, countRequestUsage, countTexts, countTextTokens } from '@switchyard/pricing';
import { gatewayMetrics } from '@switchyard/telemetry';
import { createMeteringStage, meter } from './metering';

const whole: RequestEvent = {
  request_id: 'req-1',
  kind: 'chat',
  stream: false,
  reply_to: 'switchyard.replies.i1',
  received_at: Date.parse('2026-11-25T10:00:00Z'),
  deadline_at: Date.parse('2026-11-25T10:01:00Z'),
  api_key_id: 'key_abc',
  chat: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }], metadata: { team: 'a' } },
  route: { provider: 'openai', upstream_model: 'gpt-4o-mini' },
};
const request = summarizeRequest(whole);

const ok = (overrides: Partial<CompletionEvent> = {}): CompletionEvent => ({
  request,
  status: 'ok',
  chat: {
    choices: [{ index: 0, message: { role: 'assistant', content: 'General Kenobi' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500, cached_prompt_tokens: 200 },
  },
  provider_latency_ms: 120,
  stage: 'provider-worker',
  ...overrides,
});

describe('metering', () => {
  const prices = buildPriceTable();
  const stage = createMeteringStage(prices, () => Date.parse('2026-11-25T10:00:00.250Z'));

  it('bills a transcription by the seconds of audio its provider reported, counting no tokens, and answers its transcript', async () => {
    const transcription = summarizeRequest({ ...whole, kind: 'transcription', chat: undefined, transcription: { model: 'whisper-1', audio: '', filename: 'a.wav' }, route: { provider: 'openai', upstream_model: 'whisper-1' } });
    const segments = [{ start: 0, end: 90, text: 'Hello.' }];
    const [reply, usage] = await stage.handle(ok({ request: transcription, chat: undefined, transcription: { text: 'Hello.', language: 'english', duration_seconds: 90, segments } }), {} as never);
    // 1.5 minutes at 0.006 USD a minute.
    expect(usage.value).toMatchObject({ kind: 'transcription', audio_seconds: 90, prompt_tokens: 0, completion_tokens: 0, tokens_estimated: false, cost_usd: 0.009 });
    expect(reply.value).toMatchObject({
      request_id: 'req-1',
      type: 'transcription',
      response: { id: 'req-1', model: 'whisper-1', provider: 'openai', created: 1795600800, text: 'Hello.', language: 'english', duration_seconds: 90, segments, usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, audio_seconds: 90 }, cost_usd: 0.009 },
    });
  });

  describe('an image generation', () => {
    const generation = (upstream_model: string) =>
      summarizeRequest({ ...whole, kind: 'image_generation', chat: undefined, image_generation: { model: upstream_model, prompt: 'a lighthouse', n: 2 }, route: { provider: 'openai', upstream_model } });
    const image = { b64_json: 'aGk=' };

    it.each([
      ['dall-e-3', '1024x1024', 'standard', 0.08],
      ['dall-e-3', '1792x1024', 'standard', 0.16],
      ['dall-e-3', '1024x1024', 'hd', 0.16],
      ['dall-e-3', '1024x1792', 'hd', 0.24],
      ['dall-e-2', '256x256', 'standard', 0.032],
      ['dall-e-2', '512x512', 'standard', 0.036],
    ])('bills two %s images of %s %s at that size and quality\'s price', async (model, size, quality, cost) => {
      const [reply, usage] = await stage.handle(ok({ request: generation(model), chat: undefined, image_generation: { data: [image, image], size, quality } }), {} as never);
      expect(usage.value).toMatchObject({ kind: 'image_generation', images: 2, prompt_tokens: 0, cost_usd: cost });
      expect(reply.value).toMatchObject({ type: 'image_generation', response: { data: [image, image], usage: { images: 2 }, cost_usd: cost } });
      // The size and quality price the images; the caller's answer is OpenAI's shape, without them.
      expect((reply.value as { response: object }).response).not.toHaveProperty('size');
    });

    it('bills one hd 1792x1024 dall-e-3 image, asked for by the caller, at the hd price of 0.12 USD in its usage row and answer', async () => {
      const asked = summarizeRequest({ ...whole, kind: 'image_generation', chat: undefined, image_generation: { model: 'dall-e-3', prompt: 'a lighthouse', size: '1792x1024', quality: 'hd' }, route: { provider: 'openai', upstream_model: 'dall-e-3' } });
      const [reply, usage] = await stage.handle(ok({ request: asked, chat: undefined, image_generation: { data: [image], size: '1792x1024', quality: 'hd' } }), {} as never);
      expect(usage.value).toMatchObject({ kind: 'image_generation', images: 1, cost_usd: 0.12 });
      expect(reply.value).toMatchObject({ type: 'image_generation', response: { usage: { images: 1 }, cost_usd: 0.12 } });
    });

    it('bills per_image when the answer says no size and quality', () => {
      expect(meter(ok({ request: generation('dall-e-3'), chat: undefined, image_generation: { data: [image, image] } }), prices).cost_usd).toBe(0.08);
    });
  });

  it('prices the provider-reported usage', () => {
    // 800 plain * 0.15 + 200 cached * 0.075 + 500 output * 0.6, per million.
    expect(meter(ok(), prices)).toEqual({ usage: ok().chat!.usage, estimated: false, cost_usd: 0.000435, cost_saved_usd: 0, cache_embed_tokens: 0, cache_embed_cost_usd: 0, guardrail_model_tokens: 0, guardrail_model_cost_usd: 0 });
  });

  it('charges nothing for a cache hit, and records what the provider would have charged as saved', async () => {
    expect(meter(ok({ cache: 'hit' }), prices)).toEqual({ usage: ok().chat!.usage, estimated: false, cost_usd: 0, cost_saved_usd: 0.000435, cache_embed_tokens: 0, cache_embed_cost_usd: 0, guardrail_model_tokens: 0, guardrail_model_cost_usd: 0 });
    const [reply, usage] = await stage.handle(ok({ cache: 'hit', attempts: 0 }), {} as never);
    expect(reply.value).toMatchObject({ type: 'chat', cache: 'hit', response: { cost_usd: 0, usage: { prompt_tokens: 1000, completion_tokens: 500 } } });
    expect(usage.value).toMatchObject({ cache: 'hit', cost_usd: 0, cost_saved_usd: 0.000435, attempts: 0 });
  });

  describe('the semantic cache\'s embedding call', () => {
    // 0.5 USD a million embedded tokens: 40 tokens cost 0.00002.
    const embedPrices = buildPriceTable({ 'emb/embed-test': { input_per_mtok: 0.5, output_per_mtok: 0 } });
    const embedStage = createMeteringStage(embedPrices, () => Date.parse('2026-11-25T10:00:00.250Z'));
    const cache_embed = { route: { provider: 'emb', upstream_model: 'embed-test' }, usage: { prompt_tokens: 40, completion_tokens: 0, total_tokens: 40 }, tokens_estimated: false };

    it('is spent on a semantic miss: its tokens and cost on the row, its cost in the answer\'s', async () => {
      const [reply, usage] = await embedStage.handle(ok({ cache: 'miss', cache_embed }), {} as never);
      expect(usage.value).toMatchObject({ cache: 'miss', cost_usd: 0.000455, cache_embed_tokens: 40, cache_embed_cost_usd: 0.00002, cost_saved_usd: 0, prompt_tokens: 1000 });
      expect(reply.value).toMatchObject({ response: { cost_usd: 0.000455 } });
    });

    it('is all a semantic hit costs', async () => {
      const [reply, usage] = await embedStage.handle(ok({ cache: 'semantic_hit', attempts: 0, cache_embed }), {} as never);
      expect(usage.value).toMatchObject({ cache: 'semantic_hit', cost_usd: 0.00002, cache_embed_tokens: 40, cache_embed_cost_usd: 0.00002, cost_saved_usd: 0.000435 });
      expect(reply.value).toMatchObject({ response: { cost_usd: 0.00002 } });
    });

    it('is spent when the provider then fails', () => {
      const failed = ok({ status: 'error', chat: undefined, error: { code: 'provider_unavailable', message: 'down' } as never, cache: 'miss', cache_embed });
      expect(meter(failed, embedPrices)).toMatchObject({ cost_usd: 0.00002, cache_embed_tokens: 40, cache_embed_cost_usd: 0.00002 });
    });

    it('marks the row\'s tokens estimated when the gateway counted the embedding\'s', () => {
      expect(meter(ok({ cache: 'miss', cache_embed: { ...cache_embed, tokens_estimated: true } }), embedPrices).estimated).toBe(true);
    });
  });

  it('tells the caller and the row a miss, and says nothing of a cache for a model without one', async () => {
    const [missReply, missUsage] = await stage.handle(ok({ cache: 'miss' }), {} as never);
    expect(missReply.value).toMatchObject({ cache: 'miss', response: { cost_usd: 0.000435 } });
    expect(missUsage.value).toMatchObject({ cache: 'miss', cost_usd: 0.000435, cost_saved_usd: 0 });
    const [reply, usage] = await stage.handle(ok(), {} as never);
    expect(reply.value).not.toHaveProperty('cache');
    expect(usage.value).toMatchObject({ cache: null, cost_saved_usd: 0 });
  });

  it("bills the provider-worker's count, marked estimated, when the provider reported no usage", () => {
    const completion = ok({ counted_usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 } });
    delete completion.chat!.usage;
    expect(meter(completion, prices)).toMatchObject({ usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 }, estimated: true });
  });

  describe('a completion of an older producer, which carried its request whole', () => {
    const legacy = (overrides: Partial<RequestEvent> = {}) => {
      const completion = JSON.parse(JSON.stringify({ ...ok(), request: { ...whole, ...overrides } })) as Record<string, unknown>;
      delete (completion.chat as { usage?: unknown }).usage;
      return completion;
    };

    it('is metered as the summary carrying one: the same reply and row, its tokens counted here', async () => {
      const parsed = stage.parse(legacy());
      expect(parsed.request).toEqual(request);
      expect(parsed.counted_usage).toEqual({ prompt_tokens: countPromptTokens(whole.chat!.messages), completion_tokens: countTextTokens('General Kenobi'), total_tokens: countPromptTokens(whole.chat!.messages) + countTextTokens('General Kenobi') });
      const counted = ok({ counted_usage: countRequestUsage(whole, ok().chat!.choices) });
      delete counted.chat!.usage;
      expect(await stage.handle(parsed, {} as never)).toEqual(await stage.handle(counted, {} as never));
    });

    it('answers a prompt holding a special-token string when its tokens are counted here', async () => {
      const [reply, usage] = await stage.handle(stage.parse(legacy({ chat: { ...whole.chat!, messages: [{ role: 'user', content: 'What is <|endoftext|> for?' }] } })), {} as never);
      expect(reply.value).toMatchObject({ type: 'chat', response: { choices: [{ message: { content: 'General Kenobi' } }] } });
      expect(usage.value).toMatchObject({ status: 'ok', tokens_estimated: true });
    });
  });

  it('answers the caller and hands one usage row to analytics', async () => {
    const [reply, usage] = await stage.handle(ok(), {} as never);
    expect(usage).toMatchObject({
      topic: TOPICS.usage,
      key: 'req-1',
      value: {
        request_id: 'req-1',
        ts: '2026-11-25T10:00:00.000Z',
        model: 'gpt-4o-mini',
        provider: 'openai',
        prompt_tokens: 1000,
        completion_tokens: 500,
        cached_prompt_tokens: 200,
        cost_usd: 0.000435,
        latency_ms: 250,
        provider_latency_ms: 120,
        status: 'ok',
        error_code: null,
        finish_reason: 'stop',
        metadata: { team: 'a' },
      },
    });
    expect(reply).toMatchObject({ topic: 'switchyard.replies.i1', value: { type: 'chat', response: { id: 'req-1', cost_usd: 0.000435, provider: 'openai' } } });
  });

  it('ends a stream with a last chunk that carries finish reason, usage and cost', async () => {
    const [reply] = await stage.handle(ok({ request: { ...request, stream: true } }), {} as never);
    expect(reply.value).toMatchObject({ type: 'chunk', chunk: { finish_reason: 'stop', usage: { total_tokens: 1500 }, cost_usd: 0.000435, delta: {} } });
  });

  it('records a failure and answers it with the error', async () => {
    const failed: CompletionEvent = { request, status: 'error', error: { code: 'provider_rate_limited', message: 'slow down', retry_after_ms: 2000 }, provider_latency_ms: 30, stage: 'provider-worker' };
    const [reply, usage] = await stage.handle(failed, {} as never);
    expect(usage.value).toMatchObject({ status: 'error', error_code: 'provider_rate_limited', prompt_tokens: 0, cost_usd: 0 });
    // The origin lets an ingress that finds no caller waiting record the answer as undelivered; the
    // provider's time lets it tell its pipeline's time from the call's.
    expect(reply.value).toEqual({
      request_id: 'req-1',
      type: 'error',
      error: failed.error,
      origin: { received_at: failed.request.received_at, api_key_id: 'key_abc', kind: 'chat', stream: false, model: 'gpt-4o-mini' },
      provider_latency_ms: 30,
    });
  });

  it('charges the guardrails\' classifier calls on the row, whatever the outcome, at their models\' prices', async () => {
    // 10 USD a million prompt tokens and 20 a million completion tokens: (11 * 10 + 7 * 20) / 1e6 = 0.00025 a call.
    const checkPrices = buildPriceTable({ 'up/tiny-classifier': { input_per_mtok: 10, output_per_mtok: 20 } });
    const checkStage = createMeteringStage(checkPrices, () => Date.parse('2026-11-25T10:00:00.250Z'));
    const call = { rule: 'harm', route: { provider: 'up', upstream_model: 'tiny-classifier' }, usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 }, tokens_estimated: false };
    const [, answered] = await checkStage.handle(ok({ guardrail_model_calls: [call, { ...call, rule: 'abuse' }] }), {} as never);
    expect(answered.value).toMatchObject({ status: 'ok', guardrail_model_tokens: 36, guardrail_model_cost_usd: 0.0005, cost_usd: 0.000935, tokens_estimated: false });
    const refused: CompletionEvent = { request, status: 'error', error: { code: 'guardrail_blocked', message: 'refused' }, guardrail_model_calls: [{ ...call, tokens_estimated: true }], provider_latency_ms: 0, stage: 'provider-worker' };
    const [, row] = await checkStage.handle(refused, {} as never);
    expect(row.value).toMatchObject({ status: 'error', prompt_tokens: 0, guardrail_model_tokens: 18, guardrail_model_cost_usd: 0.00025, cost_usd: 0.00025, tokens_estimated: true });
  });

  it('charges the tokens of an answer an output rule refused, and answers guardrail_blocked (regression: the row had 0 tokens and cost 0 though the provider was paid)', async () => {
    const refused: CompletionEvent = {
      request,
      status: 'error',
      error: { code: 'guardrail_blocked', message: 'guardrail rule secrets refused the answer: it found a value of kind openai_key' },
      refused_answer: { usage: { prompt_tokens: 1000, completion_tokens: 500, total_tokens: 1500, cached_prompt_tokens: 200 }, tokens_estimated: false },
      provider_latency_ms: 30,
      stage: 'provider-worker',
    };
    const [reply, usage] = await stage.handle(refused, {} as never);
    expect(usage.value).toMatchObject({ status: 'error', error_code: 'guardrail_blocked', prompt_tokens: 1000, completion_tokens: 500, cached_prompt_tokens: 200, cost_usd: 0.000435, tokens_estimated: false });
    expect(reply.value).toMatchObject({ type: 'error', error: { code: 'guardrail_blocked' } });
    expect(meter({ ...refused, refused_answer: { ...refused.refused_answer!, tokens_estimated: true } }, prices).estimated).toBe(true);
  });

  it('prices the target that answered, and records where it sits in the route, the tries and the tries that failed', async () => {
    const failed_attempts = [{ target: 'openai/gpt-4o-mini', code: 'provider_unavailable', latency_ms: 40 }];
    const served = { ...request, route: { provider: 'anthropic', upstream_model: 'claude-haiku-4-5', path: 'models.0.route.fallback.1' } };
    const [, usage] = await stage.handle(ok({ request: served, attempts: 2, failed_attempts }), {} as never);
    expect(usage.value).toMatchObject({ provider: 'anthropic', upstream_model: 'claude-haiku-4-5', route_path: 'models.0.route.fallback.1', attempts: 2, failed_attempts });
    // 800 plain * 1 + 200 cached * 0.1 + 500 output * 5, per million: Anthropic's prices, not OpenAI's.
    expect((usage.value as { cost_usd: number }).cost_usd).toBe(0.00332);
    expect((await stage.handle(ok(), {} as never))[1].value).toMatchObject({ attempts: 0, route_path: null, failed_attempts: null });
  });

  it('records the configuration version the request carried, and null for one that carried none', async () => {
    const [, usage] = await stage.handle(ok({ request: { ...request, config_version: '3f1c0e6a9b2d4c71' } }), {} as never);
    expect((usage.value as { config_version: string | null }).config_version).toBe('3f1c0e6a9b2d4c71');
    expect(((await stage.handle(ok(), {} as never))[1].value as { config_version: string | null }).config_version).toBeNull();
  });

  it('records a cancelled call without answering anybody', async () => {
    const cancelled: CompletionEvent = { request, status: 'cancelled', error: { code: 'cancelled', message: 'gone' }, provider_latency_ms: 5, stage: 'provider-worker' };
    const outputs = await stage.handle(cancelled, {} as never);
    expect(outputs.map((output) => output.topic)).toEqual([TOPICS.usage]);
  });
});

describe('metering, counting guardrail findings', () => {
  it("counts each finding of a request's row in switchyard_guardrail_findings_total", async () => {
    const stage = createMeteringStage(buildPriceTable());
    const findings = [
      { rule: 'pii', entity: 'email', action: 'mask' as const, direction: 'input' as const, count: 2 },
      { rule: 'pii-out', entity: 'phone', action: 'mask' as const, direction: 'output' as const, count: 1 },
    ];
    await stage.handle(ok({ request: { ...request, guardrail: findings } }), {} as never);
    const text = (await gatewayMetrics().exposition()).body;
    expect(text).toContain('switchyard_guardrail_findings_total{rule="pii",entity="email",action="mask",direction="input"} 2\n');
    expect(text).toContain('switchyard_guardrail_findings_total{rule="pii-out",entity="phone",action="mask",direction="output"} 1\n');
  });
});

describe('metering, for a request the limits check reserved for', () => {
  const stage = createMeteringStage(buildPriceTable(), () => Date.parse('2026-11-25T10:00:00.250Z'));
  const limits = { owner: 'team_1', key: { id: 'vk_1', rpm: 10, tpm: null, max_concurrent: null, budget_usd: 5, budget_period: 'day' as const }, team: { id: 'team_1', rpm: null, tpm: null, budget_usd: null, budget_period: null } };
  const limited: RequestSummary = { ...request, limits, reservation: { tokens: 6000, cost_usd: 0.01 }, rate_limit: { limit_requests: 10, remaining_requests: 9, reset_requests_ms: 60_000 } };

  it('settles the metered tokens and cost with the owner of the limits, and gives the caller its standing', async () => {
    const outputs = await stage.handle(ok({ request: limited }), {} as never);
    expect(outputs[0]).toMatchObject({ topic: request.reply_to, value: { type: 'chat', rate_limit: limited.rate_limit } });
    expect(outputs[2]).toEqual({
      topic: TOPICS.requests,
      key: 'team_1',
      value: { type: 'settlement', request_id: 'req-1', received_at: request.received_at, limits, reservation: { tokens: 6000, cost_usd: 0.01 }, tokens: 1500, cost_usd: 0.000435 },
    });
  });

  it('settles a request it could not meter at nothing, so its reservation is released', () => {
    const outputs = stage.onFailure(ok({ request: limited }), new GatewayError('internal', 'broken'));
    expect(outputs[1]).toMatchObject({ topic: TOPICS.requests, key: 'team_1', value: { type: 'settlement', tokens: 0, cost_usd: 0 } });
  });

  it('settles nothing for a request without a reservation', async () => {
    const outputs = await stage.handle(ok(), {} as never);
    expect(outputs.map((output) => output.topic)).toEqual([request.reply_to, TOPICS.usage]);
  });
});

describe('metering a moderation', () => {
  const stage = createMeteringStage(buildPriceTable(), () => Date.parse('2026-11-25T10:00:00.250Z'));
  const input = ['I am going to hurt you.', 'The weather is lovely today.'];
  const moderation = summarizeRequest({
    ...whole,
    kind: 'moderation',
    chat: undefined,
    moderation: { model: 'mistral-moderation', input, metadata: { team: 'trust' } },
    route: { provider: 'mistral', upstream_model: 'mistral-moderation-latest' },
  });
  const verdicts = [
    { flagged: true, categories: { violence_and_threats: true }, category_scores: { violence_and_threats: 0.98 } },
    { flagged: false, categories: { violence_and_threats: false }, category_scores: { violence_and_threats: 0.01 } },
  ];

  it("answers with the verdicts, and prices the input's counted tokens when the provider reports no usage", async () => {
    const tokens = countTexts(input);
    const counted_usage = { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens };
    const [reply, usage] = await stage.handle({ request: moderation, status: 'ok', moderation: { results: verdicts }, counted_usage, provider_latency_ms: 40, stage: 'provider-worker' }, {} as never);
    // mistral/mistral-moderation-latest: 0.1 USD a million input tokens.
    const cost = Math.round(tokens * 0.1 * 1e4) / 1e10;
    expect(reply.value).toMatchObject({
      type: 'moderation',
      response: { id: 'req-1', model: 'mistral-moderation', provider: 'mistral', results: verdicts, usage: { prompt_tokens: tokens, completion_tokens: 0 }, cost_usd: cost },
      origin: { kind: 'moderation', model: 'mistral-moderation' },
    });
    expect(usage.value).toMatchObject({ kind: 'moderation', model: 'mistral-moderation', provider: 'mistral', prompt_tokens: tokens, tokens_estimated: true, cost_usd: cost, metadata: { team: 'trust' }, finish_reason: null });
  });
});
