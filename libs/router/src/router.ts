// The router: resolves the requested model name to a provider and the provider's own model name.
import type { CatalogEntry } from '@switchyard/config';
import { GatewayError, TOPICS, parseRequestEvent, CONSUMER_GROUPS, validateChatRequest, validateEmbedRequest, type RequestEvent, type Route } from '@switchyard/contracts';
import { failedCompletion, type Stage } from '@switchyard/pipeline';

/** The route of a request, or the error that says why it has none. */
export function resolveRoute(request: RequestEvent, catalog: Map<string, CatalogEntry>): Route {
  const model = request.kind === 'chat' ? request.chat!.model : request.embed!.model;
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
  if (request.stream && !entry.capabilities.streaming) {
    throw new GatewayError('unsupported_capability', `model ${model} does not offer streaming`);
  }
  return { provider: entry.provider, upstream_model: entry.upstream_model };
}

export function createRouterStage(catalog: Map<string, CatalogEntry>, now: () => number = Date.now): Stage<RequestEvent> {
  return {
    name: 'router',
    input: TOPICS.requests,
    group: CONSUMER_GROUPS.router,
    parse: parseRequestEvent,
    maxInFlightBatches: 8,
    handle(request) {
      if (now() > request.deadline_at) {
        return [failedCompletion(request, new GatewayError('deadline_exceeded', 'the deadline passed before the request was routed'), 'router')];
      }
      try {
        // Requests produced straight to the topic (batch inference) meet the same rules as the front doors'.
        if (request.kind === 'chat') validateChatRequest(request.chat!);
        else validateEmbedRequest(request.embed!);
        const route = resolveRoute(request, catalog);
        return [{ topic: TOPICS.routed, key: request.request_id, value: { ...request, route } }];
      } catch (error) {
        return [failedCompletion(request, GatewayError.from(error), 'router')];
      }
    },
    onFailure: (request, error) => [failedCompletion(request, error, 'router')],
  };
}
