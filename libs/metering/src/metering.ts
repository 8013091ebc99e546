// Metering: turns each outcome into usage and cost, answers the caller, and hands one usage row to
// analytics. Tokens come from the provider's reported usage, or from the provider-worker's count when it
// reported none (the completion carries no prompt to count).
import {
  CONSUMER_GROUPS,
  TOPICS,
  parseCompletionEvent,
  reportedUsage,
  usageTimestamp,
  type ChatChunk,
  type ChatResponse,
  type CompletionEvent,
  type EmbedResponse,
  type ModerationResponse,
  type RerankResponse,
  type ImageGenerationResponse,
  type TranscriptionResponse,
  type RateLimitStatus,
  type ReplyEvent,
  type ReplyOrigin,
  type RequestSummary,
  type SettlementEvent,
  type Usage,
  type UsageEvent,
} from '@switchyard/contracts';
import type { Stage, StageOutput } from '@switchyard/pipeline';
import { gatewayMetrics } from '@switchyard/telemetry';
import { costOf, countRequestUsage, priceKey, type PriceTable } from '@switchyard/pricing';

export interface Metered {
  usage: Usage;
  estimated: boolean;
  cost_usd: number;
  /** What a cache hit would have cost from its provider; 0 for any other answer. */
  cost_saved_usd: number;
  /** The semantic cache's embedding call for the request: its tokens and cost (in cost_usd too); 0 when it made none. */
  cache_embed_tokens: number;
  cache_embed_cost_usd: number;
  /** The guardrails' classifier calls for the request: their tokens and cost (in cost_usd too); 0 when they made none. */
  guardrail_model_tokens: number;
  guardrail_model_cost_usd: number;
}

export function meter(completion: CompletionEvent, prices: PriceTable): Metered {
  const { request } = completion;
  // An answer an output rule refused was still charged by its provider: its row says what for.
  let usage = reportedUsage(completion) ?? completion.refused_answer?.usage;
  let estimated = completion.refused_answer?.tokens_estimated ?? false;
  if (!usage && completion.counted_usage) {
    estimated = true;
    usage = completion.counted_usage;
  }
  usage ??= { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };
  // A generation is billed by the images it made, which the answer itself counts.
  if (completion.image_generation) usage = { ...usage, images: completion.image_generation.data.length };
  // A transcription is billed by the length of its audio, as the provider reported it.
  if (completion.transcription?.duration_seconds !== undefined) usage = { ...usage, audio_seconds: completion.transcription.duration_seconds };
  const route = request.route;
  // An image is priced by the size and quality its provider was asked for, where its price lists them.
  const { cost_usd } = route ? costOf(usage, prices[priceKey(route.provider, route.upstream_model)], completion.image_generation) : { cost_usd: 0 };
  // The embedding the semantic cache made for the request was spent whatever the answer: hit, miss or failure.
  const embed = completion.cache_embed;
  const embedCost = embed ? costOf(embed.usage, prices[priceKey(embed.route.provider, embed.route.upstream_model)]).cost_usd : 0;
  // The guardrails' classifier calls were spent whatever the answer: a refusal, a hit or an answer.
  const checks = completion.guardrail_model_calls ?? [];
  let checkTokens = 0;
  let checkCost = 0;
  for (const check of checks) {
    checkTokens += check.usage.prompt_tokens + check.usage.completion_tokens;
    checkCost = addCosts(checkCost, costOf(check.usage, prices[priceKey(check.route.provider, check.route.upstream_model)]).cost_usd);
  }
  const spent = {
    estimated: estimated || embed?.tokens_estimated === true || checks.some((check) => check.tokens_estimated),
    cache_embed_tokens: embed?.usage.prompt_tokens ?? 0,
    cache_embed_cost_usd: embedCost,
    guardrail_model_tokens: checkTokens,
    guardrail_model_cost_usd: checkCost,
  };
  const overhead = addCosts(embedCost, checkCost);
  // A hit reached no provider: the caller pays only the embedding and the checks, and the row says what the provider would have charged.
  if (completion.cache === 'hit' || completion.cache === 'semantic_hit') return { usage, ...spent, cost_usd: overhead, cost_saved_usd: cost_usd };
  return { usage, ...spent, cost_usd: addCosts(cost_usd, overhead), cost_saved_usd: 0 };
}

/** Two costs rounded as costOf rounds them, so that the sum carries no float noise either. */
function addCosts(a: number, b: number): number {
  return Math.round((a + b) * 1e10) / 1e10;
}

export function toUsageEvent(completion: CompletionEvent, metered: Metered, now: number): UsageEvent {
  const { request } = completion;
  return {
    request_id: request.request_id,
    ts: usageTimestamp(request.received_at),
    api_key_id: request.api_key_id,
    key_name: request.key_name ?? null,
    team: request.team ?? null,
    kind: request.kind,
    stream: request.stream,
    model: request.model,
    provider: request.route?.provider ?? null,
    upstream_model: request.route?.upstream_model ?? null,
    prompt_tokens: metered.usage.prompt_tokens,
    completion_tokens: metered.usage.completion_tokens,
    cached_prompt_tokens: metered.usage.cached_prompt_tokens ?? 0,
    tokens_estimated: metered.estimated,
    cost_usd: metered.cost_usd,
    latency_ms: Math.max(0, now - request.received_at),
    provider_latency_ms: completion.provider_latency_ms,
    time_to_first_chunk_ms: completion.time_to_first_chunk_ms ?? null,
    status: completion.status,
    error_code: completion.error?.code ?? null,
    finish_reason: completion.chat?.choices[0]?.finish_reason ?? null,
    metadata: request.metadata ?? {},
    attempts: completion.attempts ?? 0,
    route_path: request.route?.path ?? null,
    failed_attempts: completion.failed_attempts ?? null,
    config_version: request.config_version ?? null,
    guardrail_findings: request.guardrail?.length ? request.guardrail : null,
    cache: completion.cache ?? null,
    cost_saved_usd: metered.cost_saved_usd,
    cache_embed_tokens: metered.cache_embed_tokens,
    cache_embed_cost_usd: metered.cache_embed_cost_usd,
    batch_id: request.batch_id ?? null,
    analyze_id: request.analyze_id ?? null,
    search_units: metered.usage.search_units ?? 0,
    images: metered.usage.images ?? 0,
    audio_seconds: metered.usage.audio_seconds ?? 0,
    guardrail_model_tokens: metered.guardrail_model_tokens,
    guardrail_model_cost_usd: metered.guardrail_model_cost_usd,
  };
}

function replyOrigin(request: RequestSummary): ReplyOrigin {
  return {
    received_at: request.received_at,
    api_key_id: request.api_key_id,
    ...(request.key_name ? { key_name: request.key_name } : {}),
    ...(request.team ? { team: request.team } : {}),
    kind: request.kind,
    stream: request.stream,
    model: request.model,
    ...(request.batch_id ? { batch_id: request.batch_id } : {}),
  };
}

/** The caller's answer: the response, the last stream chunk, or the error; with what the response cache did, when the model has one. */
export function toReply(completion: CompletionEvent, metered: Metered): ReplyEvent {
  const reply = replyOf(completion, metered);
  if (completion.cache) reply.cache = completion.cache;
  return reply;
}

function replyOf(completion: CompletionEvent, metered: Metered): ReplyEvent {
  const { request } = completion;
  const request_id = request.request_id;
  if (completion.status !== 'ok') return { request_id, type: 'error', error: completion.error! };
  const provider = request.route!.provider;
  if (request.kind === 'embed') {
    const response: EmbedResponse = {
      id: request_id,
      model: request.model,
      provider,
      data: completion.embed!.data,
      usage: metered.usage,
      cost_usd: metered.cost_usd,
    };
    return { request_id, type: 'embed', response };
  }
  if (request.kind === 'moderation') {
    const response: ModerationResponse = {
      id: request_id,
      model: request.model,
      provider,
      results: completion.moderation!.results,
      usage: metered.usage,
      cost_usd: metered.cost_usd,
    };
    return { request_id, type: 'moderation', response };
  }
  if (request.kind === 'image_generation') {
    const response: ImageGenerationResponse = {
      id: request_id,
      model: request.model,
      provider,
      created: Math.floor(request.received_at / 1000),
      data: completion.image_generation!.data,
      usage: metered.usage,
      cost_usd: metered.cost_usd,
    };
    return { request_id, type: 'image_generation', response };
  }
  if (request.kind === 'transcription') {
    const result = completion.transcription!;
    const response: TranscriptionResponse = {
      id: request_id,
      model: request.model,
      provider,
      created: Math.floor(request.received_at / 1000),
      text: result.text,
      ...(result.language !== undefined ? { language: result.language } : {}),
      ...(result.duration_seconds !== undefined ? { duration_seconds: result.duration_seconds } : {}),
      ...(result.segments !== undefined ? { segments: result.segments } : {}),
      usage: metered.usage,
      cost_usd: metered.cost_usd,
    };
    return { request_id, type: 'transcription', response };
  }
  if (request.kind === 'rerank') {
    const response: RerankResponse = {
      id: request_id,
      model: request.model,
      provider,
      results: completion.rerank!.results,
      usage: metered.usage,
      cost_usd: metered.cost_usd,
    };
    return { request_id, type: 'rerank', response };
  }
  const chat = completion.chat!;
  if (request.stream) {
    const chunk: ChatChunk = {
      id: request_id,
      model: request.model,
      provider,
      index: 0,
      delta: {},
      finish_reason: chat.choices[0]?.finish_reason ?? 'stop',
      usage: metered.usage,
      cost_usd: metered.cost_usd,
    };
    return { request_id, type: 'chunk', chunk };
  }
  const response: ChatResponse = {
    id: request_id,
    model: request.model,
    provider,
    choices: chat.choices,
    usage: metered.usage,
    cost_usd: metered.cost_usd,
  };
  return { request_id, type: 'chat', response };
}

/** `signSettlement`: signs each settlement for the router, which checks it once virtual keys are on (keys' event-auth.ts). */
export function createMeteringStage(prices: PriceTable, now: () => number = Date.now, signSettlement: (settlement: SettlementEvent) => void = () => undefined): Stage<CompletionEvent> {
  return {
    name: 'metering',
    input: TOPICS.completions,
    group: CONSUMER_GROUPS.metering,
    parse: (value) => parseCompletionEvent(value, countRequestUsage),
    maxInFlightBatches: 8,
    handle(completion) {
      const metered = meter(completion, prices);
      const key = completion.request.request_id;
      const outputs: StageOutput[] = [];
      // A cancelled caller is gone; nobody waits for a reply. The reply goes first: on the in-memory bus
      // consumers run in the order published, so the caller is answered before the row is queued.
      if (completion.status !== 'cancelled') {
        const final = { origin: replyOrigin(completion.request), provider_latency_ms: completion.provider_latency_ms, ...rateLimitOf(completion.request) };
        outputs.push({ topic: completion.request.reply_to, key, value: { ...toReply(completion, metered), ...final } });
      }
      const usage = toUsageEvent(completion, metered, now());
      outputs.push({ topic: TOPICS.usage, key, value: usage });
      const settlement = settlementOf(completion.request, usage, signSettlement);
      if (settlement) outputs.push(settlement);
      // Counted with the request's row, once, whichever stage found them (the guardrail, or the provider-worker's output guard).
      for (const finding of usage.guardrail_findings ?? []) gatewayMetrics().guardrailFindings.inc([finding.rule, finding.entity, finding.action, finding.direction], finding.count);
      gatewayMetrics().metered(
        usage.model,
        usage.provider,
        usage.api_key_id,
        { input: usage.prompt_tokens, output: usage.completion_tokens, cached: usage.cached_prompt_tokens, costUsd: usage.cost_usd },
        (usage.latency_ms - usage.provider_latency_ms) / 1000,
      );
      return outputs;
    },
    onFailure(completion, error) {
      const key = completion.request.request_id;
      const reply: ReplyEvent = { request_id: key, type: 'error', error: error.toBody(), origin: replyOrigin(completion.request), ...rateLimitOf(completion.request) };
      const settlement = settlementOf(completion.request, undefined, signSettlement);
      return settlement ? [{ topic: completion.request.reply_to, key, value: reply }, settlement] : [{ topic: completion.request.reply_to, key, value: reply }];
    },
  };
}

function rateLimitOf(request: RequestSummary): { rate_limit?: RateLimitStatus } {
  return request.rate_limit ? { rate_limit: request.rate_limit } : {};
}

/**
 * What an admitted request used, back to the limits check that reserved for it (topic requests, keyed by
 * the limits' owner, so it reaches the consumer that holds them). Without a usage row, nothing was billed.
 */
function settlementOf(request: RequestSummary, usage: UsageEvent | undefined, sign: (settlement: SettlementEvent) => void): StageOutput | undefined {
  if (!request.reservation || !request.limits) return undefined;
  const settlement: SettlementEvent = {
    type: 'settlement',
    request_id: request.request_id,
    received_at: request.received_at,
    limits: request.limits,
    reservation: request.reservation,
    tokens: usage ? usage.prompt_tokens + usage.completion_tokens : 0,
    cost_usd: usage?.cost_usd ?? 0,
  };
  sign(settlement);
  return { topic: TOPICS.requests, key: request.limits.owner, value: settlement };
}
