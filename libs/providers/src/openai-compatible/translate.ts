// Pure translators between the unified model and OpenAI's wire format. No I/O here.
import type {
  ChatMessage,
  ChatRequest,
  ChatResult,
  ContentPart,
  EmbedRequest,
  EmbedResult,
  FinishReason,
  Usage,
} from '@switchyard/contracts';
import { GatewayError } from '@switchyard/contracts';
import type { ChatStreamEvent } from '../provider';
import type {
  OpenAIChatChunk,
  OpenAIChatRequest,
  OpenAIChatResponse,
  OpenAIContentPart,
  OpenAIEmbeddingRequest,
  OpenAIEmbeddingResponse,
  OpenAIMessage,
  OpenAIToolCallDelta,
  OpenAIUsage,
} from './wire';

export interface OpenAITranslateOptions {
  /** OpenAI itself takes max_completion_tokens; most compatible servers still only know max_tokens. */
  maxTokensField: 'max_tokens' | 'max_completion_tokens';
  /** Whether to ask for the final usage chunk (stream_options); servers that always send usage reject it. */
  streamUsage: boolean;
}

export function toOpenAIChatRequest(request: ChatRequest, stream: boolean, options: OpenAITranslateOptions): OpenAIChatRequest {
  const body: OpenAIChatRequest = { model: request.model, messages: request.messages.map(toOpenAIMessage) };
  if (request.max_tokens !== undefined) body[options.maxTokensField] = request.max_tokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.top_p !== undefined) body.top_p = request.top_p;
  if (request.stop && request.stop.length > 0) body.stop = request.stop;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.user) body.user = request.user;
  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.function.name,
        ...(tool.function.description ? { description: tool.function.description } : {}),
        ...(tool.function.parameters_json ? { parameters: JSON.parse(tool.function.parameters_json) } : {}),
        ...(tool.function.strict !== undefined ? { strict: tool.function.strict } : {}),
      },
    }));
  }
  if (request.tool_choice?.mode) {
    body.tool_choice =
      request.tool_choice.mode === 'function'
        ? { type: 'function', function: { name: request.tool_choice.function_name ?? '' } }
        : (request.tool_choice.mode as 'auto' | 'none' | 'required');
  }
  const format = request.response_format;
  if (format?.type === 'json_schema') {
    body.response_format = {
      type: 'json_schema',
      json_schema: {
        name: format.json_schema_name || 'response',
        ...(format.json_schema ? { schema: JSON.parse(format.json_schema) } : {}),
        ...(format.strict !== undefined ? { strict: format.strict } : {}),
      },
    };
  } else if (format?.type === 'json_object' || format?.type === 'text') {
    body.response_format = { type: format.type };
  }
  if (stream) {
    body.stream = true;
    if (options.streamUsage) body.stream_options = { include_usage: true };
  }
  return body;
}

function toOpenAIMessage(message: ChatMessage): OpenAIMessage {
  const out: OpenAIMessage = { role: message.role as OpenAIMessage['role'] };
  if (message.content_parts && message.content_parts.length > 0) {
    out.content = message.content_parts.map(toOpenAIContentPart);
  } else {
    out.content = message.content ?? '';
  }
  if (message.name) out.name = message.name;
  if (message.tool_calls && message.tool_calls.length > 0) {
    out.tool_calls = message.tool_calls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.function.name, arguments: call.function.arguments },
    }));
    if (!message.content && !message.content_parts?.length) out.content = null;
  }
  if (message.tool_call_id) out.tool_call_id = message.tool_call_id;
  return out;
}

function toOpenAIContentPart(part: ContentPart): OpenAIContentPart {
  if (part.image_url) {
    return { type: 'image_url', image_url: { url: part.image_url.url, ...(part.image_url.detail ? { detail: part.image_url.detail } : {}) } };
  }
  if (part.image) {
    return { type: 'image_url', image_url: { url: `data:${part.image.mime_type};base64,${base64Of(part.image.data)}` } };
  }
  return { type: 'text', text: part.text ?? '' };
}

export function base64Of(data: Uint8Array | string): string {
  return typeof data === 'string' ? data : Buffer.from(data).toString('base64');
}

export function fromOpenAIFinishReason(reason: string | null | undefined): FinishReason | undefined {
  switch (reason) {
    case null:
    case undefined:
      return undefined;
    case 'stop':
      return 'stop';
    case 'length':
    case 'model_length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    case 'content_filter':
      return 'content_filter';
    case 'error':
      return 'error';
    default:
      return 'stop';
  }
}

export function fromOpenAIUsage(usage: OpenAIUsage | null | undefined): Usage | undefined {
  if (!usage) return undefined;
  const out: Usage = {
    prompt_tokens: usage.prompt_tokens ?? 0,
    completion_tokens: usage.completion_tokens ?? 0,
    total_tokens: usage.total_tokens ?? (usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0),
  };
  // DeepSeek reports its cache hits in a field of its own.
  const cached = usage.prompt_tokens_details?.cached_tokens || usage.prompt_cache_hit_tokens;
  if (cached) out.cached_prompt_tokens = cached;
  return out;
}

export function fromOpenAIChatResponse(provider: string, response: OpenAIChatResponse): ChatResult {
  if (!response || !Array.isArray(response.choices)) {
    throw new GatewayError('provider_bad_response', `${provider} returned a completion without choices`);
  }
  const result: ChatResult = {
    provider_response_id: response.id,
    choices: response.choices.map((choice) => {
      // A refusal comes instead of content; the unified model has no field for it, so it becomes the text.
      const message: ChatMessage = { role: 'assistant', content: textOf(choice.message?.content) || (choice.message?.refusal ?? '') };
      if (choice.message?.tool_calls?.length) {
        message.tool_calls = choice.message.tool_calls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.function.name, arguments: call.function.arguments },
        }));
      }
      return { index: choice.index, message, finish_reason: fromOpenAIFinishReason(choice.finish_reason) ?? 'stop' };
    }),
  };
  const usage = fromOpenAIUsage(response.usage);
  if (usage) result.usage = usage;
  return result;
}

function textOf(content: OpenAIMessage['content']): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => (part.type === 'text' ? part.text : '')).join('');
  return '';
}

/**
 * Numbers the tool calls of one stream. OpenAI numbers parallel calls itself, but Mistral and Ollama
 * send each call whole under index 0 (or none), which a reassembler would merge into one call: a
 * fragment with an id the index has not carried yet starts a new call.
 */
export class StreamToolCallIndexer {
  private readonly choices = new Map<number, { byWireIndex: Map<number, number>; ids: Map<number, string>; next: number }>();

  index(choice: number, call: OpenAIToolCallDelta): number {
    let state = this.choices.get(choice);
    if (!state) this.choices.set(choice, (state = { byWireIndex: new Map(), ids: new Map(), next: 0 }));
    const wireIndex = call.index ?? 0;
    let unified = state.byWireIndex.get(wireIndex);
    if (unified === undefined || (call.id && state.ids.get(unified) !== call.id)) {
      unified = state.next++;
      state.byWireIndex.set(wireIndex, unified);
    }
    if (call.id) state.ids.set(unified, call.id);
    return unified;
  }
}

/**
 * One streamed chunk as unified stream events (none for a chunk that carries nothing). Pass the
 * stream's indexer so that tool calls keep distinct indexes across chunks.
 */
export function fromOpenAIChatChunk(chunk: OpenAIChatChunk, indexer = new StreamToolCallIndexer()): ChatStreamEvent[] {
  const events: ChatStreamEvent[] = [];
  for (const choice of chunk.choices ?? []) {
    const event: ChatStreamEvent = { index: choice.index ?? 0, provider_response_id: chunk.id };
    if (choice.delta?.role) event.role = choice.delta.role;
    if (choice.delta?.content) event.content = choice.delta.content;
    else if (choice.delta?.refusal) event.content = choice.delta.refusal;
    if (choice.delta?.tool_calls?.length) {
      event.tool_calls = choice.delta.tool_calls.map((call) => ({
        index: indexer.index(choice.index ?? 0, call),
        ...(call.id ? { id: call.id } : {}),
        ...(call.type ? { type: call.type } : {}),
        ...(call.function ? { function: { ...call.function } } : {}),
      }));
    }
    const finish = fromOpenAIFinishReason(choice.finish_reason);
    if (finish) event.finish_reason = finish;
    events.push(event);
  }
  // Groq reports streamed usage under x_groq rather than in the usual field.
  const usage = fromOpenAIUsage(chunk.usage ?? chunk.x_groq?.usage);
  if (usage) events.push({ index: 0, usage, provider_response_id: chunk.id });
  return events;
}

export function toOpenAIEmbeddingRequest(request: EmbedRequest): OpenAIEmbeddingRequest {
  const body: OpenAIEmbeddingRequest = { model: request.model, input: request.input, encoding_format: 'float' };
  if (request.dimensions) body.dimensions = request.dimensions;
  if (request.user) body.user = request.user;
  return body;
}

export function fromOpenAIEmbeddingResponse(provider: string, response: OpenAIEmbeddingResponse): EmbedResult {
  if (!response || !Array.isArray(response.data)) {
    throw new GatewayError('provider_bad_response', `${provider} returned embeddings without data`);
  }
  const data = response.data.map((item) => ({
    index: item.index,
    embedding: typeof item.embedding === 'string' ? decodeBase64Floats(item.embedding) : item.embedding,
  }));
  const result: EmbedResult = { data };
  if (response.usage) {
    result.usage = { prompt_tokens: response.usage.prompt_tokens, completion_tokens: 0, total_tokens: response.usage.total_tokens };
  }
  return result;
}

function decodeBase64Floats(text: string): number[] {
  const bytes = Buffer.from(text, 'base64');
  return Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 4)));
}
