// The router: checks that the requested model is served and offers what the request asks of it, and
// holds a virtual key's request to its key's and team's limits (its input is keyed by their owner, see
// RequestLimits). Which of a model's targets serves it is the provider-worker's choice, made where target
// health is seen.
import type { CatalogEntry } from '@switchyard/config';
import { GatewayError, TOPICS, parseRequestsTopicEvent, CONSUMER_GROUPS, requestedModel, requestTexts, validateChatRequest, validateEmbedRequest, validateModerationRequest, validateRerankRequest, validateImageGenerationRequest, validateTranscriptionRequest, type RequestEvent, type RequestsTopicEvent } from '@switchyard/contracts';
import type { EventAuthenticator, Limiter } from '@switchyard/keys';
import { failedCompletion, type Stage } from '@switchyard/pipeline';
import { costOf, promptTokenBounds, textTokenBounds, type PriceTable } from '@switchyard/pricing';
import { gatewayMetrics } from '@switchyard/telemetry';

/** The most output a request without max_tokens is reserved for; docs/keys.md says so. */
export const DEFAULT_OUTPUT_RESERVATION = 4_096;

export interface RouterLimits {
  limiter: Limiter;
  prices: PriceTable;
  /** Once virtual keys are on: who may put events on the topic (the process's, made after its stages). */
  authenticator?: () => EventAuthenticator | undefined;
}

/** Throws the error that says why the request's model cannot serve it, if it cannot. */
export function checkModel(request: RequestEvent, catalog: Map<string, CatalogEntry>): void {
  const model = requestedModel(request);
  const entry = catalog.get(model);
  if (!entry) {
    throw new GatewayError('model_not_found', `model ${JSON.stringify(model)} is not served by this gateway; ListModels shows the models it serves`);
  }
  if (!entry.enabled) throw new GatewayError('model_not_found', `model ${model} is configured, but ${entry.disabled_reason}`);
  if (request.kind === 'chat' && !entry.capabilities.chat) {
    throw new GatewayError('unsupported_capability', `model ${model} does not offer chat`);
  }
  if (request.kind === 'embed' && !entry.capabilities.embeddings) {
    throw new GatewayError('unsupported_capability', `model ${model} does not offer embeddings`);
  }
  if (request.kind === 'moderation' && !entry.capabilities.moderation) {
    throw new GatewayError('unsupported_capability', `model ${model} does not offer moderation`);
  }
  if (request.kind === 'rerank' && !entry.capabilities.rerank) {
    throw new GatewayError('unsupported_capability', `model ${model} does not offer rerank`);
  }
  if (request.kind === 'transcription' && !entry.capabilities.transcription) {
    throw new GatewayError('unsupported_capability', `model ${model} does not offer transcription`);
  }
  if (request.kind === 'image_generation' && !entry.capabilities.image_generation) {
    throw new GatewayError('unsupported_capability', `model ${model} does not offer image generation`);
  }
  if (request.stream && !entry.capabilities.streaming) {
    throw new GatewayError('unsupported_capability', `model ${model} does not offer streaming`);
  }
  if (request.kind !== 'chat') return;
  const chat = request.chat!;
  if (chat.tools && chat.tools.length > 0 && !entry.capabilities.tools) {
    throw new GatewayError('unsupported_capability', `model ${model} does not offer tools`, { param: 'tools' });
  }
  if (!entry.capabilities.vision) {
    chat.messages.forEach((message, index) => {
      const part = message.content_parts?.findIndex((candidate) => candidate.image || candidate.image_url) ?? -1;
      if (part >= 0) throw new GatewayError('unsupported_capability', `model ${model} does not offer vision: it takes no image parts`, { param: `messages[${index}].content[${part}]` });
    });
  }
}

/**
 * What a request reserves: for the tokens a minute, its prompt's tokens as estimated from its characters
 * (as OpenAI does) plus the most its answer may hold; for budgets, the most it may cost, its prompt's
 * tokens bounded by its bytes, at the dearest of the model's targets, and with a semantic cache the
 * embedding of its prompt at the dearest of the embed model's targets. Metering's count settles both.
 */
const EMBED_FRAMING_BYTES = 12;

export function reservationOf(request: RequestEvent, entry: CatalogEntry, prices: PriceTable): { tokens: number; max_cost_usd: number | undefined } {
  const prompt = request.kind === 'chat' ? promptTokenBounds(request.chat!.messages) : textTokenBounds(requestTexts(request)!);
  const output = request.kind === 'chat' ? request.chat!.max_tokens ?? DEFAULT_OUTPUT_RESERVATION : 0;
  let highest: number | undefined = 0;
  for (const target of entry.route_targets) {
    const price = prices[target];
    if (!price) {
      highest = undefined;
      break;
    }
    // Every prompt token at the dearest input price: cached ones cost less, never more.
    const input = Math.max(price.input_per_mtok, price.cache_write_per_mtok ?? 0);
    highest = Math.max(highest, costOf({ prompt_tokens: prompt.most, completion_tokens: output, total_tokens: prompt.most + output }, { input_per_mtok: input, output_per_mtok: price.output_per_mtok }).cost_usd);
  }
  if (highest !== undefined && request.kind === 'chat' && entry.cache_embed_targets) {
    // The embedded text is the messages' text with a role and separator of at most 12 bytes each.
    const embedded = prompt.most + EMBED_FRAMING_BYTES * request.chat!.messages.length;
    let dearest: number | undefined = 0;
    for (const target of entry.cache_embed_targets) {
      const price = prices[target];
      dearest = price && dearest !== undefined ? Math.max(dearest, costOf({ prompt_tokens: embedded, completion_tokens: 0, total_tokens: embedded }, price).cost_usd) : undefined;
    }
    highest = dearest === undefined ? undefined : Math.round((highest + dearest) * 1e10) / 1e10;
  }
  return { tokens: prompt.estimated + output, max_cost_usd: highest };
}

/** The checks every front door makes, for the request's kind. */
function validateRequest(request: RequestEvent): void {
  if (request.kind === 'chat') validateChatRequest(request.chat!);
  else if (request.kind === 'embed') validateEmbedRequest(request.embed!);
  else if (request.kind === 'moderation') validateModerationRequest(request.moderation!);
  else if (request.kind === 'rerank') validateRerankRequest(request.rerank!);
  else if (request.kind === 'image_generation') validateImageGenerationRequest(request.image_generation!);
  else validateTranscriptionRequest(request.transcription!);
}

export function createRouterStage(catalog: Map<string, CatalogEntry>, limits?: RouterLimits, now: () => number = Date.now): Stage<RequestsTopicEvent> {
  return {
    name: 'router',
    input: TOPICS.requests,
    // Batch requests on a topic of their own, keyed alike, so that one instance still holds an owner's counters.
    copartitionedInputs: [TOPICS.batchRequests],
    group: CONSUMER_GROUPS.router,
    parse: (value) => {
      const event = parseRequestsTopicEvent(value);
      const authenticator = limits?.authenticator?.();
      return authenticator ? authenticator.authenticate(event) : event;
    },
    maxInFlightBatches: 8,
    async handle(event) {
      if ('type' in event) {
        await limits?.limiter.settle(event);
        return [];
      }
      const request = event;
      if (now() > request.deadline_at) {
        return [failedCompletion(request, new GatewayError('deadline_exceeded', 'the deadline passed before the request was routed'), 'router')];
      }
      try {
        // Requests produced straight to the topic (batch inference) meet the same rules as the front doors'.
        validateRequest(request);
        checkModel(request, catalog);
        // A producer's request was not seen by the front door, which checks a key's models.
        const modelRefusal = limits?.authenticator?.()?.modelRefusal(request);
        if (modelRefusal) throw new GatewayError('model_not_allowed', modelRefusal);
        if (request.limits && limits) {
          const { tokens, max_cost_usd } = reservationOf(request, catalog.get(requestedModel(request))!, limits.prices);
          const admission = await limits.limiter.admit({ request_id: request.request_id, received_at: request.received_at, limits: request.limits, tokens, max_cost_usd, deadline_at: request.deadline_at });
          request.rate_limit = admission.rate_limit;
          if (!admission.admitted) {
            gatewayMetrics().limitRefusals.inc([admission.limit, admission.holder]);
            return [failedCompletion(request, admission.error, 'router')];
          }
          request.reservation = admission.reservation;
        }
        // The signature is checked here and nowhere after: it goes no further.
        const { signature: _checked, ...routed } = request;
        return [{ topic: TOPICS.routed, key: request.request_id, value: routed }];
      } catch (error) {
        return [failedCompletion(request, GatewayError.from(error), 'router')];
      }
    },
    // A settlement that failed is only logged: it is no request, and nobody waits for it.
    onFailure: (event, error) => ('type' in event ? [] : [failedCompletion(event, error, 'router')]),
  };
}
