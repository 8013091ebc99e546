// Pure translators between OpenAI's HTTP API (chat completions, embeddings, models) and the unified
// model. No I/O here. The inbound schemas accept what OpenAI's API reference documents and its SDKs
// send; parameters the gateway has no use for (logprobs, penalties, store...) are accepted and ignored,
// as OpenAI-compatible servers commonly do, while ones it cannot honour (n > 1, audio, token input)
// are refused with a 400 that says so.
import {
  GatewayError,
  InvalidFieldError,
  type ChatChunk,
  type ChatMessage,
  type ChatRequest,
  type ChatResponse,
  type ContentPart,
  type EmbedRequest,
  type EmbedResponse,
  type ModelInfo,
  type ToolCallDelta,
  type Usage,
} from '@switchyard/contracts';
import { z } from 'zod';
import { parseBody } from './validation';

const contentPartSchema = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('text'), text: z.string() }),
    z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string().min(1), detail: z.string().optional() }) }),
  ],
  { error: 'must be text or image_url (audio and file parts are not supported)' },
);

const messageSchema = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool'], { error: 'must be one of system, developer, user, assistant, tool' }),
  content: z.union([z.string(), z.array(contentPartSchema)], { error: 'must be a string or an array of content parts' }).nullish(),
  name: z.string().optional(),
  tool_calls: z
    .array(z.object({ id: z.string().min(1), type: z.literal('function').optional(), function: z.object({ name: z.string().min(1), arguments: z.string() }) }))
    .optional(),
  tool_call_id: z.string().optional(),
});

const chatRequestSchema = z.object({
  model: z.string().min(1),
  messages: z.array(messageSchema).min(1, 'must contain at least one message'),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  stop: z.union([z.string(), z.array(z.string())], { error: 'must be a string or an array of strings' }).nullish(),
  seed: z.number().int().nullish(),
  user: z.string().optional(),
  metadata: z.record(z.string(), z.string()).nullish(),
  n: z.number().int().nullish(),
  // Accepted and ignored, but held to OpenAI's own bounds.
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  logit_bias: z.record(z.string(), z.number().min(-100).max(100)).nullish(),
  tools: z
    .array(
      z.object({
        type: z.literal('function', { error: 'must be "function" (only function tools are supported)' }),
        function: z.object({
          name: z.string().min(1),
          description: z.string().optional(),
          parameters: z.record(z.string(), z.unknown()).optional(),
          strict: z.boolean().nullish(),
        }),
      }),
    )
    .optional(),
  tool_choice: z
    .union([z.enum(['auto', 'none', 'required']), z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }) })], {
      error: 'must be "auto", "none", "required" or {"type":"function","function":{"name":...}}',
    })
    .optional(),
  response_format: z
    .discriminatedUnion(
      'type',
      [
        z.object({ type: z.literal('text') }),
        z.object({ type: z.literal('json_object') }),
        z.object({
          type: z.literal('json_schema'),
          json_schema: z.object({ name: z.string().min(1), schema: z.record(z.string(), z.unknown()).optional(), strict: z.boolean().nullish() }),
        }),
      ],
      { error: 'must be one of text, json_object, json_schema' },
    )
    .nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
});

export interface OpenAIChatCall {
  request: ChatRequest;
  stream: boolean;
  /** stream_options.include_usage: a last chunk with empty choices carries the usage. */
  includeUsage: boolean;
}

export function fromOpenAIChatRequest(body: unknown): OpenAIChatCall {
  const parsed = parseBody(chatRequestSchema, body);
  if (parsed.n !== undefined && parsed.n !== null && parsed.n !== 1) throw new InvalidFieldError('n', 'must be 1: the gateway returns one choice per request');
  const request: ChatRequest = { model: parsed.model, messages: parsed.messages.map(fromOpenAIMessage) };
  const maxTokens = parsed.max_completion_tokens ?? parsed.max_tokens;
  if (maxTokens !== undefined && maxTokens !== null) request.max_tokens = maxTokens;
  if (parsed.temperature !== undefined && parsed.temperature !== null) request.temperature = parsed.temperature;
  if (parsed.top_p !== undefined && parsed.top_p !== null) request.top_p = parsed.top_p;
  if (typeof parsed.stop === 'string') request.stop = [parsed.stop];
  else if (parsed.stop && parsed.stop.length > 0) request.stop = parsed.stop;
  if (parsed.seed !== undefined && parsed.seed !== null) request.seed = parsed.seed;
  if (parsed.user) request.user = parsed.user;
  if (parsed.metadata && Object.keys(parsed.metadata).length > 0) request.metadata = parsed.metadata;
  if (parsed.tools && parsed.tools.length > 0) {
    request.tools = parsed.tools.map(({ function: fn }) => ({
      type: 'function',
      function: {
        name: fn.name,
        ...(fn.description ? { description: fn.description } : {}),
        ...(fn.parameters ? { parameters_json: JSON.stringify(fn.parameters) } : {}),
        ...(fn.strict !== undefined && fn.strict !== null ? { strict: fn.strict } : {}),
      },
    }));
  }
  if (typeof parsed.tool_choice === 'string') request.tool_choice = { mode: parsed.tool_choice };
  else if (parsed.tool_choice) request.tool_choice = { mode: 'function', function_name: parsed.tool_choice.function.name };
  const format = parsed.response_format;
  if (format?.type === 'json_schema') {
    request.response_format = {
      type: 'json_schema',
      json_schema_name: format.json_schema.name,
      ...(format.json_schema.schema ? { json_schema: JSON.stringify(format.json_schema.schema) } : {}),
      ...(format.json_schema.strict !== undefined && format.json_schema.strict !== null ? { strict: format.json_schema.strict } : {}),
    };
  } else if (format) {
    request.response_format = { type: format.type };
  }
  return { request, stream: parsed.stream === true, includeUsage: parsed.stream_options?.include_usage === true };
}

function fromOpenAIMessage(message: z.output<typeof messageSchema>, index: number): ChatMessage {
  // developer is OpenAI's newer name for the system role.
  const out: ChatMessage = { role: message.role === 'developer' ? 'system' : message.role };
  if (typeof message.content === 'string') out.content = message.content;
  else if (message.content) out.content_parts = message.content.map((part, i) => fromOpenAIPart(part, `messages[${index}].content[${i}]`));
  if (message.name) out.name = message.name;
  if (message.tool_calls && message.tool_calls.length > 0) {
    out.tool_calls = message.tool_calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments } }));
  }
  if (message.tool_call_id) out.tool_call_id = message.tool_call_id;
  return out;
}

const DATA_URL = /^data:([\w.+-]+\/[\w.+-]+);base64,([A-Za-z0-9+/=\s]+)$/;

function fromOpenAIPart(part: z.output<typeof contentPartSchema>, path: string): ContentPart {
  if (part.type === 'text') return { text: part.text };
  const { url, detail } = part.image_url;
  // Inline images travel as bytes (base64), so that providers that cannot fetch data: URLs get them too.
  const inline = DATA_URL.exec(url);
  if (inline) return { image: { mime_type: inline[1], data: inline[2].replace(/\s+/g, '') } };
  if (url.startsWith('data:')) throw new InvalidFieldError(`${path}.image_url.url`, 'must be a base64 data: URL, like data:image/png;base64,...');
  if (!url.startsWith('https://')) throw new InvalidFieldError(`${path}.image_url.url`, 'must be an https:// or data: URL');
  return { image_url: { url, ...(detail ? { detail } : {}) } };
}

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number };
}

export function toOpenAIUsage(usage: Usage): OpenAIUsage {
  const out: OpenAIUsage = { prompt_tokens: usage.prompt_tokens, completion_tokens: usage.completion_tokens, total_tokens: usage.total_tokens };
  if (usage.cached_prompt_tokens) out.prompt_tokens_details = { cached_tokens: usage.cached_prompt_tokens };
  return out;
}

const OPENAI_FINISH_REASONS = new Set(['stop', 'length', 'tool_calls', 'content_filter']);

/** The unified finish reasons are OpenAI's, plus `error`, which OpenAI has no word for. */
function toOpenAIFinishReason(reason: string): string {
  return OPENAI_FINISH_REASONS.has(reason) ? reason : 'stop';
}

/** `created` is the Unix time (seconds) at which the gateway received the request. */
export function toOpenAIChatCompletion(response: ChatResponse, created: number) {
  return {
    id: response.id,
    object: 'chat.completion' as const,
    created,
    model: response.model,
    choices: response.choices.map((choice) => {
      const text = messageText(choice.message);
      const toolCalls = choice.message.tool_calls ?? [];
      return {
        index: choice.index,
        message: {
          role: 'assistant' as const,
          // OpenAI sends null content beside tool calls, and the SDKs' helpers rely on it.
          content: toolCalls.length > 0 && !text ? null : text,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls.map((call) => ({ id: call.id, type: 'function' as const, function: call.function })) } : {}),
        },
        logprobs: null,
        finish_reason: toOpenAIFinishReason(choice.finish_reason),
      };
    }),
    usage: toOpenAIUsage(response.usage),
  };
}

function messageText(message: ChatMessage): string {
  if (message.content_parts && message.content_parts.length > 0) return message.content_parts.map((part) => part.text ?? '').join('');
  return message.content ?? '';
}

/**
 * Turns the unified chunks of one streamed completion into OpenAI chunk objects, in order. Stateful
 * only in what OpenAI's format needs: the role once per choice, and usage at the end when asked for.
 */
export class OpenAIChunkEncoder {
  private readonly roleSent = new Set<number>();

  constructor(
    private readonly includeUsage: boolean,
    private readonly created: number,
  ) {}

  encode(chunk: ChatChunk): object[] {
    const delta: { role?: string; content?: string; tool_calls?: ToolCallDelta[] } = {};
    if (!this.roleSent.has(chunk.index)) {
      this.roleSent.add(chunk.index);
      delta.role = 'assistant';
    }
    if (chunk.delta.content) delta.content = chunk.delta.content;
    if (chunk.delta.tool_calls && chunk.delta.tool_calls.length > 0) {
      // The SDKs' stream helpers require the type on the delta that opens a tool call.
      delta.tool_calls = chunk.delta.tool_calls.map((call) => (call.id ? { type: 'function', ...call } : call));
    }
    const finish = chunk.finish_reason ? toOpenAIFinishReason(chunk.finish_reason) : null;
    const out: object[] = [];
    if (Object.keys(delta).length > 0 || finish) out.push(this.wrap(chunk, [{ index: chunk.index, delta, logprobs: null, finish_reason: finish }]));
    if (finish && this.includeUsage && chunk.usage) out.push({ ...this.wrap(chunk, []), usage: toOpenAIUsage(chunk.usage) });
    return out;
  }

  private wrap(chunk: ChatChunk, choices: object[]) {
    return {
      id: chunk.id,
      object: 'chat.completion.chunk' as const,
      created: this.created,
      model: chunk.model,
      choices,
      // With include_usage, OpenAI sends usage: null on every chunk but the last.
      ...(this.includeUsage ? { usage: null } : {}),
    };
  }
}

const embeddingsRequestSchema = z.object({
  model: z.string().min(1),
  input: z.union(
    [z.string(), z.array(z.string({ error: 'must be a string (token arrays are not supported)' })).min(1, 'must contain at least one string')],
    { error: 'must be a string or an array of strings (token arrays are not supported)' },
  ),
  encoding_format: z.enum(['float', 'base64'], { error: 'must be float or base64' }).optional(),
  dimensions: z.number().int().positive().optional(),
  user: z.string().optional(),
});

export interface OpenAIEmbeddingsCall {
  request: EmbedRequest;
  encoding: 'float' | 'base64';
}

export function fromOpenAIEmbeddingsRequest(body: unknown): OpenAIEmbeddingsCall {
  const parsed = parseBody(embeddingsRequestSchema, body);
  const request: EmbedRequest = { model: parsed.model, input: typeof parsed.input === 'string' ? [parsed.input] : parsed.input };
  if (parsed.dimensions !== undefined) request.dimensions = parsed.dimensions;
  if (parsed.user) request.user = parsed.user;
  return { request, encoding: parsed.encoding_format ?? 'float' };
}

export function toOpenAIEmbeddings(response: EmbedResponse, encoding: 'float' | 'base64') {
  return {
    object: 'list' as const,
    data: response.data.map((item) => ({
      object: 'embedding' as const,
      index: item.index,
      embedding: encoding === 'base64' ? float32Base64(item.embedding) : item.embedding,
    })),
    model: response.model,
    usage: { prompt_tokens: response.usage.prompt_tokens, total_tokens: response.usage.total_tokens },
  };
}

/** What OpenAI's base64 encoding is: the vector as little-endian float32 bytes. */
export function float32Base64(values: number[]): string {
  const bytes = Buffer.alloc(values.length * 4);
  values.forEach((value, i) => bytes.writeFloatLE(value, i * 4));
  return bytes.toString('base64');
}

/** `created` is the Unix time (seconds) at which the gateway loaded its model catalog. */
export function toOpenAIModel(model: ModelInfo, created: number) {
  return { id: model.id, object: 'model' as const, created, owned_by: model.provider, targets: model.targets };
}

export function toOpenAIModelList(models: ModelInfo[], created: number) {
  return { object: 'list' as const, data: models.map((model) => toOpenAIModel(model, created)) };
}

function openAIErrorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** OpenAI's error body; `code` is the gateway's documented error code. */
export function toOpenAIError(error: GatewayError) {
  return {
    error: {
      message: error.message,
      type: openAIErrorType(error.httpStatus),
      param: error.param ?? null,
      code: error.code,
    },
  };
}
