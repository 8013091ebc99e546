// An adapter for any API that speaks OpenAI's chat completions format. OpenAI itself, Azure OpenAI,
// Mistral, Groq, Together, Fireworks, DeepSeek, xAI, OpenRouter, Perplexity, Ollama and vLLM are
// configurations of it.
import { GatewayError, type ChatRequest, type EmbedRequest } from '@switchyard/contracts';
import { credentialsOf, scrubbingCredentials } from '../credentials';
import { parseEventJson, sendForEvents, sendJson, type HttpCall } from '../http';
import type { ChatStreamEvent, ProviderAdapter } from '../provider';
import type { ModerationDialect } from './moderation';
import { fromOpenAIImageResponse, toOpenAIImageRequest, type OpenAIImageResponse } from './images';
import { fromOpenAITranscriptionResponse, multipartBody, toOpenAITranscriptionForm, type OpenAITranscriptionResponse } from './transcription';
import {
  fromOpenAIChatChunk,
  fromOpenAIChatResponse,
  fromOpenAIEmbeddingResponse,
  StreamToolCallIndexer,
  toOpenAIChatRequest,
  toOpenAIEmbeddingRequest,
  type OpenAITranslateOptions,
} from './translate';
import type { OpenAIChatChunk, OpenAIChatRequest, OpenAIChatResponse, OpenAIEmbeddingRequest, OpenAIEmbeddingResponse } from './wire';

export type OpenAIOperation = 'chat' | 'embeddings' | 'moderations' | 'images' | 'transcriptions';

export interface OpenAICompatibleOptions extends Partial<OpenAITranslateOptions> {
  name: string;
  baseUrl: string;
  apiKey?: string;
  /** How the key travels: `authorization: Bearer <key>` by default; Azure wants `api-key: <key>`. */
  authHeader?: 'authorization' | 'api-key';
  /** Extra headers, e.g. OpenRouter's attribution headers. */
  headers?: Record<string, string>;
  /** Query parameters of every call, e.g. Azure's api-version. */
  query?: Record<string, string>;
  /** The path of a call under baseUrl; "/chat/completions" and "/embeddings" unless given (Azure names the deployment in it). */
  path?: (operation: OpenAIOperation, model: string) => string;
  /** Whether the API offers embeddings. */
  embeddings?: boolean;
  /** Whether its chat models call tools (Perplexity's Sonar do not): a request with tools or tool history is refused. */
  tools?: boolean;
  /** Whether its chat models read images (DeepSeek's do not): a request with an image is refused. */
  imageInput?: boolean;
  /** Rewrites a translated chat body into a dialect (e.g. Mistral's); pure. */
  chatBody?: (body: OpenAIChatRequest, request: ChatRequest) => object;
  /** Rewrites a translated embedding body into a dialect; pure. */
  embedBody?: (body: OpenAIEmbeddingRequest, request: EmbedRequest) => object;
  /** The dialect of the API's moderations endpoint, when it has one (OpenAI's, Mistral's). */
  moderation?: ModerationDialect;
  /** Whether the API generates images at POST /images/generations (OpenAI's). */
  images?: boolean;
  /** Whether the API transcribes audio at POST /audio/transcriptions (OpenAI's, Groq's). */
  transcriptions?: boolean;
}

const DEFAULT_PATHS: Record<OpenAIOperation, string> = { chat: '/chat/completions', embeddings: '/embeddings', moderations: '/moderations', images: '/images/generations', transcriptions: '/audio/transcriptions' };

export function createOpenAICompatibleProvider(options: OpenAICompatibleOptions): ProviderAdapter {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const translate: OpenAITranslateOptions = {
    maxTokensField: options.maxTokensField ?? 'max_tokens',
    streamUsage: options.streamUsage ?? true,
  };
  const headers: Record<string, string> = { ...options.headers };
  if (options.apiKey) {
    if (options.authHeader === 'api-key') headers['api-key'] = options.apiKey;
    else headers.authorization = `Bearer ${options.apiKey}`;
  }
  const query = options.query && Object.keys(options.query).length > 0 ? `?${new URLSearchParams(options.query)}` : '';
  const call = (operation: OpenAIOperation, model: string, body: unknown, signal: AbortSignal): HttpCall => ({
    provider: options.name,
    url: `${baseUrl}${options.path ? options.path(operation, model) : DEFAULT_PATHS[operation]}${query}`,
    headers,
    body,
    signal,
  });
  const chatBody = (request: ChatRequest, stream: boolean) => {
    if (options.tools === false || options.imageInput === false) refuseWhatItCannotTake(options, request);
    const body = toOpenAIChatRequest(request, stream, translate);
    return options.chatBody ? options.chatBody(body, request) : body;
  };

  const adapter: ProviderAdapter = {
    name: options.name,

    async chat(request, { signal }) {
      const response = await sendJson<OpenAIChatResponse>(call('chat', request.model, chatBody(request, false), signal));
      return fromOpenAIChatResponse(options.name, response);
    },

    async *chatStream(request, { signal }) {
      const events = sendForEvents(call('chat', request.model, chatBody(request, true), signal));
      const indexer = new StreamToolCallIndexer();
      for await (const event of events) {
        if (event.data === '[DONE]') return;
        const chunk = parseEventJson<OpenAIChatChunk & { error?: { message?: string } }>(options.name, event.data);
        if (chunk.error) {
          throw new GatewayError('provider_unavailable', `${options.name} reported an error mid-stream: ${chunk.error.message ?? 'unknown'}`);
        }
        for (const unified of fromOpenAIChatChunk(chunk, indexer)) yield unified satisfies ChatStreamEvent;
      }
      // Every compatible server ends a complete stream with [DONE]; without it the answer was cut short.
      throw new GatewayError('provider_bad_response', `${options.name} ended the stream before [DONE]`);
    },
  };
  if (options.embeddings !== false) {
    adapter.embed = async (request, { signal }) => {
      const wire = toOpenAIEmbeddingRequest(request);
      const body = options.embedBody ? options.embedBody(wire, request) : wire;
      const response = await sendJson<OpenAIEmbeddingResponse>(call('embeddings', request.model, body, signal));
      return fromOpenAIEmbeddingResponse(options.name, response);
    };
  }
  const { moderation } = options;
  if (moderation) {
    adapter.moderate = async (request, { signal }) => moderation.fromResponse(options.name, await sendJson<unknown>(call('moderations', request.model, moderation.toRequest(request), signal)), request);
  }
  if (options.images) {
    adapter.generateImage = async (request, { signal }) =>
      fromOpenAIImageResponse(options.name, request, await sendJson<OpenAIImageResponse>(call('images', request.model, toOpenAIImageRequest(request), signal)));
  }
  if (options.transcriptions) {
    adapter.transcribe = async (request, { signal }) => {
      const { body, contentType } = await multipartBody(toOpenAITranscriptionForm(request));
      const transcription = call('transcriptions', request.model, body, signal);
      return fromOpenAITranscriptionResponse(options.name, await sendJson<OpenAITranscriptionResponse>({ ...transcription, headers: { ...headers, 'content-type': contentType } }));
    };
  }
  return scrubbingCredentials(adapter, credentialsOf(baseUrl, options.apiKey));
}

/**
 * Refuses, before any call, a request the provider's models cannot take, which the provider would
 * otherwise refuse with a message of its own or answer without what was asked (tools left unused).
 */
function refuseWhatItCannotTake(options: OpenAICompatibleOptions, request: ChatRequest): void {
  for (const message of request.messages) {
    if (options.tools === false && (message.tool_calls?.length || message.role === 'tool')) {
      throw new GatewayError('unsupported_capability', `${options.name} does not call tools, so a conversation with tool calls or tool results cannot be sent to it`);
    }
    if (options.imageInput === false && message.content_parts?.some((part) => part.image_url !== undefined || part.image !== undefined)) {
      throw new GatewayError('unsupported_capability', `${options.name}'s chat models take text only; send the request without images, or to a model that reads them`);
    }
  }
  if (options.tools === false && (request.tools?.length || request.tool_choice)) {
    throw new GatewayError('unsupported_capability', `${options.name} does not call tools; send the request without tools, or to a model that calls them`);
  }
}
