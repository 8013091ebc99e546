// The router: checks that the requested model is served and offers what the request asks of it. Which
// of a model's targets serves it is the provider-worker's choice, made where target health is seen.
import type { CatalogEntry } from '@switchyard/config';
import { GatewayError, TOPICS, parseRequestEvent, CONSUMER_GROUPS, validateChatRequest, validateEmbedRequest, type RequestEvent } from '@switchyard/contracts';
import { failedCompletion, type Stage } from '@switchyard/pipeline';

/** Throws the error that says why the request's model cannot serve it, if it cannot. */
export function checkModel(request: RequestEvent, catalog: Map<string, CatalogEntry>): void {
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
        checkModel(request, catalog);
        return [{ topic: TOPICS.routed, key: request.request_id, value: request }];
      } catch (error) {
        return [failedCompletion(request, GatewayError.from(error), 'router')];
      }
    },
    onFailure: (request, error) => [failedCompletion(request, error, 'router')],
  };
}
