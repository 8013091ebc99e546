// Cohere: Chat v2 (streamed as server-sent events, one per typed event), Embed v2 and Rerank v2.
import { credentialOf } from '@switchyard/config';
import { GatewayError } from '@switchyard/contracts';
import { credentialsOf, scrubbingCredentials } from '../credentials';
import { parseEventJson, sendForEvents, sendJson, type HttpCall } from '../http';
import type { ProviderAdapter, ProviderFactory } from '../provider';
import { fromCohereRerankResponse, toCohereRerankRequest, type CohereRerankResponse } from './rerank';
import { CohereStreamTranslator, fromCohereChatResponse, fromCohereEmbedResponse, toCohereChatRequest, toCohereEmbedRequest } from './translate';
import type { CohereChatResponse, CohereEmbedResponse, CohereStreamEvent } from './wire';

export const COHERE_DEFAULT_BASE_URL = 'https://api.cohere.com/v2';
/** Embed v3 models require an input_type; documents for a search index is the common case. */
export const COHERE_DEFAULT_EMBED_INPUT_TYPE = 'search_document';

export interface CohereOptions {
  name: string;
  baseUrl: string;
  apiKey?: string;
  embedInputType?: string;
}

export function createCohereProvider(options: CohereOptions): ProviderAdapter {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const headers: Record<string, string> = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
  const call = (path: string, body: unknown, signal: AbortSignal): HttpCall => ({ provider: options.name, url: `${baseUrl}${path}`, headers, body, signal });

  return scrubbingCredentials({
    name: options.name,

    async chat(request, { signal }) {
      const response = await sendJson<CohereChatResponse>(call('/chat', toCohereChatRequest(request, false), signal));
      return fromCohereChatResponse(options.name, response);
    },

    async *chatStream(request, { signal }) {
      const translator = new CohereStreamTranslator();
      for await (const message of sendForEvents(call('/chat', toCohereChatRequest(request, true), signal))) {
        // Cohere does not document a [DONE] sentinel, but its own SDK skips one; so do we.
        if (message.data === '[DONE]') continue;
        const event = parseEventJson<CohereStreamEvent>(options.name, message.data);
        if (event.type === 'message-end' && event.delta?.error) {
          throw new GatewayError('provider_unavailable', `${options.name} reported an error mid-stream: ${event.delta.error}`);
        }
        yield* translator.translate(event);
      }
      if (!translator.finished) throw new GatewayError('provider_bad_response', `${options.name} ended the stream before message-end`);
    },

    async embed(request, { signal }) {
      const body = toCohereEmbedRequest(request, options.embedInputType ?? COHERE_DEFAULT_EMBED_INPUT_TYPE);
      const response = await sendJson<CohereEmbedResponse>(call('/embed', body, signal));
      return fromCohereEmbedResponse(options.name, response, request.input.length);
    },

    async rerank(request, { signal }) {
      const response = await sendJson<CohereRerankResponse>(call('/rerank', toCohereRerankRequest(request), signal));
      return fromCohereRerankResponse(options.name, response, request);
    },
  }, credentialsOf(baseUrl, options.apiKey));
}

export const cohereProviderFactory: ProviderFactory = (config, env) => {
  return createCohereProvider({
    name: 'cohere',
    baseUrl: (config.base_url as string | undefined) ?? COHERE_DEFAULT_BASE_URL,
    apiKey: credentialOf('cohere', config, 'api_key_env', env),
    embedInputType: config.embed_input_type as string | undefined,
  });
};
