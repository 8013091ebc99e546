// Pure translators between the unified model and Anthropic's Messages API. No I/O here.
import type { ChatMessage, ChatRequest, ChatResult, ContentPart, ErrorCode, FinishReason, ToolCall, Usage } from '@switchyard/contracts';
import { GatewayError } from '@switchyard/contracts';
import { base64Of } from '../openai-compatible/translate';
import type { ChatStreamEvent } from '../provider';
import type {
  AnthropicContentBlock,
  AnthropicImageBlock,
  AnthropicMessage,
  AnthropicRequest,
  AnthropicResponse,
  AnthropicStreamEvent,
  AnthropicTextBlock,
  AnthropicToolChoice,
  AnthropicUsage,
} from './wire';
import { TOOL_NOT_OFFERED, toolsOnlyInHistory } from '../tool-history';
import { requiredJsonSchema } from '../response-format';
import { usageWithSeparateCacheCounts } from '../usage';

/** Anthropic requires max_tokens; this is what the gateway asks for when the caller sets none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

export interface AnthropicTranslateOptions {
  /** max_tokens sent when the caller sets none. */
  defaultMaxTokens: number;
}

export function toAnthropicRequest(
  request: ChatRequest,
  stream: boolean,
  options: AnthropicTranslateOptions = { defaultMaxTokens: ANTHROPIC_DEFAULT_MAX_TOKENS },
): AnthropicRequest {
  const system: string[] = [];
  const turns: AnthropicMessage[] = [];
  for (const message of request.messages) {
    if (message.role === 'system') {
      // Anthropic has no system role inside `messages`: every system message goes to the top-level field.
      const text = textOf(message);
      if (text) system.push(text);
      continue;
    }
    const turn = toAnthropicTurn(message);
    const previous = turns[turns.length - 1];
    // Anthropic rejects two consecutive turns of one role (e.g. several tool results in a row).
    if (previous && previous.role === turn.role) previous.content = [...blocksOf(previous.content), ...blocksOf(turn.content)];
    else turns.push(turn);
  }

  const body: AnthropicRequest = {
    model: request.model,
    max_tokens: request.max_tokens ?? options.defaultMaxTokens,
    messages: turns.map(collapseText),
  };
  if (system.length === 1) body.system = system[0];
  else if (system.length > 1) body.system = system.map((text) => ({ type: 'text', text }));
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.top_p !== undefined) body.top_p = request.top_p;
  if (request.stop && request.stop.length > 0) body.stop_sequences = request.stop;
  if (request.user) body.metadata = { user_id: request.user };
  if (request.tools && request.tools.length > 0) {
    body.tools = request.tools.map((tool) => ({
      name: tool.function.name,
      ...(tool.function.description ? { description: tool.function.description } : {}),
      // input_schema is required by Anthropic; a tool without parameters takes an empty object.
      input_schema: tool.function.parameters_json ? parseJson(tool.function.parameters_json, `tool ${tool.function.name} parameters`) : { type: 'object', properties: {} },
      ...(tool.function.strict !== undefined ? { strict: tool.function.strict } : {}),
    }));
  }
  const choice = toAnthropicToolChoice(request.tool_choice?.mode, request.tool_choice?.function_name);
  if (choice) body.tool_choice = choice;
  const historyOnly = toolsOnlyInHistory(request);
  if (historyOnly.length > 0) {
    // Anthropic refuses tool_use and tool_result blocks in a request that defines no tools: the tools
    // the history called are defined, and `none` keeps the model from calling them on this turn.
    body.tools = historyOnly.map((name) => ({ name, description: TOOL_NOT_OFFERED, input_schema: { type: 'object' } }));
    body.tool_choice = { type: 'none' };
  }
  const schema = requiredJsonSchema('anthropic', request.response_format);
  if (schema) body.output_config = { format: { type: 'json_schema', schema: parseJson(schema, 'response_format.json_schema') } };
  if (stream) body.stream = true;
  return body;
}

function toAnthropicToolChoice(mode: string | undefined, functionName: string | undefined): AnthropicToolChoice | undefined {
  switch (mode) {
    case 'auto':
      return { type: 'auto' };
    case 'required':
      return { type: 'any' };
    case 'none':
      return { type: 'none' };
    case 'function':
      if (!functionName) throw new GatewayError('invalid_request', 'tool_choice mode "function" needs function_name');
      return { type: 'tool', name: functionName };
    default:
      return undefined;
  }
}

function toAnthropicTurn(message: ChatMessage): AnthropicMessage {
  switch (message.role) {
    case 'user':
      return { role: 'user', content: contentBlocksOf(message) };
    case 'assistant': {
      const blocks: AnthropicContentBlock[] = contentBlocksOf(message);
      for (const call of message.tool_calls ?? []) {
        blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input: toolInputOf(call) });
      }
      return { role: 'assistant', content: blocks };
    }
    case 'tool': {
      if (!message.tool_call_id) throw new GatewayError('invalid_request', 'a tool message needs tool_call_id');
      const parts = contentBlocksOf(message);
      const content = parts.length === 1 && parts[0].type === 'text' ? parts[0].text : (parts as (AnthropicTextBlock | AnthropicImageBlock)[]);
      // Tool results travel back to Claude inside a user turn.
      return { role: 'user', content: [{ type: 'tool_result', tool_use_id: message.tool_call_id, content }] };
    }
    default:
      throw new GatewayError('invalid_request', `unknown message role: ${message.role}`);
  }
}

/** Text and image blocks of a message; empty text is left out because Anthropic rejects empty text blocks. */
function contentBlocksOf(message: ChatMessage): (AnthropicTextBlock | AnthropicImageBlock)[] {
  if (message.content_parts && message.content_parts.length > 0) {
    return message.content_parts.filter((part) => part.image_url || part.image || part.text).map(toAnthropicPart);
  }
  return message.content ? [{ type: 'text', text: message.content }] : [];
}

function toAnthropicPart(part: ContentPart): AnthropicTextBlock | AnthropicImageBlock {
  if (part.image) {
    return { type: 'image', source: { type: 'base64', media_type: part.image.mime_type, data: base64Of(part.image.data) } };
  }
  if (part.image_url) {
    const inline = /^data:([^;,]+);base64,(.*)$/s.exec(part.image_url.url);
    if (inline) return { type: 'image', source: { type: 'base64', media_type: inline[1], data: inline[2] } };
    return { type: 'image', source: { type: 'url', url: part.image_url.url } };
  }
  return { type: 'text', text: part.text ?? '' };
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

function blocksOf(content: AnthropicMessage['content']): AnthropicContentBlock[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

/** A turn that is a single text block is sent in the documented shorthand, a plain string. */
function collapseText(turn: AnthropicMessage): AnthropicMessage {
  const content = turn.content;
  if (typeof content !== 'string' && content.length === 1 && content[0].type === 'text') return { role: turn.role, content: content[0].text };
  return turn;
}

function textOf(message: ChatMessage): string {
  if (message.content_parts && message.content_parts.length > 0) return message.content_parts.map((part) => part.text ?? '').join('');
  return message.content ?? '';
}

export function fromAnthropicStopReason(reason: string | null | undefined): FinishReason | undefined {
  switch (reason) {
    case null:
    case undefined:
      return undefined;
    case 'end_turn':
    case 'stop_sequence':
    case 'pause_turn':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/** Anthropic's input_tokens excludes cache reads and writes; the unified prompt_tokens is their sum. */
export function fromAnthropicUsage(usage: AnthropicUsage | null | undefined): Usage | undefined {
  if (!usage) return undefined;
  return usageWithSeparateCacheCounts({ input: usage.input_tokens, output: usage.output_tokens, cacheRead: usage.cache_read_input_tokens, cacheWrite: usage.cache_creation_input_tokens });
}

export function fromAnthropicResponse(provider: string, response: AnthropicResponse): ChatResult {
  if (!response || !Array.isArray(response.content)) {
    throw new GatewayError('provider_bad_response', `${provider} returned a message without content`);
  }
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of response.content) {
    if (block.type === 'text') text += (block as AnthropicTextBlock).text;
    else if (block.type === 'tool_use') {
      const use = block as { id: string; name: string; input: unknown };
      toolCalls.push({ id: use.id, type: 'function', function: { name: use.name, arguments: JSON.stringify(use.input ?? {}) } });
    }
  }
  const message: ChatMessage = { role: 'assistant', content: text };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  const result: ChatResult = {
    provider_response_id: response.id,
    choices: [{ index: 0, message, finish_reason: fromAnthropicStopReason(response.stop_reason) ?? 'stop' }],
  };
  const usage = fromAnthropicUsage(response.usage);
  if (usage) result.usage = usage;
  return result;
}

/** The gateway code for Anthropic's error types, in HTTP error bodies and in mid-stream `error` events. */
export function anthropicErrorCode(type: string | undefined): ErrorCode {
  switch (type) {
    case 'invalid_request_error':
    case 'not_found_error':
    case 'request_too_large':
      return 'provider_invalid_request';
    case 'authentication_error':
    case 'permission_error':
    case 'billing_error':
      return 'provider_auth_failed';
    case 'rate_limit_error':
      return 'provider_rate_limited';
    case 'timeout_error':
      return 'provider_timeout';
    default:
      // api_error, overloaded_error (HTTP 529) and anything newer: the provider failed.
      return 'provider_unavailable';
  }
}

/**
 * Turns Anthropic's stream events into unified stream events. Stateful only because Anthropic numbers
 * content blocks across text and tool use, while unified tool calls are numbered among themselves, and
 * because usage arrives in two halves (message_start and message_delta).
 */
export class AnthropicStreamTranslator {
  private readonly toolIndexByBlock = new Map<number, number>();
  private usage: AnthropicUsage = {};
  private responseId?: string;
  /** True once message_stop arrived: a stream that ends before it was cut off. */
  finished = false;

  constructor(private readonly provider: string) {}

  translate(event: AnthropicStreamEvent): ChatStreamEvent[] {
    switch (event.type) {
      case 'message_start': {
        const message = (event as { message: AnthropicResponse }).message;
        this.responseId = message?.id;
        this.mergeUsage(message?.usage);
        return [this.event({ role: 'assistant' })];
      }
      case 'content_block_start': {
        const { index, content_block: block } = event as { index: number; content_block: { type: string; id?: string; name?: string; text?: string } };
        if (block.type === 'tool_use') {
          const toolIndex = this.toolIndexByBlock.size;
          this.toolIndexByBlock.set(index, toolIndex);
          return [this.event({ tool_calls: [{ index: toolIndex, id: block.id, type: 'function', function: { name: block.name ?? '', arguments: '' } }] })];
        }
        return block.type === 'text' && block.text ? [this.event({ content: block.text })] : [];
      }
      case 'content_block_delta': {
        const { index, delta } = event as { index: number; delta: { type: string; text?: string; partial_json?: string } };
        if (delta.type === 'text_delta' && delta.text) return [this.event({ content: delta.text })];
        if (delta.type === 'input_json_delta' && delta.partial_json) {
          const toolIndex = this.toolIndexByBlock.get(index);
          if (toolIndex === undefined) throw new GatewayError('provider_bad_response', `${this.provider} sent tool input for block ${index}, which is not a tool_use block`);
          // Fragments are passed through verbatim: only their concatenation is JSON.
          return [this.event({ tool_calls: [{ index: toolIndex, function: { arguments: delta.partial_json } }] })];
        }
        return [];
      }
      case 'message_delta': {
        const { delta, usage } = event as { delta?: { stop_reason?: string | null }; usage?: AnthropicUsage };
        this.mergeUsage(usage);
        const out = this.event({ usage: fromAnthropicUsage(this.usage) });
        const finish = fromAnthropicStopReason(delta?.stop_reason);
        if (finish) out.finish_reason = finish;
        return [out];
      }
      case 'message_stop':
        this.finished = true;
        return [];
      case 'error': {
        const error = (event as { error?: { type?: string; message?: string } }).error;
        throw new GatewayError(anthropicErrorCode(error?.type), `${this.provider} reported an error mid-stream: ${error?.type ?? 'unknown'}: ${error?.message ?? ''}`.trimEnd());
      }
      default:
        // ping, content_block_stop and event types added later carry nothing the gateway uses.
        return [];
    }
  }

  /** message_delta counts are cumulative: a non-null value replaces the one from message_start. */
  private mergeUsage(usage: AnthropicUsage | null | undefined): void {
    if (!usage) return;
    for (const key of ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const) {
      const value = usage[key];
      if (value !== null && value !== undefined) this.usage[key] = value;
    }
  }

  private event(fields: Omit<ChatStreamEvent, 'index'>): ChatStreamEvent {
    return { index: 0, ...(this.responseId ? { provider_response_id: this.responseId } : {}), ...fields };
  }
}
