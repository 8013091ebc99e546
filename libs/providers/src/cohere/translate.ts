// Pure translators between the unified model and Cohere's Chat v2 and Embed v2 wire format. No I/O here.
import type { ChatMessage, ChatRequest, ChatResult, ContentPart, EmbedRequest, EmbedResult, FinishReason, Usage } from '@switchyard/contracts';
import { GatewayError } from '@switchyard/contracts';
import { base64Of } from '../openai-compatible/translate';
import type { ChatStreamEvent } from '../provider';
import type {
  CohereChatRequest,
  CohereChatResponse,
  CohereEmbedRequest,
  CohereEmbedResponse,
  CohereMessage,
  CohereStreamEvent,
  CohereTool,
  CohereUsage,
  CohereUserContent,
} from './wire';

export function toCohereChatRequest(request: ChatRequest, stream: boolean): CohereChatRequest {
  const body: CohereChatRequest = { model: request.model, messages: request.messages.map(toCohereMessage) };
  let tools = request.tools ?? [];
  const mode = request.tool_choice?.mode;
  if (mode === 'function') {
    // Cohere can require a tool call but not name the tool, so only the named tool is offered.
    tools = tools.filter((tool) => tool.function.name === request.tool_choice?.function_name);
    if (tools.length === 0) throw new GatewayError('invalid_request', `tool_choice names ${request.tool_choice?.function_name ?? '(no name)'}, which is not among the tools`);
  }
  if (tools.length > 0) {
    body.tools = tools.map(
      (tool): CohereTool => ({
        type: 'function',
        function: {
          name: tool.function.name,
          ...(tool.function.description ? { description: tool.function.description } : {}),
          ...(tool.function.parameters_json ? { parameters: parseJson(tool.function.parameters_json, `tool ${tool.function.name} parameters`) } : {}),
        },
      }),
    );
    if (tools.some((tool) => tool.function.strict)) body.strict_tools = true;
  }
  if (mode === 'required' || mode === 'function') body.tool_choice = 'REQUIRED';
  else if (mode === 'none') body.tool_choice = 'NONE';
  const format = request.response_format;
  if (format?.type === 'json_schema') {
    body.response_format = { type: 'json_object', ...(format.json_schema ? { json_schema: parseJson(format.json_schema, 'response_format.json_schema') } : {}) };
  } else if (format?.type === 'json_object' || format?.type === 'text') {
    body.response_format = { type: format.type };
  }
  if (request.max_tokens !== undefined) body.max_tokens = request.max_tokens;
  if (request.stop && request.stop.length > 0) body.stop_sequences = request.stop;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.top_p !== undefined) body.p = request.top_p;
  if (stream) body.stream = true;
  return body;
}

function toCohereMessage(message: ChatMessage): CohereMessage {
  switch (message.role) {
    case 'system':
      return { role: 'system', content: textOf(message) };
    case 'user':
      return { role: 'user', content: message.content_parts && message.content_parts.length > 0 ? message.content_parts.map(toCohereContent) : (message.content ?? '') };
    case 'assistant': {
      const out: CohereMessage = { role: 'assistant' };
      const text = textOf(message);
      if (text) out.content = text;
      if (message.tool_calls && message.tool_calls.length > 0) {
        out.tool_calls = message.tool_calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments } }));
      }
      return out;
    }
    case 'tool':
      if (!message.tool_call_id) throw new GatewayError('invalid_request', 'a tool message needs the tool_call_id it answers');
      return { role: 'tool', tool_call_id: message.tool_call_id, content: textOf(message) };
    default:
      throw new GatewayError('invalid_request', `Cohere has no message role ${message.role}`);
  }
}

function toCohereContent(part: ContentPart): CohereUserContent {
  if (part.image_url) return { type: 'image_url', image_url: { url: part.image_url.url, ...(part.image_url.detail ? { detail: part.image_url.detail } : {}) } };
  // Cohere takes inline images as data URLs in image_url.
  if (part.image) return { type: 'image_url', image_url: { url: `data:${part.image.mime_type};base64,${base64Of(part.image.data)}` } };
  return { type: 'text', text: part.text ?? '' };
}

function textOf(message: ChatMessage): string {
  if (message.content_parts && message.content_parts.length > 0) return message.content_parts.map((part) => part.text ?? '').join('');
  return message.content ?? '';
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new GatewayError('invalid_request', `${what} is not valid JSON`);
  }
}

export function fromCohereFinishReason(reason: string | undefined): FinishReason {
  switch (reason) {
    case 'COMPLETE':
    case 'STOP_SEQUENCE':
      return 'stop';
    case 'MAX_TOKENS':
      return 'length';
    case 'TOOL_CALL':
      return 'tool_calls';
    default:
      return 'error';
  }
}

export function fromCohereUsage(usage: CohereUsage | undefined): Usage | undefined {
  if (!usage) return undefined;
  // Billed units are what Cohere charges for; `tokens` also counts what it adds around the prompt.
  const prompt = usage.billed_units?.input_tokens ?? usage.tokens?.input_tokens;
  const completion = usage.billed_units?.output_tokens ?? usage.tokens?.output_tokens;
  if (prompt === undefined && completion === undefined) return undefined;
  const result: Usage = { prompt_tokens: prompt ?? 0, completion_tokens: completion ?? 0, total_tokens: (prompt ?? 0) + (completion ?? 0) };
  // Documented as a count of prompt tokens; kept within the prompt it is part of, as the other adapters' are.
  const cached = Math.min(Math.round(usage.cached_tokens ?? 0), result.prompt_tokens);
  if (cached > 0) result.cached_prompt_tokens = cached;
  return result;
}

export function fromCohereChatResponse(provider: string, response: CohereChatResponse): ChatResult {
  if (!response || typeof response.message !== 'object' || response.message === null) {
    throw new GatewayError('provider_bad_response', `${provider} returned a chat response without a message`);
  }
  const text = (response.message.content ?? []).map((item) => (item.type === 'text' ? item.text : '')).join('');
  const message: ChatMessage = { role: 'assistant', content: text };
  if (response.message.tool_calls && response.message.tool_calls.length > 0) {
    message.tool_calls = response.message.tool_calls.map((call) => ({
      id: call.id,
      type: 'function',
      function: { name: call.function.name, arguments: call.function.arguments },
    }));
  }
  const result: ChatResult = { provider_response_id: response.id, choices: [{ index: 0, message, finish_reason: fromCohereFinishReason(response.finish_reason) }] };
  const usage = fromCohereUsage(response.usage);
  if (usage) result.usage = usage;
  return result;
}

/**
 * Turns Cohere's stream events into unified stream events. Keeps the response id, which only
 * message-start carries, and numbers tool calls in the order they start.
 */
export class CohereStreamTranslator {
  private responseId?: string;
  /** Our tool-call index by Cohere's event index. */
  private readonly toolCalls = new Map<number, number>();
  private lastToolCall?: number;
  private ended = false;

  /** Whether message-end arrived; a stream that closes before it was cut short. */
  get finished(): boolean {
    return this.ended;
  }

  translate(event: CohereStreamEvent): ChatStreamEvent[] {
    const id = () => (this.responseId ? { provider_response_id: this.responseId } : {});
    switch (event.type) {
      case 'message-start':
        this.responseId = event.id;
        return [{ index: 0, role: 'assistant', ...id() }];
      case 'content-delta': {
        const text = event.delta?.message?.content?.text;
        return text ? [{ index: 0, content: text, ...id() }] : [];
      }
      case 'tool-call-start': {
        const call = event.delta?.message?.tool_calls;
        const index = this.toolCalls.size;
        this.toolCalls.set(event.index ?? index, index);
        this.lastToolCall = index;
        return [
          {
            index: 0,
            tool_calls: [{ index, id: call?.id ?? '', type: 'function', function: { name: call?.function?.name ?? '', arguments: call?.function?.arguments ?? '' } }],
            ...id(),
          },
        ];
      }
      case 'tool-call-delta': {
        const fragment = event.delta?.message?.tool_calls?.function?.arguments;
        const index = event.index === undefined ? this.lastToolCall : this.toolCalls.get(event.index);
        if (!fragment) return [];
        if (index === undefined) throw new GatewayError('provider_bad_response', 'cohere sent tool-call arguments before the tool call started');
        return [{ index: 0, tool_calls: [{ index, function: { arguments: fragment } }], ...id() }];
      }
      case 'message-end': {
        this.ended = true;
        const out: ChatStreamEvent = { index: 0, finish_reason: fromCohereFinishReason(event.delta?.finish_reason), ...id() };
        const usage = fromCohereUsage(event.delta?.usage);
        if (usage) out.usage = usage;
        return [out];
      }
      default:
        // content-start/-end carry no text; tool plans, citations and debug events have no unified form.
        return [];
    }
  }
}

/** `inputType` is Cohere's required input_type: search_document, search_query, classification or clustering. */
export function toCohereEmbedRequest(request: EmbedRequest, inputType: string): CohereEmbedRequest {
  const body: CohereEmbedRequest = { model: request.model, texts: request.input, input_type: inputType, embedding_types: ['float'] };
  if (request.dimensions) body.output_dimension = request.dimensions;
  return body;
}

export function fromCohereEmbedResponse(provider: string, response: CohereEmbedResponse, inputs: number): EmbedResult {
  const vectors = response?.embeddings?.float;
  if (!Array.isArray(vectors)) throw new GatewayError('provider_bad_response', `${provider} returned no float embeddings`);
  if (vectors.length !== inputs) throw new GatewayError('provider_bad_response', `${provider} returned ${vectors.length} embeddings for ${inputs} inputs`);
  const result: EmbedResult = { data: vectors.map((embedding, index) => ({ index, embedding })) };
  const billed = response.meta?.billed_units?.input_tokens;
  if (billed !== undefined) result.usage = { prompt_tokens: billed, completion_tokens: 0, total_tokens: billed };
  return result;
}
