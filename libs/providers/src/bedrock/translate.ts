// Pure translators between the unified model and Bedrock's Converse API. No I/O here.
import type { ChatMessage, ChatRequest, ChatResult, ContentPart, EmbedRequest, EmbedResult, ErrorCode, FinishReason, ToolCall, Usage } from '@switchyard/contracts';
import { GatewayError } from '@switchyard/contracts';
import { base64Of } from '../openai-compatible/translate';
import type { ChatStreamEvent } from '../provider';
import type {
  ConverseContentBlock,
  ConverseImageFormat,
  ConverseMediaBlock,
  ConverseMessage,
  ConverseRequest,
  ConverseResponse,
  ConverseStreamPayloads,
  ConverseToolChoice,
  ConverseUsage,
  TitanEmbedRequest,
  TitanEmbedResponse,
} from './wire';
import { requiredJsonSchema } from '../response-format';
import { TOOL_NOT_OFFERED, toolsOnlyInHistory } from '../tool-history';
import { usageWithSeparateCacheCounts } from '../usage';

const IMAGE_FORMATS: Record<string, ConverseImageFormat> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

/** The body of POST /model/{modelId}/converse and /converse-stream; the model travels in the path. */
export function toConverseRequest(request: ChatRequest): ConverseRequest {
  const system: { text: string }[] = [];
  const messages: ConverseMessage[] = [];
  for (const message of request.messages) {
    if (message.role === 'system') {
      const text = textOf(message);
      if (text) system.push({ text });
      continue;
    }
    const turn = toConverseTurn(message);
    const previous = messages[messages.length - 1];
    // Converse requires user and assistant turns to alternate (several tool results make one user turn).
    if (previous && previous.role === turn.role) previous.content.push(...turn.content);
    else messages.push(turn);
  }

  const body: ConverseRequest = { messages };
  if (system.length > 0) body.system = system;
  const inference: NonNullable<ConverseRequest['inferenceConfig']> = {};
  if (request.max_tokens !== undefined) inference.maxTokens = request.max_tokens;
  if (request.temperature !== undefined) inference.temperature = request.temperature;
  if (request.top_p !== undefined) inference.topP = request.top_p;
  if (request.stop && request.stop.length > 0) inference.stopSequences = request.stop;
  if (Object.keys(inference).length > 0) body.inferenceConfig = inference;

  const mode = request.tool_choice?.mode;
  const hasToolBlocks = messages.some((turn) => turn.content.some((block) => 'toolUse' in block || 'toolResult' in block));
  // Converse has no "none" choice: the tools are left out, unless earlier turns hold tool blocks, which
  // Converse refuses to read without a toolConfig.
  if (request.tools && request.tools.length > 0 && (mode !== 'none' || hasToolBlocks)) {
    body.toolConfig = {
      tools: request.tools.map((tool) => ({
        toolSpec: {
          name: tool.function.name,
          ...(tool.function.description ? { description: tool.function.description } : {}),
          inputSchema: {
            json: tool.function.parameters_json ? parseJson(tool.function.parameters_json, `tool ${tool.function.name} parameters`) : { type: 'object', properties: {} },
          },
        },
      })),
    };
    const choice = toConverseToolChoice(mode, request.tool_choice?.function_name);
    if (choice) body.toolConfig.toolChoice = choice;
  }
  const historyOnly = toolsOnlyInHistory(request);
  if (historyOnly.length > 0) {
    // Nor does it read them when no tools are offered (a documented ValidationException); the tools the
    // history called are declared, saying they are not offered, since Converse has no "none" choice.
    body.toolConfig = { tools: historyOnly.map((name) => ({ toolSpec: { name, description: TOOL_NOT_OFFERED, inputSchema: { json: { type: 'object' } } } })) };
  }
  const schema = requiredJsonSchema('bedrock', request.response_format);
  if (schema) {
    const name = request.response_format?.json_schema_name;
    body.outputConfig = { textFormat: { type: 'json_schema', structure: { jsonSchema: { schema, ...(name ? { name } : {}) } } } };
  }
  return body;
}

function toConverseToolChoice(mode: string | undefined, functionName: string | undefined): ConverseToolChoice | undefined {
  switch (mode) {
    case 'auto':
      return { auto: {} };
    case 'required':
      return { any: {} };
    case 'function':
      if (!functionName) throw new GatewayError('invalid_request', 'tool_choice mode "function" needs function_name');
      return { tool: { name: functionName } };
    default:
      return undefined;
  }
}

function toConverseTurn(message: ChatMessage): ConverseMessage {
  switch (message.role) {
    case 'user':
      return { role: 'user', content: contentBlocksOf(message) };
    case 'assistant': {
      const content: ConverseContentBlock[] = contentBlocksOf(message);
      for (const call of message.tool_calls ?? []) content.push({ toolUse: { toolUseId: call.id, name: call.function.name, input: toolInputOf(call) } });
      return { role: 'assistant', content };
    }
    case 'tool': {
      if (!message.tool_call_id) throw new GatewayError('invalid_request', 'a tool message needs tool_call_id');
      // Tool results travel back inside a user turn.
      return { role: 'user', content: [{ toolResult: { toolUseId: message.tool_call_id, content: contentBlocksOf(message) } }] };
    }
    default:
      throw new GatewayError('invalid_request', `unknown message role: ${message.role}`);
  }
}

/** Text and image blocks; empty text is left out because Converse rejects blank text blocks. */
function contentBlocksOf(message: ChatMessage): ConverseMediaBlock[] {
  if (message.content_parts && message.content_parts.length > 0) {
    return message.content_parts.filter((part) => part.image_url || part.image || part.text).map(toConversePart);
  }
  return message.content ? [{ text: message.content }] : [];
}

function toConversePart(part: ContentPart): ConverseMediaBlock {
  if (part.image) return { image: { format: imageFormatOf(part.image.mime_type), source: { bytes: base64Of(part.image.data) } } };
  if (part.image_url) {
    const inline = /^data:([^;,]+);base64,(.*)$/s.exec(part.image_url.url);
    // Converse takes image bytes (or an S3 location), never a web URL it would fetch itself.
    if (!inline) throw new GatewayError('unsupported_capability', 'bedrock takes images as bytes only: send the image inline, not by URL');
    return { image: { format: imageFormatOf(inline[1]), source: { bytes: inline[2] } } };
  }
  return { text: part.text ?? '' };
}

function imageFormatOf(mimeType: string): ConverseImageFormat {
  const format = IMAGE_FORMATS[mimeType.toLowerCase()];
  if (!format) throw new GatewayError('invalid_request', `bedrock does not take images of type ${mimeType} (png, jpeg, gif, webp only)`);
  return format;
}

function toolInputOf(call: ToolCall): unknown {
  return call.function.arguments.trim() === '' ? {} : parseJson(call.function.arguments, `arguments of tool call ${call.id}`);
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new GatewayError('invalid_request', `${what} is not valid JSON`);
  }
}

function textOf(message: ChatMessage): string {
  if (message.content_parts && message.content_parts.length > 0) return message.content_parts.map((part) => part.text ?? '').join('');
  return message.content ?? '';
}

export function fromConverseStopReason(reason: string | null | undefined): FinishReason | undefined {
  switch (reason) {
    case null:
    case undefined:
      return undefined;
    case 'end_turn':
    case 'stop_sequence':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/** Bedrock's inputTokens excludes cache reads and writes; the unified prompt_tokens is their sum. */
export function fromConverseUsage(usage: ConverseUsage | null | undefined): Usage | undefined {
  if (!usage) return undefined;
  return usageWithSeparateCacheCounts({ input: usage.inputTokens, output: usage.outputTokens, cacheRead: usage.cacheReadInputTokens, cacheWrite: usage.cacheWriteInputTokens });
}

export function fromConverseResponse(provider: string, response: ConverseResponse, requestId?: string): ChatResult {
  const content = response?.output?.message?.content;
  if (!Array.isArray(content)) throw new GatewayError('provider_bad_response', `${provider} returned a Converse answer without output.message`);
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of content) {
    if (typeof block.text === 'string') text += block.text;
    else if (block.toolUse) {
      toolCalls.push({ id: block.toolUse.toolUseId, type: 'function', function: { name: block.toolUse.name, arguments: JSON.stringify(block.toolUse.input ?? {}) } });
    }
  }
  const message: ChatMessage = { role: 'assistant', content: text };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  const result: ChatResult = { choices: [{ index: 0, message, finish_reason: fromConverseStopReason(response.stopReason) ?? 'stop' }] };
  if (requestId) result.provider_response_id = requestId;
  const usage = fromConverseUsage(response.usage);
  if (usage) result.usage = usage;
  return result;
}

/**
 * The error's type from x-amzn-ErrorType ("ThrottlingException:http://internal.amazon.com/...") or
 * from a body's __type ("com.amazon.coral.validate#ValidationException"), without namespace or URL.
 */
export function bedrockErrorType(header: string | null | undefined, body: unknown): string | undefined {
  const raw = header || (typeof body === 'object' && body !== null ? (body as { __type?: unknown }).__type : undefined);
  if (typeof raw !== 'string' || raw === '') return undefined;
  return raw.split(':')[0].split('#').pop();
}

/**
 * The gateway code for a Bedrock error type, from an HTTP answer or a stream exception frame (whose
 * :exception-type is the same name in camelCase); undefined when only the HTTP status can tell.
 */
export function bedrockErrorCode(type: string | undefined): ErrorCode | undefined {
  switch (type?.replace(/^[a-z]/, (first) => first.toUpperCase())) {
    case 'ThrottlingException':
    case 'ServiceQuotaExceededException':
    case 'ModelNotReadyException':
      return 'provider_rate_limited';
    case 'ValidationException':
    case 'ResourceNotFoundException':
    case 'ConflictException':
      return 'provider_invalid_request';
    case 'AccessDeniedException':
    case 'UnrecognizedClientException':
    case 'InvalidSignatureException':
    case 'IncompleteSignatureException':
    case 'ExpiredTokenException':
      return 'provider_auth_failed';
    case 'ModelTimeoutException':
      return 'provider_timeout';
    case 'InternalServerException':
    case 'ServiceUnavailableException':
    case 'ModelErrorException':
    case 'ModelStreamErrorException':
      return 'provider_unavailable';
    default:
      return undefined;
  }
}

/**
 * Turns ConverseStream events into unified stream events. Stateful only because Converse numbers
 * content blocks across text and tool use, while unified tool calls are numbered among themselves.
 */
export class ConverseStreamTranslator {
  private readonly toolIndexByBlock = new Map<number, number>();
  /** True once messageStop arrived: a stream that ends before it was cut off. */
  finished = false;

  constructor(
    private readonly provider: string,
    private readonly requestId?: string,
  ) {}

  translate(eventType: string, payload: unknown): ChatStreamEvent[] {
    switch (eventType) {
      case 'messageStart':
        return [this.event({ role: 'assistant' })];
      case 'contentBlockStart': {
        const { contentBlockIndex, start } = payload as ConverseStreamPayloads['contentBlockStart'];
        if (!start?.toolUse) return [];
        const toolIndex = this.toolIndexByBlock.size;
        this.toolIndexByBlock.set(contentBlockIndex, toolIndex);
        return [this.event({ tool_calls: [{ index: toolIndex, id: start.toolUse.toolUseId, type: 'function', function: { name: start.toolUse.name, arguments: '' } }] })];
      }
      case 'contentBlockDelta': {
        const { contentBlockIndex, delta } = payload as ConverseStreamPayloads['contentBlockDelta'];
        if (delta?.text) return [this.event({ content: delta.text })];
        if (delta?.toolUse?.input) {
          const toolIndex = this.toolIndexByBlock.get(contentBlockIndex);
          if (toolIndex === undefined) throw new GatewayError('provider_bad_response', `${this.provider} sent tool input for block ${contentBlockIndex}, which did not start as toolUse`);
          // Fragments are passed through verbatim: only their concatenation is JSON.
          return [this.event({ tool_calls: [{ index: toolIndex, function: { arguments: delta.toolUse.input } }] })];
        }
        return [];
      }
      case 'messageStop': {
        this.finished = true;
        const finish = fromConverseStopReason((payload as ConverseStreamPayloads['messageStop']).stopReason);
        return finish ? [this.event({ finish_reason: finish })] : [];
      }
      case 'metadata': {
        const usage = fromConverseUsage((payload as ConverseStreamPayloads['metadata']).usage);
        return usage ? [this.event({ usage })] : [];
      }
      default:
        // contentBlockStop, reasoning deltas and event types added later carry nothing the gateway uses.
        return [];
    }
  }

  private event(fields: Omit<ChatStreamEvent, 'index'>): ChatStreamEvent {
    return { index: 0, ...(this.requestId ? { provider_response_id: this.requestId } : {}), ...fields };
  }
}

/** Titan text embeddings v2 embed one text per InvokeModel call: one body per input, in order. */
export function toTitanEmbedRequests(request: EmbedRequest): TitanEmbedRequest[] {
  return request.input.map((inputText) => ({ inputText, ...(request.dimensions ? { dimensions: request.dimensions } : {}) }));
}

export function fromTitanEmbedResponses(provider: string, responses: TitanEmbedResponse[]): EmbedResult {
  let tokens = 0;
  const data = responses.map((response, index) => {
    if (!response || !Array.isArray(response.embedding)) throw new GatewayError('provider_bad_response', `${provider} returned an embedding answer without embedding`);
    tokens += response.inputTextTokenCount ?? 0;
    return { index, embedding: response.embedding };
  });
  return { data, usage: { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens } };
}
