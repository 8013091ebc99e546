// An adapter for any API that speaks OpenAI's chat completions format. OpenAI itself, and Groq,
// Together, Fireworks, DeepSeek, xAI, OpenRouter, Perplexity, Ollama and vLLM are configurations of it.
import { GatewayError } from '@switchyard/contracts';
import { parseEventJson, sendForEvents, sendJson } from '../http';
import type { ChatStreamEvent, ProviderAdapter } from '../provider';
import {
  fromOpenAIChatChunk,
  fromOpenAIChatResponse,
  fromOpenAIEmbeddingResponse,
  toOpenAIChatRequest,
  toOpenAIEmbeddingRequest,
  type OpenAITranslateOptions,
} from './translate';
import type { OpenAIChatChunk, OpenAIChatResponse, OpenAIEmbeddingResponse } from './wire';

export interface OpenAICompatibleOptions extends Partial<OpenAITranslateOptions> {
  name: string;
  baseUrl: string;
  apiKey?: string;
  /** Extra headers, e.g. OpenRouter's attribution headers. */
  headers?: Record<string, string>;
  /** Whether the API offers /embeddings. */
  embeddings?: boolean;
}

export function createOpenAICompatibleProvider(options: OpenAICompatibleOptions): ProviderAdapter {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const translate: OpenAITranslateOptions = { maxTokensField: options.maxTokensField ?? 'max_tokens' };
  const headers: Record<string, string> = { ...options.headers };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  const secrets = options.apiKey ? [options.apiKey] : [];
  const call = (path: string, body: unknown, signal: AbortSignal) => ({
    provider: options.name,
    url: `${baseUrl}${path}`,
    headers,
    body,
    signal,
    secrets,
  });

  const adapter: ProviderAdapter = {
    name: options.name,

    async chat(request, { signal }) {
      const response = await sendJson<OpenAIChatResponse>(call('/chat/completions', toOpenAIChatRequest(request, false, translate), signal));
      return fromOpenAIChatResponse(options.name, response);
    },

    async *chatStream(request, { signal }) {
      let finished = false;
      for await (const event of sendForEvents(call('/chat/completions', toOpenAIChatRequest(request, true, translate), signal))) {
        if (event.data === '[DONE]') {
          finished = true;
          break;
        }
        const chunk = parseEventJson<OpenAIChatChunk & { error?: { message?: string } }>(options.name, event.data);
        if (chunk.error) {
          throw new GatewayError('provider_unavailable', `${options.name} reported an error mid-stream: ${chunk.error.message ?? 'unknown'}`);
        }
        for (const unified of fromOpenAIChatChunk(chunk)) yield unified satisfies ChatStreamEvent;
      }
      if (!finished) throw new GatewayError('provider_bad_response', `${options.name} ended the stream before [DONE]`);
    },
  };
  if (options.embeddings !== false) {
    adapter.embed = async (request, { signal }) => {
      const response = await sendJson<OpenAIEmbeddingResponse>(call('/embeddings', toOpenAIEmbeddingRequest(request), signal));
      return fromOpenAIEmbeddingResponse(options.name, response);
    };
  }
  return adapter;
}
