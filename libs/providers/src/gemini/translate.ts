// Pure translators between the unified model and the Gemini API's wire format. No I/O here.
import { createHash } from 'node:crypto';
import type {
  ChatMessage,
  ChatRequest,
  ChatResult,
  Choice,
  ContentPart,
  EmbedRequest,
  EmbedResult,
  FinishReason,
  ToolCall,
  Usage,
} from '@switchyard/contracts';
import { GatewayError } from '@switchyard/contracts';
import { base64Of } from '../openai-compatible/translate';
import type { ChatStreamEvent } from '../provider';
import { thoughtSignatureOf, withThoughtSignature } from '../thought-signatures';
import type {
  GeminiBatchEmbedContentsRequest,
  GeminiBatchEmbedContentsResponse,
  GeminiContent,
  GeminiFunctionCall,
  GeminiGenerateContentRequest,
  GeminiGenerateContentResponse,
  GeminiGenerationConfig,
  GeminiPart,
  GeminiUsageMetadata,
} from './wire';

/** The resource name Gemini's URLs and embed requests take: models/{model}, or a tuned model's own name. */
export function geminiModelName(model: string): string {
  return model.includes('/') ? model : `models/${model}`;
}

export function toGeminiRequest(request: ChatRequest): GeminiGenerateContentRequest {
  const body: GeminiGenerateContentRequest = { contents: toGeminiContents(request.messages) };
  const system = request.messages.filter((message) => message.role === 'system').map((message) => ({ text: textOf(message) }));
  if (system.length > 0) body.systemInstruction = { parts: system };
  if (request.tools && request.tools.length > 0) {
    body.tools = [
      {
        functionDeclarations: request.tools.map((tool) => ({
          name: tool.function.name,
          ...(tool.function.description ? { description: tool.function.description } : {}),
          ...(tool.function.parameters_json ? { parametersJsonSchema: parseJsonArgument(tool.function.parameters_json, `tool ${tool.function.name} parameters`) } : {}),
        })),
      },
    ];
  }
  const mode = request.tool_choice?.mode;
  if (mode === 'auto') body.toolConfig = { functionCallingConfig: { mode: 'AUTO' } };
  else if (mode === 'none') body.toolConfig = { functionCallingConfig: { mode: 'NONE' } };
  else if (mode === 'required') body.toolConfig = { functionCallingConfig: { mode: 'ANY' } };
  else if (mode === 'function') {
    const name = request.tool_choice?.function_name;
    if (!name) throw new GatewayError('invalid_request', 'tool_choice mode function needs a function_name');
    body.toolConfig = { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [name] } };
  }
  const config: GeminiGenerationConfig = {};
  if (request.max_tokens !== undefined) config.maxOutputTokens = request.max_tokens;
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.top_p !== undefined) config.topP = request.top_p;
  if (request.stop && request.stop.length > 0) config.stopSequences = request.stop;
  if (request.seed !== undefined) config.seed = request.seed;
  const format = request.response_format;
  if (format?.type === 'json_object' || format?.type === 'json_schema') config.responseMimeType = 'application/json';
  if (format?.type === 'json_schema' && format.json_schema) config.responseJsonSchema = parseJsonArgument(format.json_schema, 'response_format.json_schema');
  if (Object.keys(config).length > 0) body.generationConfig = config;
  return body;
}

function toGeminiContents(messages: ChatMessage[]): GeminiContent[] {
  // Gemini names the function in a functionResponse but keeps no call ids, so the name comes from
  // the assistant message that made the call.
  const callNames = new Map<string, string>();
  for (const message of messages) for (const call of message.tool_calls ?? []) callNames.set(call.id, call.function.name);

  const contents: GeminiContent[] = [];
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        break;
      case 'user':
        contents.push({ role: 'user', parts: toGeminiParts(message) });
        break;
      case 'assistant': {
        const parts: GeminiPart[] = [];
        const text = textOf(message);
        if (text) parts.push({ text });
        for (const call of message.tool_calls ?? []) {
          const signature = thoughtSignatureOf(call.id);
          parts.push({ functionCall: { name: call.function.name, args: parseToolArguments(call) }, ...(signature ? { thoughtSignature: signature } : {}) });
        }
        contents.push({ role: 'model', parts: parts.length > 0 ? parts : [{ text: '' }] });
        break;
      }
      case 'tool': {
        const name = callNames.get(message.tool_call_id ?? '') ?? message.name;
        if (!name) {
          throw new GatewayError('invalid_request', `tool message ${message.tool_call_id ?? '(no tool_call_id)'} answers no earlier tool call`);
        }
        const part: GeminiPart = { functionResponse: { name, response: toFunctionResponse(textOf(message)) } };
        // The answers to one turn's parallel calls go back together, in one user turn.
        const previous = contents[contents.length - 1];
        if (previous?.role === 'user' && previous.parts.every((candidate) => candidate.functionResponse)) previous.parts.push(part);
        else contents.push({ role: 'user', parts: [part] });
        break;
      }
      default:
        throw new GatewayError('invalid_request', `Gemini has no message role ${message.role}`);
    }
  }
  return contents;
}

function toGeminiParts(message: ChatMessage): GeminiPart[] {
  if (!message.content_parts || message.content_parts.length === 0) return [{ text: message.content ?? '' }];
  return message.content_parts.map(toGeminiPart);
}

function toGeminiPart(part: ContentPart): GeminiPart {
  if (part.image) return { inlineData: { mimeType: part.image.mime_type, data: base64Of(part.image.data) } };
  if (part.image_url) {
    const inline = parseDataUrl(part.image_url.url);
    if (inline) return { inlineData: inline };
    const mimeType = imageMimeTypeOf(part.image_url.url);
    return { fileData: { ...(mimeType ? { mimeType } : {}), fileUri: part.image_url.url } };
  }
  return { text: part.text ?? '' };
}

function parseDataUrl(url: string): { mimeType: string; data: string } | undefined {
  const match = /^data:([^;,]+)((?:;[^;,]*)*),(.*)$/s.exec(url);
  if (!match) return undefined;
  const isBase64 = match[2].split(';').includes('base64');
  return { mimeType: match[1], data: isBase64 ? match[3] : Buffer.from(decodeURIComponent(match[3]), 'utf8').toString('base64') };
}

const IMAGE_MIME_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  heic: 'image/heic',
  heif: 'image/heif',
};

/** The MIME type a URL's extension names; Gemini's fileData takes it as optional, so unknown is left out. */
function imageMimeTypeOf(url: string): string | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return extension ? IMAGE_MIME_TYPES[extension] : undefined;
}

/**
 * Gemini wants a functionResponse as a JSON object: an object result goes as it is, anything else
 * under "output", the key Gemini's reference suggests.
 */
function toFunctionResponse(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    return { output: value };
  } catch {
    return { output: text };
  }
}

function parseToolArguments(call: ToolCall): Record<string, unknown> {
  if (!call.function.arguments) return {};
  const args = parseJsonArgument(call.function.arguments, `tool call ${call.id} arguments`);
  if (args === null || typeof args !== 'object' || Array.isArray(args)) {
    throw new GatewayError('invalid_request', `tool call ${call.id} arguments must be a JSON object`);
  }
  return args as Record<string, unknown>;
}

function parseJsonArgument(text: string, what: string): unknown {
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

/**
 * The unified finish reason. Gemini says STOP also when it stops to call functions, so the caller
 * says whether the candidate called any. Undefined while a streamed candidate is still going.
 */
export function fromGeminiFinishReason(reason: string | undefined, calledFunctions: boolean): FinishReason | undefined {
  switch (reason) {
    case undefined:
      return undefined;
    case 'STOP':
      return calledFunctions ? 'tool_calls' : 'stop';
    case 'MAX_TOKENS':
      return 'length';
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
      return 'content_filter';
    default:
      return 'error';
  }
}

export function fromGeminiUsage(usage: GeminiUsageMetadata | undefined): Usage | undefined {
  if (!usage) return undefined;
  // Tool-use prompt tokens are billed as input and thoughts as output, and totalTokenCount counts both.
  const prompt = (usage.promptTokenCount ?? 0) + (usage.toolUsePromptTokenCount ?? 0);
  const completion = (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0);
  const out: Usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: usage.totalTokenCount ?? prompt + completion };
  if (usage.cachedContentTokenCount) out.cached_prompt_tokens = usage.cachedContentTokenCount;
  return out;
}

/**
 * A tool call id. Gemini's own when it gives one; otherwise derived from where the call sits in the
 * response, so the same response yields the same ids whether it was streamed or not.
 */
export function geminiToolCallId(responseId: string | undefined, candidate: number, position: number, call: GeminiFunctionCall): string {
  if (call.id) return call.id;
  const digest = createHash('sha256')
    .update(JSON.stringify([responseId ?? '', candidate, position, call.name, call.args ?? {}]))
    .digest('hex');
  return `call_${digest.slice(0, 24)}`;
}

function toToolCall(responseId: string | undefined, candidate: number, position: number, part: GeminiPart & { functionCall: GeminiFunctionCall }): ToolCall {
  const call = part.functionCall;
  return {
    id: withThoughtSignature(geminiToolCallId(responseId, candidate, position, call), part.thoughtSignature),
    type: 'function',
    function: { name: call.name, arguments: JSON.stringify(call.args ?? {}) },
  };
}

const isFunctionCall = (part: GeminiPart): part is GeminiPart & { functionCall: GeminiFunctionCall } => part.functionCall !== undefined;

/** The answer text of a candidate: its text parts, without thought summaries. */
function answerText(parts: GeminiPart[]): string {
  return parts.map((part) => (part.thought || part.text === undefined ? '' : part.text)).join('');
}

export function fromGeminiResponse(provider: string, response: GeminiGenerateContentResponse): ChatResult {
  if (!response || typeof response !== 'object') throw new GatewayError('provider_bad_response', `${provider} returned a body that is not a GenerateContentResponse`);
  let choices: Choice[];
  if (Array.isArray(response.candidates) && response.candidates.length > 0) {
    choices = response.candidates.map((candidate, position) => {
      const index = candidate.index ?? position;
      const parts = candidate.content?.parts ?? [];
      const toolCalls = parts.filter(isFunctionCall).map((part, call) => toToolCall(response.responseId, index, call, part));
      const message: ChatMessage = { role: 'assistant', content: answerText(parts) };
      if (toolCalls.length > 0) message.tool_calls = toolCalls;
      const finish = fromGeminiFinishReason(candidate.finishReason, toolCalls.length > 0) ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop');
      return { index, message, finish_reason: finish };
    });
  } else if (response.promptFeedback?.blockReason) {
    // A blocked prompt gets no candidates, only the reason it was blocked.
    choices = [{ index: 0, message: { role: 'assistant', content: '' }, finish_reason: 'content_filter' }];
  } else {
    throw new GatewayError('provider_bad_response', `${provider} returned a response without candidates`);
  }
  const result: ChatResult = { choices };
  if (response.responseId) result.provider_response_id = response.responseId;
  const usage = fromGeminiUsage(response.usageMetadata);
  if (usage) result.usage = usage;
  return result;
}

/**
 * Turns streamed GenerateContentResponse chunks into unified stream events. It keeps what the
 * finish reason and the tool-call ids depend on across chunks: how many calls each candidate made.
 */
export class GeminiStreamTranslator {
  private readonly calls = new Map<number, number>();
  private ended = false;

  /** Whether a chunk has said why generation ended; a stream that closes before that was cut short. */
  get finished(): boolean {
    return this.ended;
  }

  translate(chunk: GeminiGenerateContentResponse): ChatStreamEvent[] {
    const events: ChatStreamEvent[] = [];
    const id = chunk.responseId ? { provider_response_id: chunk.responseId } : {};
    for (const [position, candidate] of (chunk.candidates ?? []).entries()) {
      const index = candidate.index ?? position;
      const event: ChatStreamEvent = { index, ...id };
      if (!this.calls.has(index)) {
        this.calls.set(index, 0);
        event.role = 'assistant';
      }
      const parts = candidate.content?.parts ?? [];
      const text = answerText(parts);
      if (text) event.content = text;
      for (const part of parts) {
        if (!isFunctionCall(part)) continue;
        const call = this.calls.get(index)!;
        this.calls.set(index, call + 1);
        const unified = toToolCall(chunk.responseId, index, call, part);
        (event.tool_calls ??= []).push({ index: call, id: unified.id, type: 'function', function: { ...unified.function } });
      }
      const finish = fromGeminiFinishReason(candidate.finishReason, this.calls.get(index)! > 0);
      if (finish) {
        event.finish_reason = finish;
        this.ended = true;
      }
      events.push(event);
    }
    if ((chunk.candidates ?? []).length === 0 && chunk.promptFeedback?.blockReason) {
      events.push({ index: 0, role: 'assistant', finish_reason: 'content_filter', ...id });
      this.ended = true;
    }
    const usage = fromGeminiUsage(chunk.usageMetadata);
    if (usage) {
      // Every chunk carries the usage so far; the last one is the total.
      if (events.length > 0) events[events.length - 1].usage = usage;
      else events.push({ index: 0, usage, ...id });
    }
    return events;
  }
}

export function toGeminiEmbedRequest(request: EmbedRequest): GeminiBatchEmbedContentsRequest {
  const model = geminiModelName(request.model);
  return {
    requests: request.input.map((text) => ({
      model,
      content: { parts: [{ text }] },
      ...(request.dimensions ? { outputDimensionality: request.dimensions } : {}),
    })),
  };
}

export function fromGeminiEmbedResponse(provider: string, response: GeminiBatchEmbedContentsResponse, inputs: number): EmbedResult {
  if (!response || !Array.isArray(response.embeddings) || response.embeddings.some((embedding) => !Array.isArray(embedding?.values))) {
    throw new GatewayError('provider_bad_response', `${provider} returned embeddings without values`);
  }
  if (response.embeddings.length !== inputs) {
    throw new GatewayError('provider_bad_response', `${provider} returned ${response.embeddings.length} embeddings for ${inputs} inputs`);
  }
  // batchEmbedContents reports no token counts; the gateway estimates them when usage is absent.
  return { data: response.embeddings.map((embedding, index) => ({ index, embedding: embedding.values })) };
}
