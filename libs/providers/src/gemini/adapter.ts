// Google's Gemini API: generateContent, streamGenerateContent (server-sent events) and
// batchEmbedContents, and Imagen's predict (./imagen.ts). The key goes in the x-goog-api-key header, never in the URL, so that it cannot
// end up in a log line that prints the URL.
import { fromImagenResponse, toImagenRequest, type ImagenPredictResponse } from './imagen';
import { credentialOf } from '@switchyard/config';
import { GatewayError } from '@switchyard/contracts';
import { credentialsOf, scrubbingCredentials } from '../credentials';
import { parseEventJson, sendForEvents, sendJson, statusToErrorCode, type HttpCall } from '../http';
import type { ProviderAdapter, ProviderFactory } from '../provider';
import {
  fromGeminiEmbedResponse,
  fromGeminiResponse,
  geminiModelName,
  GeminiStreamTranslator,
  toGeminiEmbedRequest,
  toGeminiRequest,
} from './translate';
import type { GeminiBatchEmbedContentsResponse, GeminiErrorBody, GeminiGenerateContentResponse } from './wire';

export const GEMINI_DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta';

export interface GeminiOptions {
  name: string;
  baseUrl: string;
  apiKey?: string;
}

export function createGeminiProvider(options: GeminiOptions): ProviderAdapter {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const headers: Record<string, string> = options.apiKey ? { 'x-goog-api-key': options.apiKey } : {};
  const call = (model: string, method: string, body: unknown, signal: AbortSignal, query = ''): HttpCall => ({
    provider: options.name,
    url: `${baseUrl}/${geminiModelName(model)}:${method}${query}`,
    headers,
    body,
    signal,
  });

  return scrubbingCredentials({
    name: options.name,

    async chat(request, { signal }) {
      const response = await sendJson<GeminiGenerateContentResponse>(call(request.model, 'generateContent', toGeminiRequest(request), signal));
      return fromGeminiResponse(options.name, response);
    },

    async *chatStream(request, { signal }) {
      const translator = new GeminiStreamTranslator();
      for await (const event of sendForEvents(call(request.model, 'streamGenerateContent', toGeminiRequest(request), signal, '?alt=sse'))) {
        const chunk = parseEventJson<GeminiGenerateContentResponse & Partial<GeminiErrorBody>>(options.name, event.data);
        if (chunk.error) {
          const status = typeof chunk.error.code === 'number' ? chunk.error.code : 500;
          throw new GatewayError(statusToErrorCode(status), `${options.name} reported an error mid-stream: ${chunk.error.message ?? 'unknown'}`, {
            providerStatus: status,
          });
        }
        yield* translator.translate(chunk);
      }
      // Gemini sends no end marker: the stream is complete once a chunk has given a finish reason.
      if (!translator.finished) throw new GatewayError('provider_bad_response', `${options.name} ended the stream before a finish reason`);
    },

    async embed(request, { signal }) {
      const response = await sendJson<GeminiBatchEmbedContentsResponse>(call(request.model, 'batchEmbedContents', toGeminiEmbedRequest(request), signal));
      return fromGeminiEmbedResponse(options.name, response, request.input.length);
    },

    async generateImage(request, { signal }) {
      const response = await sendJson<ImagenPredictResponse>(call(request.model, 'predict', toImagenRequest(request), signal));
      return fromImagenResponse(options.name, response);
    },
  }, credentialsOf(baseUrl, options.apiKey));
}

export const geminiProviderFactory: ProviderFactory = (config, env) => {
  return createGeminiProvider({
    name: 'gemini',
    baseUrl: (config.base_url as string | undefined) ?? GEMINI_DEFAULT_BASE_URL,
    apiKey: credentialOf('gemini', config, 'api_key_env', env),
  });
};
