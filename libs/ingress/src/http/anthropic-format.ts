// Pure translators between Anthropic's Messages API and the unified model. No I/O here. Sampling hints
// the unified model has no field for (top_k, thinking budgets, cache_control) are accepted and ignored;
// content the gateway cannot carry (documents, thinking blocks, server tools) is refused with a 400.
import {
  GatewayError,
  InvalidFieldError,
  type ChatChunk,
  type ChatMessage,
  type ChatRequest,
  type ChatResponse,
  type ContentPart,
  type ModelInfo,
  type ToolChoice,
  type Usage,
} from '@switchyard/contracts';
import { z } from 'zod';
import { parseBody } from './validation';

const textBlock = z.object({ type: z.literal('text'), text: z.string() });
const imageBlock = z.object({
  type: z.literal('image'),
  source: z.discriminatedUnion(
    'type',
    [
      z.object({ type: z.literal('base64'), media_type: z.string().min(1), data: z.string().min(1) }),
      z.object({ type: z.literal('url'), url: z.string().min(1) }),
    ],
    { error: 'must be base64 or url' },
  ),
});
const toolUseBlock = z.object({ type: z.literal('tool_use'), id: z.string().min(1), name: z.string().min(1), input: z.record(z.string(), z.unknown()) });
const toolResultBlock = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z
    .union([z.string(), z.array(z.discriminatedUnion('type', [textBlock, imageBlock], { error: 'must be text or image (a tool result holds only these)' }))])
    .optional(),
  is_error: z.boolean().optional(),
});
const contentBlock = z.discriminatedUnion('type', [textBlock, imageBlock, toolUseBlock, toolResultBlock], {
  error: 'must be text, image, tool_use or tool_result',
});

const requestSchema = z.object({
  model: z.string().min(1),
  max_tokens: z.number().int().positive(),
  messages: z
    .array(
      z.object({
        role: z.enum(['user', 'assistant'], { error: 'must be user or assistant (the system prompt goes in the top-level system field)' }),
        content: z.union([z.string(), z.array(contentBlock)], { error: 'must be a string or an array of content blocks' }),
      }),
    )
    .min(1, 'must contain at least one message'),
  system: z.union([z.string(), z.array(textBlock)], { error: 'must be a string or an array of text blocks' }).optional(),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().optional(),
  top_p: z.number().optional(),
  // Accepted and ignored (the unified model has no top_k), but held to a sane bound.
  top_k: z.number().int().min(0).max(1_000_000).optional(),
  metadata: z.object({ user_id: z.string().nullish() }).optional(),
  tools: z
    .array(z.object({ name: z.string().min(1), description: z.string().optional(), input_schema: z.record(z.string(), z.unknown()) }))
    .optional(),
  tool_choice: z
    .discriminatedUnion(
      'type',
      [
        z.object({ type: z.literal('auto') }),
        z.object({ type: z.literal('any') }),
        z.object({ type: z.literal('none') }),
        z.object({ type: z.literal('tool'), name: z.string().min(1) }),
      ],
      { error: 'must be one of auto, any, tool, none' },
    )
    .optional(),
  // Structured outputs. output_config's other settings (effort) are hints the gateway does not carry.
  output_config: z
    .object({ format: z.object({ type: z.literal('json_schema', { error: 'must be json_schema' }), schema: z.record(z.string(), z.unknown()) }).optional() })
    .optional(),
  stream: z.boolean().optional(),
});

type AnthropicMessage = z.output<typeof requestSchema>['messages'][number];
type ContentBlock = z.output<typeof contentBlock>;

export interface AnthropicCall {
  request: ChatRequest;
  stream: boolean;
}

export function fromAnthropicRequest(body: unknown): AnthropicCall {
  const parsed = parseBody(requestSchema, body);
  const messages: ChatMessage[] = [];
  if (typeof parsed.system === 'string') {
    if (parsed.system) messages.push({ role: 'system', content: parsed.system });
  } else if (parsed.system && parsed.system.length > 0) {
    messages.push({ role: 'system', content_parts: parsed.system.map((block) => ({ text: block.text })) });
  }
  parsed.messages.forEach((message, i) => messages.push(...fromAnthropicMessage(message, i)));
  const request: ChatRequest = { model: parsed.model, messages, max_tokens: parsed.max_tokens };
  if (parsed.temperature !== undefined) request.temperature = parsed.temperature;
  if (parsed.top_p !== undefined) request.top_p = parsed.top_p;
  if (parsed.stop_sequences && parsed.stop_sequences.length > 0) request.stop = parsed.stop_sequences;
  if (parsed.metadata?.user_id) request.user = parsed.metadata.user_id;
  if (parsed.tools && parsed.tools.length > 0) {
    request.tools = parsed.tools.map((tool) => ({
      type: 'function',
      function: { name: tool.name, ...(tool.description ? { description: tool.description } : {}), parameters_json: JSON.stringify(tool.input_schema) },
    }));
  }
  if (parsed.tool_choice) request.tool_choice = fromAnthropicToolChoice(parsed.tool_choice);
  // Anthropic constrains the answer to the schema: strict, in OpenAI's terms.
  const format = parsed.output_config?.format;
  if (format) request.response_format = { type: 'json_schema', json_schema: JSON.stringify(format.schema), strict: true };
  return { request, stream: parsed.stream === true };
}

function fromAnthropicToolChoice(choice: NonNullable<z.output<typeof requestSchema>['tool_choice']>): ToolChoice {
  switch (choice.type) {
    case 'any':
      return { mode: 'required' };
    case 'tool':
      return { mode: 'function', function_name: choice.name };
    default:
      return { mode: choice.type };
  }
}

/**
 * One Anthropic message can become several unified ones: tool results are messages of their own
 * (role tool) in the unified model, and come first, right after the assistant turn that asked for them.
 */
function fromAnthropicMessage(message: AnthropicMessage, index: number): ChatMessage[] {
  if (typeof message.content === 'string') return [{ role: message.role, content: message.content }];
  const path = (i: number) => `messages[${index}].content[${i}]`;
  if (message.role === 'assistant') {
    const out: ChatMessage = { role: 'assistant' };
    const text: string[] = [];
    message.content.forEach((block, i) => {
      if (block.type === 'text') text.push(block.text);
      else if (block.type === 'tool_use') {
        (out.tool_calls ??= []).push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input) } });
      } else throw new InvalidFieldError(path(i), `is a ${block.type} block, which an assistant message cannot hold`);
    });
    if (text.length > 0) out.content = text.join('');
    return [out];
  }
  const results: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  message.content.forEach((block, i) => {
    if (block.type === 'tool_result') results.push(fromToolResult(block, path(i)));
    else if (block.type === 'tool_use') throw new InvalidFieldError(path(i), 'is a tool_use block, which only an assistant message can hold');
    else parts.push(fromContentBlock(block, path(i)));
  });
  if (parts.length === 1 && parts[0].text !== undefined) return [...results, { role: 'user', content: parts[0].text }];
  return parts.length > 0 ? [...results, { role: 'user', content_parts: parts }] : results;
}

function fromToolResult(block: Extract<ContentBlock, { type: 'tool_result' }>, path: string): ChatMessage {
  const message: ChatMessage = { role: 'tool', tool_call_id: block.tool_use_id };
  if (typeof block.content === 'string') message.content = block.content;
  else if (block.content) {
    const parts = block.content.map((inner, i) => fromContentBlock(inner, `${path}.content[${i}]`));
    if (parts.every((part) => part.text !== undefined)) message.content = parts.map((part) => part.text).join('');
    else message.content_parts = parts;
  }
  if (message.content === undefined && message.content_parts === undefined) message.content = '';
  return message;
}

function fromContentBlock(block: Extract<ContentBlock, { type: 'text' | 'image' }>, path: string): ContentPart {
  if (block.type === 'text') return { text: block.text };
  if (block.source.type === 'base64') return { image: { mime_type: block.source.media_type, data: block.source.data } };
  if (!block.source.url.startsWith('https://')) throw new InvalidFieldError(`${path}.source.url`, 'must be an https:// URL');
  return { image_url: { url: block.source.url } };
}

/** Anthropic's stop reasons for the unified finish reasons. */
export function toAnthropicStopReason(reason: string | undefined): string {
  switch (reason) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

/** Anthropic counts cache reads and writes apart from input_tokens; the unified prompt_tokens includes them. */
export function toAnthropicUsage(usage: Usage): AnthropicUsage {
  const cacheRead = usage.cached_prompt_tokens ?? 0;
  const cacheWrite = usage.cache_creation_prompt_tokens ?? 0;
  const out: AnthropicUsage = { input_tokens: Math.max(0, usage.prompt_tokens - cacheRead - cacheWrite), output_tokens: usage.completion_tokens };
  if (cacheRead) out.cache_read_input_tokens = cacheRead;
  if (cacheWrite) out.cache_creation_input_tokens = cacheWrite;
  return out;
}

export function toAnthropicMessage(response: ChatResponse) {
  const choice = response.choices[0];
  const content: object[] = [];
  const text = choice?.message.content_parts?.length
    ? choice.message.content_parts.map((part) => part.text ?? '').join('')
    : (choice?.message.content ?? '');
  if (text) content.push({ type: 'text', text });
  for (const call of choice?.message.tool_calls ?? []) {
    content.push({ type: 'tool_use', id: call.id, name: call.function.name, input: toolInput(call.function.arguments) });
  }
  return {
    id: response.id,
    type: 'message' as const,
    role: 'assistant' as const,
    model: response.model,
    content,
    stop_reason: toAnthropicStopReason(choice?.finish_reason),
    stop_sequence: null,
    usage: toAnthropicUsage(response.usage),
  };
}

// Anthropic's tool_use.input is an object; a model that produced something else has not answered in
// the format the caller asked for, which is the provider's failure rather than the caller's.
function toolInput(argumentsJson: string): Record<string, unknown> {
  if (!argumentsJson) return {};
  let input: unknown;
  try {
    input = JSON.parse(argumentsJson);
  } catch {
    throw new GatewayError('provider_bad_response', `the model's tool call arguments are not JSON: ${argumentsJson.slice(0, 200)}`);
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new GatewayError('provider_bad_response', `the model's tool call arguments are not a JSON object: ${argumentsJson.slice(0, 200)}`);
  }
  return input as Record<string, unknown>;
}

export interface AnthropicEvent {
  event: string;
  data: object;
}

/**
 * Turns the unified chunks of one streamed completion into Anthropic's event sequence: message_start
 * and a ping, then for each content block a content_block_start, its deltas and a content_block_stop,
 * then message_delta (stop reason and usage) and message_stop. Text and each tool call are separate
 * blocks, so the encoder tracks which block is open.
 */
export class AnthropicStreamEncoder {
  private started = false;
  private openBlock: { index: number; kind: 'text' | 'tool'; toolIndex?: number } | undefined;
  private nextBlock = 0;

  encode(chunk: ChatChunk): AnthropicEvent[] {
    const events: AnthropicEvent[] = [];
    if (!this.started) {
      this.started = true;
      events.push({
        event: 'message_start',
        data: {
          type: 'message_start',
          // Usage is known only at the end of the stream; message_delta carries it, input tokens included.
          message: { id: chunk.id, type: 'message', role: 'assistant', model: chunk.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } },
        },
      });
      events.push({ event: 'ping', data: { type: 'ping' } });
    }
    if (chunk.delta.content) {
      if (this.openBlock?.kind !== 'text') this.open(events, { type: 'text', text: '' }, 'text');
      events.push(this.delta({ type: 'text_delta', text: chunk.delta.content }));
    }
    for (const call of chunk.delta.tool_calls ?? []) {
      if (this.openBlock?.kind !== 'tool' || this.openBlock.toolIndex !== call.index) {
        this.open(events, { type: 'tool_use', id: call.id ?? '', name: call.function?.name ?? '', input: {} }, 'tool', call.index);
      }
      if (call.function?.arguments) events.push(this.delta({ type: 'input_json_delta', partial_json: call.function.arguments }));
    }
    if (chunk.finish_reason) {
      this.close(events);
      events.push({
        event: 'message_delta',
        data: {
          type: 'message_delta',
          delta: { stop_reason: toAnthropicStopReason(chunk.finish_reason), stop_sequence: null },
          usage: chunk.usage ? toAnthropicUsage(chunk.usage) : { output_tokens: 0 },
        },
      });
      events.push({ event: 'message_stop', data: { type: 'message_stop' } });
    }
    return events;
  }

  private open(events: AnthropicEvent[], block: object, kind: 'text' | 'tool', toolIndex?: number): void {
    this.close(events);
    this.openBlock = { index: this.nextBlock++, kind, toolIndex };
    events.push({ event: 'content_block_start', data: { type: 'content_block_start', index: this.openBlock.index, content_block: block } });
  }

  private close(events: AnthropicEvent[]): void {
    if (!this.openBlock) return;
    events.push({ event: 'content_block_stop', data: { type: 'content_block_stop', index: this.openBlock.index } });
    this.openBlock = undefined;
  }

  private delta(delta: object): AnthropicEvent {
    return { event: 'content_block_delta', data: { type: 'content_block_delta', index: this.openBlock!.index, delta } };
  }
}

/** Anthropic's list of models (GET /v1/models with an anthropic-version header). */
export function toAnthropicModel(model: ModelInfo, createdAt: string) {
  return { type: 'model' as const, id: model.id, display_name: model.id, created_at: createdAt };
}

export function toAnthropicModelList(models: ModelInfo[], createdAt: string) {
  const data = models.map((model) => toAnthropicModel(model, createdAt));
  return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
}

function anthropicErrorType(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
      return 'overloaded_error';
    case 504:
      return 'timeout_error';
    default:
      return status < 500 ? 'invalid_request_error' : 'api_error';
  }
}

export function toAnthropicError(error: GatewayError) {
  return { type: 'error' as const, error: { type: anthropicErrorType(error.httpStatus), message: error.message } };
}
