// Validation of what callers send, shared by every front door: the gRPC and HTTP servers call it on the
// unified request they decoded, and the router calls it on every request event, so producers writing
// straight to the requests topic are held to the same rules. It reads values as `unknown` at every
// step: an event off Kafka is whatever its producer wrote. Bounds are in limits.ts.
import { ROLES, type ChatRequest, type EmbedRequest } from './chat';
import type { ModerationRequest } from './moderation';
import type { RerankRequest } from './rerank';
import { IMAGE_QUALITIES, IMAGE_STYLES, type ImageGenerationRequest } from './image-generation';
import { TRANSCRIPTION_FORMATS, type TranscriptionRequest } from './transcription';
import { GatewayError, InvalidFieldError } from './errors';
import type { CacheControl } from './events';
import { IMAGE_DETAILS, IMAGE_MIME_TYPES, LIMITS, RESPONSE_FORMAT_TYPES, TOOL_CHOICE_MODES } from './limits';

type Fields = Record<string, unknown>;

export function validateChatRequest(request: ChatRequest): void {
  const fields = request as unknown as Fields;
  checkModel(fields.model);
  const messages = fields.messages;
  if (!Array.isArray(messages) || messages.length === 0) throw new InvalidFieldError('messages', 'must contain at least one message');
  if (messages.length > LIMITS.messages) throw new InvalidFieldError('messages', `holds ${messages.length} messages; at most ${LIMITS.messages} are accepted`);
  for (let i = 0; i < messages.length; i++) checkMessage(messages[i], `messages[${i}]`);

  const toolNames = checkTools(fields.tools);
  checkToolChoice(fields.tool_choice, toolNames);
  checkResponseFormat(fields.response_format);
  checkNumber(fields.temperature, 'temperature', 0, 2, false);
  checkNumber(fields.top_p, 'top_p', 0, 1, false);
  checkNumber(fields.max_tokens, 'max_tokens', 1, LIMITS.maxTokens, true);
  // int64 on the gRPC wire; JSON numbers beyond 2^63 are not seeds any provider takes.
  checkNumber(fields.seed, 'seed', -(2 ** 63), 2 ** 63, true);
  if (fields.stop !== undefined && fields.stop !== null) {
    const stop = fields.stop;
    if (!Array.isArray(stop)) throw new InvalidFieldError('stop', 'must be an array of strings');
    if (stop.length > LIMITS.stopSequences) throw new InvalidFieldError('stop', `holds ${stop.length} sequences; at most ${LIMITS.stopSequences} are accepted`);
    // A stop sequence may be a newline or a tab, so only NUL is refused among control characters.
    stop.forEach((sequence, i) => checkString(sequence, `stop[${i}]`, { min: 1, max: LIMITS.stopSequenceChars, text: true }));
  }
  checkUserAndMetadata(fields);
}

export function validateEmbedRequest(request: EmbedRequest): void {
  const fields = checkTextsRequest(request, LIMITS.embedInputs);
  checkNumber(fields.dimensions, 'dimensions', 1, LIMITS.embedDimensions, true);
}

export function validateModerationRequest(request: ModerationRequest): void {
  checkTextsRequest(request, LIMITS.moderationInputs);
}

export function validateRerankRequest(request: RerankRequest): void {
  const fields = request as unknown as Fields;
  checkModel(fields.model);
  checkText(fields.query, 'query', 1);
  const documents = fields.documents;
  if (!Array.isArray(documents) || documents.length === 0) throw new InvalidFieldError('documents', 'must contain at least one string');
  if (documents.length > LIMITS.rerankDocuments) throw new InvalidFieldError('documents', `holds ${documents.length} documents; at most ${LIMITS.rerankDocuments} are accepted`);
  documents.forEach((text, i) => checkText(text, `documents[${i}]`, 1));
  checkNumber(fields.top_n, 'top_n', 1, LIMITS.rerankDocuments, true);
  checkUserAndMetadata(fields);
}

const IMAGE_SIZE = /^([1-9][0-9]{0,4})x([1-9][0-9]{0,4})$/;

export function validateImageGenerationRequest(request: ImageGenerationRequest): void {
  const fields = request as unknown as Fields;
  checkModel(fields.model);
  checkString(fields.prompt, 'prompt', { min: 1, max: LIMITS.imagePromptChars, text: true });
  checkNumber(fields.n, 'n', 1, LIMITS.imagesPerRequest, true);
  if (fields.size !== undefined && fields.size !== null && fields.size !== '') {
    const size = IMAGE_SIZE.exec(typeof fields.size === 'string' ? fields.size : '');
    if (!size || Number(size[1]) > LIMITS.imageSidePixels || Number(size[2]) > LIMITS.imageSidePixels) {
      throw new InvalidFieldError('size', `is ${quoted(fields.size)}; expected WIDTHxHEIGHT, each side at most ${LIMITS.imageSidePixels} pixels, e.g. 1024x1024`);
    }
  }
  if (fields.quality !== undefined && fields.quality !== null && fields.quality !== '') checkOneOf(fields.quality, 'quality', IMAGE_QUALITIES);
  if (fields.style !== undefined && fields.style !== null && fields.style !== '') checkOneOf(fields.style, 'style', IMAGE_STYLES);
  checkUserAndMetadata(fields);
}

// An ISO-639-1 code (en) or a BCP-47 tag (en-US, zh-Hant-TW), as OpenAI and Deepgram take them.
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,3}$/;

export function validateTranscriptionRequest(request: TranscriptionRequest): void {
  const fields = request as unknown as Fields;
  checkModel(fields.model);
  const audio = fields.audio;
  if (typeof audio !== 'string' || audio.length === 0 || !BASE64.test(audio)) throw new InvalidFieldError('file', "is required: the audio file's bytes");
  // Its decoded size, from the base64's length: 4 characters for 3 bytes, less the padding.
  const bytes = (audio.length / 4) * 3 - (audio.endsWith('==') ? 2 : audio.endsWith('=') ? 1 : 0);
  if (bytes > LIMITS.audioBytes) throw new GatewayError('request_too_large', `the audio file is ${Math.ceil(bytes)} bytes; at most ${LIMITS.audioBytes} (25 MB) are accepted`);
  checkString(fields.filename, 'filename', { min: 1, max: LIMITS.filenameChars });
  if (fields.language !== undefined && fields.language !== null && fields.language !== '') {
    if (typeof fields.language !== 'string' || !LANGUAGE_TAG.test(fields.language)) {
      throw new InvalidFieldError('language', `is ${quoted(fields.language)}; expected an ISO-639-1 code such as en, or a BCP-47 tag such as en-US`);
    }
  }
  if (fields.prompt !== undefined && fields.prompt !== null) checkString(fields.prompt, 'prompt', { max: LIMITS.transcriptionPromptChars, text: true });
  if (fields.response_format !== undefined && fields.response_format !== null && fields.response_format !== '') checkOneOf(fields.response_format, 'response_format', TRANSCRIPTION_FORMATS);
  checkNumber(fields.temperature, 'temperature', 0, 1, false);
  checkUserAndMetadata(fields);
}

/** A request over a list of texts (embeddings, moderation): its model, 1 to `most` non-empty texts, its user and metadata. */
function checkTextsRequest(request: EmbedRequest | ModerationRequest, most: number): Fields {
  const fields = request as unknown as Fields;
  checkModel(fields.model);
  const input = fields.input;
  if (!Array.isArray(input) || input.length === 0) throw new InvalidFieldError('input', 'must contain at least one string');
  if (input.length > most) throw new InvalidFieldError('input', `holds ${input.length} strings; at most ${most} are accepted`);
  input.forEach((text, i) => checkText(text, `input[${i}]`, 1));
  checkUserAndMetadata(fields);
  return fields;
}

/**
 * The caller's cache directive from an HTTP Cache-Control header or gRPC cache-control metadata:
 * no-store wins over no-cache; other directives (max-age...) are HTTP's and leave the cache as configured.
 */
export function parseCacheControl(value: unknown): CacheControl | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  checkString(value, 'cache-control', { max: LIMITS.cacheControlChars });
  const directives = (value as string).toLowerCase().split(',').map((directive) => directive.trim());
  if (directives.includes('no-store')) return 'no-store';
  if (directives.includes('no-cache')) return 'no-cache';
  return undefined;
}

function checkModel(model: unknown): void {
  if (model === undefined || model === null || model === '') throw new InvalidFieldError('model', 'is required');
  checkString(model, 'model', { max: LIMITS.modelChars });
}

function checkMessage(value: unknown, path: string): void {
  const message = objectAt(value, path);
  if (typeof message.role !== 'string' || !ROLES.includes(message.role as (typeof ROLES)[number])) {
    throw new InvalidFieldError(`${path}.role`, `is ${quoted(message.role)}; expected one of ${ROLES.join(', ')}`);
  }
  optionalText(message.content, `${path}.content`);
  if (message.name !== undefined && message.name !== null && message.name !== '') checkString(message.name, `${path}.name`, { max: LIMITS.nameChars });
  if (message.content_parts !== undefined && message.content_parts !== null) {
    const parts = arrayAt(message.content_parts, `${path}.content_parts`, LIMITS.contentPartsPerMessage);
    for (let i = 0; i < parts.length; i++) checkContentPart(parts[i], `${path}.content_parts[${i}]`);
  }
  if (message.tool_calls !== undefined && message.tool_calls !== null) {
    const calls = arrayAt(message.tool_calls, `${path}.tool_calls`, LIMITS.toolCallsPerMessage);
    for (let i = 0; i < calls.length; i++) {
      const call = objectAt(calls[i], `${path}.tool_calls[${i}]`);
      checkString(call.id, `${path}.tool_calls[${i}].id`, { min: 1, max: LIMITS.toolCallIdChars });
      const fn = objectAt(call.function, `${path}.tool_calls[${i}].function`);
      checkString(fn.name, `${path}.tool_calls[${i}].function.name`, { min: 1, max: LIMITS.functionNameChars });
      checkText(fn.arguments, `${path}.tool_calls[${i}].function.arguments`);
    }
  }
  if (message.role === 'tool') {
    if (!message.tool_call_id) throw new InvalidFieldError(`${path}.tool_call_id`, 'is required on a message with role tool');
    checkString(message.tool_call_id, `${path}.tool_call_id`, { max: LIMITS.toolCallIdChars });
  } else if (message.tool_call_id !== undefined && message.tool_call_id !== null && message.tool_call_id !== '') {
    checkString(message.tool_call_id, `${path}.tool_call_id`, { max: LIMITS.toolCallIdChars });
  }
}

function checkContentPart(value: unknown, path: string): void {
  const part = objectAt(value, path);
  const kinds = (part.text !== undefined ? 1 : 0) + (part.image_url !== undefined ? 1 : 0) + (part.image !== undefined ? 1 : 0);
  if (kinds !== 1) throw new InvalidFieldError(path, 'must hold exactly one of text, image_url, image');
  if (part.text !== undefined) return checkText(part.text, `${path}.text`);
  if (part.image_url !== undefined) {
    const image = objectAt(part.image_url, `${path}.image_url`);
    checkImageUrl(image.url, `${path}.image_url.url`);
    if (image.detail !== undefined && image.detail !== '') checkOneOf(image.detail, `${path}.image_url.detail`, IMAGE_DETAILS);
    return;
  }
  const image = objectAt(part.image, `${path}.image`);
  checkOneOf(image.mime_type, `${path}.image.mime_type`, IMAGE_MIME_TYPES);
  const data = image.data;
  if (data instanceof Uint8Array) {
    if (data.length === 0) throw new InvalidFieldError(`${path}.image.data`, 'is empty');
  } else if (typeof data !== 'string' || data.length === 0 || !BASE64.test(data)) {
    throw new InvalidFieldError(`${path}.image.data`, 'must be the image\'s bytes in base64');
  }
}

// One character class and a fixed tail: linear in the length of the data, which may be megabytes.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Image URLs go to providers that fetch them, a self-hosted one from inside the caller's network:
 * only https, and no address that names the machine or its private network directly. A public name
 * that resolves to a private address is the provider's to refuse; the gateway does not resolve names.
 */
export function checkImageUrl(value: unknown, path: string): void {
  checkString(value, path, { min: 1, max: LIMITS.imageUrlChars });
  let url: URL;
  try {
    url = new URL(value as string);
  } catch {
    throw new InvalidFieldError(path, 'is not a URL');
  }
  if (url.protocol !== 'https:') throw new InvalidFieldError(path, 'must be an https:// URL (or, over HTTP, a base64 data: URL)');
  if (url.username || url.password) throw new InvalidFieldError(path, 'must not carry credentials');
  if (isPrivateHost(url.hostname)) throw new InvalidFieldError(path, 'must not point at a loopback, private or link-local address');
}

function isPrivateHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.internal') || host.endsWith('.local')) return true;
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 0 || a === 10 || a === 127 || (a === 100 && b >= 64 && b <= 127) || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || a >= 224;
  }
  if (!host.includes(':')) return false;
  // IPv6: loopback, unspecified, unique-local (fc00::/7), link-local (fe80::/10), and IPv4 mapped or compatible.
  return host === '::1' || host === '::' || /^f[cd]/.test(host) || /^fe[89ab]/.test(host) || host.startsWith('::ffff:') || /^::\d/.test(host);
}

function checkTools(value: unknown): Set<string> {
  const names = new Set<string>();
  if (value === undefined || value === null) return names;
  const tools = arrayAt(value, 'tools', LIMITS.tools);
  for (let i = 0; i < tools.length; i++) {
    const tool = objectAt(tools[i], `tools[${i}]`);
    if (tool.type !== undefined && tool.type !== 'function') throw new InvalidFieldError(`tools[${i}].type`, 'must be function (only function tools are supported)');
    const fn = objectAt(tool.function, `tools[${i}].function`);
    if (fn.name === undefined || fn.name === '') throw new InvalidFieldError(`tools[${i}].function.name`, 'is required');
    checkString(fn.name, `tools[${i}].function.name`, { max: LIMITS.functionNameChars });
    names.add(fn.name as string);
    optionalText(fn.description, `tools[${i}].function.description`);
    if (fn.parameters_json !== undefined && fn.parameters_json !== '') checkJsonText(fn.parameters_json, `tools[${i}].function.parameters_json`);
    checkBoolean(fn.strict, `tools[${i}].function.strict`);
  }
  return names;
}

function checkToolChoice(value: unknown, toolNames: Set<string>): void {
  if (value === undefined || value === null) return;
  const choice = objectAt(value, 'tool_choice');
  checkOneOf(choice.mode, 'tool_choice.mode', TOOL_CHOICE_MODES);
  if (choice.mode === 'function') {
    if (!choice.function_name) throw new InvalidFieldError('tool_choice.function_name', 'is required when tool_choice.mode is function');
    checkString(choice.function_name, 'tool_choice.function_name', { max: LIMITS.functionNameChars });
    if (!toolNames.has(choice.function_name as string)) throw new InvalidFieldError('tool_choice.function_name', `names ${JSON.stringify(choice.function_name)}, which is not one of the request's tools`);
  } else if (choice.mode === 'required' && toolNames.size === 0) {
    throw new InvalidFieldError('tool_choice.mode', 'is required, but the request has no tools');
  }
}

function checkResponseFormat(value: unknown): void {
  if (value === undefined || value === null) return;
  const format = objectAt(value, 'response_format');
  checkOneOf(format.type, 'response_format.type', RESPONSE_FORMAT_TYPES);
  if (format.json_schema_name !== undefined && format.json_schema_name !== '') checkString(format.json_schema_name, 'response_format.json_schema_name', { max: LIMITS.nameChars });
  if (format.json_schema !== undefined && format.json_schema !== '') {
    if (format.type !== 'json_schema') throw new InvalidFieldError('response_format.json_schema', 'is only for response_format.type json_schema');
    checkJsonText(format.json_schema, 'response_format.json_schema');
  }
  checkBoolean(format.strict, 'response_format.strict');
}

function checkUserAndMetadata(fields: Fields): void {
  if (fields.user !== undefined && fields.user !== null && fields.user !== '') checkString(fields.user, 'user', { max: LIMITS.userChars });
  if (fields.metadata !== undefined && fields.metadata !== null) checkMetadata(fields.metadata);
}

/** String tags: a request's, and a virtual key's or team's. */
export function checkMetadata(metadata: unknown): void {
  const pairs = objectAt(metadata, 'metadata');
  const keys = Object.keys(pairs);
  if (keys.length > LIMITS.metadataPairs) throw new InvalidFieldError('metadata', `holds ${keys.length} pairs; at most ${LIMITS.metadataPairs} are accepted`);
  for (const key of keys) {
    checkString(key, 'metadata', { min: 1, max: LIMITS.metadataKeyChars, what: `key ${JSON.stringify(key.slice(0, 64))}` });
    checkString(pairs[key], `metadata.${key}`, { max: LIMITS.metadataValueChars });
  }
}

export function checkJsonText(text: unknown, path: string): void {
  checkText(text, path);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text as string);
  } catch {
    throw new InvalidFieldError(path, 'is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new InvalidFieldError(path, 'must be a JSON object (a JSON Schema)');
  if (jsonDepth(text as string) > LIMITS.jsonDepth) throw new InvalidFieldError(path, `is nested more than ${LIMITS.jsonDepth} levels deep`);
}

/** How deeply a JSON text nests arrays and objects, read in one pass (no recursion to overflow). */
function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x5d || c === 0x7d) depth--;
  }
  return deepest;
}

// Names, ids and tags are logged, stored in rows and sent in headers: no control characters. Prose
// (`text`) may hold any character but NUL, which Postgres text refuses and no provider reads.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;

export interface StringRule {
  min?: number;
  max?: number;
  /** Prose rather than a name: control characters other than NUL are allowed. */
  text?: boolean;
  /** What the problem is about, when it is not the field's value (e.g. a metadata key). */
  what?: string;
}

export function checkString(value: unknown, path: string, rule: StringRule): void {
  const subject = rule.what ? `${rule.what} ` : '';
  if (typeof value !== 'string') throw new InvalidFieldError(path, `${subject}must be a string`);
  if (rule.min !== undefined && value.length < rule.min) throw new InvalidFieldError(path, `${subject}must not be empty`);
  if (rule.max !== undefined && value.length > rule.max) throw new InvalidFieldError(path, `${subject}is ${value.length} characters long; at most ${rule.max} are accepted`);
  if (rule.text ? value.includes('\u0000') : CONTROL_CHARACTERS.test(value)) {
    throw new InvalidFieldError(path, `${subject}must not hold ${rule.text ? 'NUL (\\u0000)' : 'control characters'}`);
  }
  if (!value.isWellFormed()) throw new InvalidFieldError(path, `${subject}is not well-formed Unicode (it holds a lone surrogate)`);
}

function checkText(value: unknown, path: string, min?: number): void {
  checkString(value, path, { min, text: true });
}

function optionalText(value: unknown, path: string): void {
  if (value !== undefined && value !== null) checkText(value, path);
}

export function checkOneOf(value: unknown, path: string, allowed: readonly string[]): void {
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw new InvalidFieldError(path, `is ${quoted(value)}; expected one of ${allowed.join(', ')}`);
  }
}

/** A caller's value as an error message quotes it: short, whatever was sent. */
function quoted(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 64 ? `${text.slice(0, 64)}...` : text;
}

export function checkNumber(value: unknown, path: string, min: number, max: number, integer: boolean): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new InvalidFieldError(path, 'must be a finite number');
  if (integer && !Number.isInteger(value)) throw new InvalidFieldError(path, 'must be an integer');
  if (value < min || value > max) throw new InvalidFieldError(path, `is ${value}; it must be between ${min} and ${max}`);
}

function checkBoolean(value: unknown, path: string): void {
  if (value !== undefined && value !== null && typeof value !== 'boolean') throw new InvalidFieldError(path, 'must be true or false');
}

export function objectAt(value: unknown, path: string): Fields {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidFieldError(path, 'must be an object');
  return value as Fields;
}

export function arrayAt(value: unknown, path: string, max: number): unknown[] {
  if (!Array.isArray(value)) throw new InvalidFieldError(path, 'must be an array');
  if (value.length > max) throw new InvalidFieldError(path, `holds ${value.length} items; at most ${max} are accepted`);
  return value;
}
