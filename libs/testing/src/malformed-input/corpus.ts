// The malformed-input corpus: what careless clients and attackers send, for every front door (the OpenAI
// and Anthropic HTTP APIs, gRPC including bytes that are not protobuf, and events produced straight to
// the requests topic), each case with the one outcome the gateway must give. Most cases are made by
// rule from a table of fields, so that a field added to a front door is one line here: every string at
// 10 KB and 1 MB and with NUL, a control character and a lone surrogate; every number at NaN, ±Infinity,
// a negative and 1e308; deep nesting in every JSON-valued field. The rest are the cases that broke once.
import { ERROR_CODES, type ErrorCode } from '@switchyard/contracts';

/** The answer a case must get: 'ok' (and a usage row), or this error code (and, for routes, this HTTP status). */
export interface Expected {
  code: 'ok' | ErrorCode;
  /** Only where the HTTP status is not the code's own (unknown routes, wrong methods). */
  httpStatus?: number;
}

export type HttpApi = 'openai' | 'anthropic';
export type GrpcMethod = 'Chat' | 'ChatStream' | 'Embed' | 'ListModels';

export type CorpusCase =
  | { name: string; door: 'http'; api: HttpApi; method: string; path: string; body?: string | Buffer; headers?: Record<string, string>; expect: Expected }
  | { name: string; door: 'grpc'; method: GrpcMethod; request: unknown; expect: Expected }
  | { name: string; door: 'grpc-bytes'; method: GrpcMethod; bytes: Buffer; expect: Expected };

export const CHAT_MODEL = 'mock-echo';
export const EMBED_MODEL = 'mock-embed';

/** The gateway the corpus is written for: its two models, on the mock provider. */
export const CORPUS_GATEWAY_CONFIG = `
models:
  - { name: ${CHAT_MODEL}, provider: mock, capabilities: [chat, streaming, tools, vision] }
  - { name: ${EMBED_MODEL}, provider: mock, capabilities: [embeddings] }
providers:
  mock: { latency_ms: 0 }
`;

/** What each kind of string field accepts: names and tags are short and plain; prose is any text but NUL. */
type StringKind = 'name' | 'prose' | 'stop' | 'id' | 'url';

const TEN_KB = 10 * 1024;
const ONE_MB = 1024 * 1024;

// Word-like filler: what a long prompt looks like, and what a row or a log line would hold.
function filler(length: number): string {
  return 'lorem ipsum dolor sit amet '.repeat(Math.ceil(length / 27)).slice(0, length);
}

interface StringVariant {
  label: string;
  value: string;
  accepted: readonly StringKind[];
  /** Over gRPC, where it differs: protobuf's UTF-8 cannot carry a lone surrogate, so the client sends U+FFFD. */
  acceptedOverGrpc?: readonly StringKind[];
}

const STRING_VARIANTS: readonly StringVariant[] = [
  { label: 'at 10 KB', value: filler(TEN_KB), accepted: ['prose', 'id'] },
  { label: 'at 1 MB', value: filler(ONE_MB), accepted: ['prose'] },
  { label: 'holding NUL', value: 'a\u0000b', accepted: [] },
  { label: 'holding a control character', value: 'a\u0007b', accepted: ['prose', 'stop'] },
  { label: 'holding a lone surrogate', value: 'a\ud800b', accepted: [], acceptedOverGrpc: ['name', 'prose', 'stop', 'id'] },
];

// A placeholder a raw number replaces in the JSON text: JSON has no NaN, and 1e999 parses as Infinity.
const RAW = '\u0001raw\u0001';

interface NumberVariant {
  label: string;
  json: string;
  grpc: number;
}

const NUMBER_VARIANTS: readonly NumberVariant[] = [
  { label: 'NaN', json: 'NaN', grpc: NaN },
  { label: 'Infinity', json: '1e999', grpc: Infinity },
  { label: '-Infinity', json: '-1e999', grpc: -Infinity },
  { label: 'negative', json: '-1', grpc: -1 },
  { label: '1e308', json: '1e308', grpc: 1e308 },
];

type Path = readonly (string | number)[];

interface StringField {
  path: Path;
  kind: StringKind;
  /** A base request of the door that has this field; the door's plain request when absent. */
  base?: object;
  /** The field's value is a key rather than a value (metadata keys). */
  key?: boolean;
}

interface NumberField {
  path: Path;
  /** Labels of NUMBER_VARIANTS the field accepts (e.g. a negative seed), over JSON / over gRPC. */
  acceptedJson?: readonly string[];
  acceptedGrpc?: readonly string[];
}

// The plain requests of each door, and variants carrying the optional parts that fields live in.
const openAIChat = { model: CHAT_MODEL, messages: [{ role: 'user', content: 'hello' }] };
const openAIWithTools = {
  model: CHAT_MODEL,
  messages: [
    { role: 'user', content: 'call it', name: 'alice' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: 'found' },
    { role: 'user', content: [{ type: 'text', text: 'and this' }, { type: 'image_url', image_url: { url: 'https://example.com/cat.png', detail: 'low' } }] },
  ],
  tools: [{ type: 'function', function: { name: 'lookup', description: 'finds things', parameters: { type: 'object' } } }],
  tool_choice: { type: 'function', function: { name: 'lookup' } },
  response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' } } },
  user: 'user-1',
  metadata: { team: 'search' },
  stop: ['END'],
};
const openAIEmbeddings = { model: EMBED_MODEL, input: ['hello'] };
const anthropic = { model: CHAT_MODEL, max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] };
const anthropicWithTools = {
  model: CHAT_MODEL,
  max_tokens: 64,
  system: 'be brief',
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'call it' }] },
    { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { q: 'x' } }] },
    {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'toolu_1', content: 'found' },
        { type: 'image', source: { type: 'url', url: 'https://example.com/cat.png' } },
        { type: 'text', text: 'and this' },
      ],
    },
  ],
  tools: [{ name: 'lookup', description: 'finds things', input_schema: { type: 'object' } }],
  tool_choice: { type: 'tool', name: 'lookup' },
  stop_sequences: ['END'],
  metadata: { user_id: 'user-1' },
};
const grpcChat = { model: CHAT_MODEL, messages: [{ role: 'user', content: 'hello' }] };
const grpcWithTools = {
  model: CHAT_MODEL,
  messages: [
    { role: 'user', content: 'call it', name: 'alice' },
    { role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: 'found' },
    { role: 'user', content_parts: [{ text: 'and this' }, { image_url: { url: 'https://example.com/cat.png', detail: 'low' } }, { image: { mime_type: 'image/png', data: Buffer.from('png') } }] },
  ],
  tools: [{ type: 'function', function: { name: 'lookup', description: 'finds things', parameters_json: '{"type":"object"}' } }],
  tool_choice: { mode: 'function', function_name: 'lookup' },
  response_format: { type: 'json_schema', json_schema_name: 'answer', json_schema: '{"type":"object"}' },
  user: 'user-1',
  metadata: { team: 'search' },
  stop: ['END'],
};
const grpcEmbed = { model: EMBED_MODEL, input: ['hello'] };

const OPENAI_CHAT_STRINGS: StringField[] = [
  { path: ['model'], kind: 'name' },
  { path: ['messages', 0, 'content'], kind: 'prose' },
  { path: ['messages', 0, 'name'], kind: 'name', base: openAIWithTools },
  { path: ['messages', 1, 'tool_calls', 0, 'id'], kind: 'id', base: openAIWithTools },
  { path: ['messages', 1, 'tool_calls', 0, 'function', 'name'], kind: 'name', base: openAIWithTools },
  { path: ['messages', 1, 'tool_calls', 0, 'function', 'arguments'], kind: 'prose', base: openAIWithTools },
  { path: ['messages', 2, 'tool_call_id'], kind: 'id', base: openAIWithTools },
  { path: ['messages', 3, 'content', 0, 'text'], kind: 'prose', base: openAIWithTools },
  { path: ['messages', 3, 'content', 1, 'image_url', 'url'], kind: 'url', base: openAIWithTools },
  { path: ['messages', 3, 'content', 1, 'image_url', 'detail'], kind: 'name', base: openAIWithTools },
  { path: ['tools', 0, 'function', 'name'], kind: 'name', base: openAIWithTools },
  { path: ['tools', 0, 'function', 'description'], kind: 'prose', base: openAIWithTools },
  { path: ['tool_choice', 'function', 'name'], kind: 'name', base: openAIWithTools },
  { path: ['response_format', 'json_schema', 'name'], kind: 'name', base: openAIWithTools },
  { path: ['user'], kind: 'name', base: openAIWithTools },
  { path: ['metadata', 'team'], kind: 'name', base: openAIWithTools },
  { path: ['metadata'], kind: 'name', base: openAIWithTools, key: true },
  { path: ['stop', 0], kind: 'stop', base: openAIWithTools },
];

const OPENAI_EMBEDDINGS_STRINGS: StringField[] = [
  { path: ['model'], kind: 'name' },
  { path: ['input', 0], kind: 'prose' },
  { path: ['user'], kind: 'name' },
];

const ANTHROPIC_STRINGS: StringField[] = [
  { path: ['model'], kind: 'name' },
  { path: ['messages', 0, 'content'], kind: 'prose' },
  { path: ['system'], kind: 'prose', base: anthropicWithTools },
  { path: ['messages', 0, 'content', 0, 'text'], kind: 'prose', base: anthropicWithTools },
  { path: ['messages', 1, 'content', 0, 'id'], kind: 'id', base: anthropicWithTools },
  { path: ['messages', 1, 'content', 0, 'name'], kind: 'name', base: anthropicWithTools },
  { path: ['messages', 2, 'content', 0, 'tool_use_id'], kind: 'id', base: anthropicWithTools },
  { path: ['messages', 2, 'content', 0, 'content'], kind: 'prose', base: anthropicWithTools },
  { path: ['messages', 2, 'content', 1, 'source', 'url'], kind: 'url', base: anthropicWithTools },
  { path: ['tools', 0, 'name'], kind: 'name', base: anthropicWithTools },
  { path: ['tools', 0, 'description'], kind: 'prose', base: anthropicWithTools },
  { path: ['tool_choice', 'name'], kind: 'name', base: anthropicWithTools },
  { path: ['stop_sequences', 0], kind: 'stop', base: anthropicWithTools },
  { path: ['metadata', 'user_id'], kind: 'name', base: anthropicWithTools },
];

const GRPC_CHAT_STRINGS: StringField[] = [
  { path: ['model'], kind: 'name' },
  { path: ['messages', 0, 'content'], kind: 'prose' },
  { path: ['messages', 0, 'role'], kind: 'name' },
  { path: ['messages', 0, 'name'], kind: 'name', base: grpcWithTools },
  { path: ['messages', 1, 'tool_calls', 0, 'id'], kind: 'id', base: grpcWithTools },
  { path: ['messages', 1, 'tool_calls', 0, 'function', 'name'], kind: 'name', base: grpcWithTools },
  { path: ['messages', 1, 'tool_calls', 0, 'function', 'arguments'], kind: 'prose', base: grpcWithTools },
  { path: ['messages', 2, 'tool_call_id'], kind: 'id', base: grpcWithTools },
  { path: ['messages', 3, 'content_parts', 0, 'text'], kind: 'prose', base: grpcWithTools },
  { path: ['messages', 3, 'content_parts', 1, 'image_url', 'url'], kind: 'url', base: grpcWithTools },
  { path: ['messages', 3, 'content_parts', 1, 'image_url', 'detail'], kind: 'name', base: grpcWithTools },
  { path: ['messages', 3, 'content_parts', 2, 'image', 'mime_type'], kind: 'name', base: grpcWithTools },
  { path: ['tools', 0, 'type'], kind: 'name', base: grpcWithTools },
  { path: ['tools', 0, 'function', 'name'], kind: 'name', base: grpcWithTools },
  { path: ['tools', 0, 'function', 'description'], kind: 'prose', base: grpcWithTools },
  { path: ['tool_choice', 'mode'], kind: 'name', base: grpcWithTools },
  { path: ['tool_choice', 'function_name'], kind: 'name', base: grpcWithTools },
  { path: ['response_format', 'type'], kind: 'name', base: grpcWithTools },
  { path: ['response_format', 'json_schema_name'], kind: 'name', base: grpcWithTools },
  { path: ['user'], kind: 'name', base: grpcWithTools },
  { path: ['metadata', 'team'], kind: 'name', base: grpcWithTools },
  { path: ['metadata'], kind: 'name', base: grpcWithTools, key: true },
  { path: ['stop', 0], kind: 'stop', base: grpcWithTools },
];

const GRPC_EMBED_STRINGS: StringField[] = [
  { path: ['model'], kind: 'name' },
  { path: ['input', 0], kind: 'prose' },
  { path: ['user'], kind: 'name' },
  { path: ['metadata', 'team'], kind: 'name', base: { ...grpcEmbed, metadata: { team: 'search' } } },
];

// These fields take one of a few words, or must name something else in the request, so no variant passes.
const CLOSED_SET_FIELDS = new Set(['detail', 'mime_type', 'type', 'mode', 'role']);

function stringExpected(field: StringField, variant: StringVariant, overGrpc: boolean): Expected {
  const accepted = ((overGrpc && variant.acceptedOverGrpc) || variant.accepted).includes(field.kind);
  // A plain name the gateway does not serve is a model it cannot find.
  if (field.path[0] === 'model') return { code: accepted ? 'model_not_found' : 'invalid_request' };
  const last = field.path[field.path.length - 1];
  // The requests' tool_choice names their tool: a changed name on either side breaks the link.
  const toolLink = field.path[0] === 'tool_choice' || (field.path[0] === 'tools' && last === 'name');
  if (toolLink || (typeof last === 'string' && CLOSED_SET_FIELDS.has(last))) return { code: 'invalid_request' };
  return expectOf(accepted);
}

const OPENAI_CHAT_NUMBERS: NumberField[] = [
  { path: ['temperature'] },
  { path: ['top_p'] },
  { path: ['max_tokens'] },
  { path: ['max_completion_tokens'] },
  { path: ['seed'], acceptedJson: ['negative'] },
  { path: ['n'] },
  { path: ['presence_penalty'], acceptedJson: ['negative'] },
  { path: ['frequency_penalty'], acceptedJson: ['negative'] },
  { path: ['top_logprobs'] },
];
const ANTHROPIC_NUMBERS: NumberField[] = [{ path: ['max_tokens'] }, { path: ['temperature'] }, { path: ['top_p'] }, { path: ['top_k'] }];
const OPENAI_EMBEDDINGS_NUMBERS: NumberField[] = [{ path: ['dimensions'] }];
// int64 on the wire: protobuf.js turns NaN into 0 and the infinities into the int64 bounds, all valid seeds.
const GRPC_CHAT_NUMBERS: NumberField[] = [
  { path: ['temperature'] },
  { path: ['top_p'] },
  { path: ['max_tokens'] },
  { path: ['seed'], acceptedGrpc: ['NaN', 'Infinity', '-Infinity', 'negative', '1e308'] },
];
const GRPC_EMBED_NUMBERS: NumberField[] = [{ path: ['dimensions'] }];

/** JSON-valued fields, and the JSON-text fields of gRPC, nested far deeper than any schema is. */
const DEEP = 10_000;
// As text: writing such a value with JSON.stringify would overflow the test's own stack.
const DEEP_ARRAY = '['.repeat(DEEP) + ']'.repeat(DEEP);
const DEEP_OBJECT = '{"a":'.repeat(DEEP) + '{}' + '}'.repeat(DEEP);

/** The request as JSON text with `text` (raw JSON) at `path`. */
function spliced(base: object, path: Path, text: string): string {
  return json(withValue(base, path, RAW)).replace(json(RAW), text);
}

function withValue(base: object, path: Path, value: unknown, key = false): object {
  const copy = structuredClone(base) as Record<string | number, unknown>;
  let at = copy as Record<string | number, unknown>;
  for (const step of path.slice(0, -1)) at = at[step] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (key) at[last] = { [value as string]: 'x' };
  else at[last] = value;
  return copy;
}

function httpCase(name: string, api: HttpApi, path: string, body: string | Buffer, expect: Expected, headers?: Record<string, string>): CorpusCase {
  return { name, door: 'http', api, method: 'POST', path, body, headers, expect };
}

function json(value: unknown): string {
  return JSON.stringify(value);
}

function expectOf(accepted: boolean): Expected {
  return { code: accepted ? 'ok' : 'invalid_request' };
}

function describePath(path: Path): string {
  return path.map((step) => (typeof step === 'number' ? `[${step}]` : `.${step}`)).join('').replace(/^\./, '');
}

function stringCases(door: string, fields: StringField[], plain: object, make: (name: string, request: object, expect: Expected) => CorpusCase, overGrpc = false): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const field of fields) {
    for (const variant of STRING_VARIANTS) {
      const request = withValue(field.base ?? plain, field.path, variant.value, field.key);
      const what = field.key ? `a key of ${describePath(field.path)}` : describePath(field.path);
      cases.push(make(`${door}: ${what} ${variant.label}`, request, stringExpected(field, variant, overGrpc)));
    }
  }
  return cases;
}

function httpNumberCases(api: HttpApi, path: string, door: string, fields: NumberField[], plain: object): CorpusCase[] {
  return fields.flatMap((field) =>
    NUMBER_VARIANTS.map((variant) => {
      const body = spliced(plain, field.path, variant.json);
      return httpCase(`${door}: ${describePath(field.path)} ${variant.label}`, api, path, body, expectOf(field.acceptedJson?.includes(variant.label) ?? false));
    }),
  );
}

function grpcNumberCases(method: GrpcMethod, fields: NumberField[], plain: object): CorpusCase[] {
  return fields.flatMap((field) =>
    NUMBER_VARIANTS.map((variant) => ({
      name: `gRPC ${method}: ${describePath(field.path)} ${variant.label}`,
      door: 'grpc' as const,
      method,
      request: withValue(plain, field.path, variant.grpc),
      expect: expectOf(field.acceptedGrpc?.includes(variant.label) ?? false),
    })),
  );
}

const CHAT_PATH = '/v1/chat/completions';
const EMBEDDINGS_PATH = '/v1/embeddings';
const MESSAGES_PATH = '/v1/messages';

function openAICases(): CorpusCase[] {
  const chat = (name: string, request: object, expect: Expected) => httpCase(name, 'openai', CHAT_PATH, json(request), expect);
  const chatText = (name: string, body: string, expect: Expected) => httpCase(name, 'openai', CHAT_PATH, body, expect);
  const embeddings = (name: string, request: object, expect: Expected) => httpCase(name, 'openai', EMBEDDINGS_PATH, json(request), expect);
  const invalid: Expected = { code: 'invalid_request' };
  return [
    ...stringCases('OpenAI chat', OPENAI_CHAT_STRINGS, openAIChat, chat),
    ...stringCases('OpenAI embeddings', OPENAI_EMBEDDINGS_STRINGS, openAIEmbeddings, embeddings),
    ...httpNumberCases('openai', CHAT_PATH, 'OpenAI chat', OPENAI_CHAT_NUMBERS, openAIChat),
    ...httpNumberCases('openai', EMBEDDINGS_PATH, 'OpenAI embeddings', OPENAI_EMBEDDINGS_NUMBERS, openAIEmbeddings),
    chatText('OpenAI chat: tool parameters nested 10,000 deep', spliced(openAIWithTools, ['tools', 0, 'function', 'parameters'], DEEP_OBJECT), invalid),
    chatText('OpenAI chat: a response schema nested 10,000 deep', spliced(openAIWithTools, ['response_format', 'json_schema', 'schema'], DEEP_OBJECT), invalid),
    chatText('OpenAI chat: metadata nested 10,000 deep', spliced(openAIChat, ['metadata'], DEEP_OBJECT), invalid),
    chatText('OpenAI chat: content nested 10,000 deep', spliced(openAIChat, ['messages', 0, 'content'], DEEP_ARRAY), invalid),
    chatText('OpenAI chat: stop nested 10,000 deep', spliced(openAIChat, ['stop'], DEEP_ARRAY), invalid),
    chatText('OpenAI chat: an unknown field nested 10,000 deep is ignored', spliced(openAIChat, ['x_unknown'], DEEP_ARRAY), { code: 'ok' }),
    httpCase('OpenAI embeddings: input nested 10,000 deep', 'openai', EMBEDDINGS_PATH, spliced(openAIEmbeddings, ['input'], DEEP_ARRAY), invalid),
    // The cases that broke once, and their siblings.
    chat('OpenAI chat: a 9 KB model name (stopped analytics)', withValue(openAIChat, ['model'], 'm'.repeat(9 * 1024)), invalid),
    chat('OpenAI chat: an unknown model', withValue(openAIChat, ['model'], 'no-such-model'), { code: 'model_not_found' }),
    chat('OpenAI chat: an image from the metadata service', withValue(openAIWithTools, ['messages', 3, 'content', 1, 'image_url', 'url'], 'http://169.254.169.254/latest/meta-data/'), invalid),
    chat('OpenAI chat: an image from a file URL', withValue(openAIWithTools, ['messages', 3, 'content', 1, 'image_url', 'url'], 'file:///etc/passwd'), invalid),
    chat('OpenAI chat: an https image on the loopback address', withValue(openAIWithTools, ['messages', 3, 'content', 1, 'image_url', 'url'], 'https://127.0.0.1/cat.png'), invalid),
    chat('OpenAI chat: an inline image that is not base64', withValue(openAIWithTools, ['messages', 3, 'content', 1, 'image_url', 'url'], 'data:image/png;base64,%%%'), invalid),
    chat('OpenAI chat: an inline image of a type no provider reads', withValue(openAIWithTools, ['messages', 3, 'content', 1, 'image_url', 'url'], 'data:text/html;base64,PGgxPg=='), invalid),
    chat('OpenAI chat: n of 2', withValue(openAIChat, ['n'], 2), invalid),
    chat('OpenAI chat: a made-up tool_choice', withValue(openAIChat, ['tool_choice'], 'sometimes'), invalid),
    chat('OpenAI chat: a made-up response_format', withValue(openAIChat, ['response_format'], { type: 'yaml' }), invalid),
    chat('OpenAI chat: a tool_choice naming no tool', withValue(openAIWithTools, ['tool_choice', 'function', 'name'], 'other'), invalid),
    chat('OpenAI chat: 129 tools', withValue(openAIChat, ['tools'], Array.from({ length: 129 }, (_, i) => ({ type: 'function', function: { name: `f${i}` } }))), invalid),
    chat('OpenAI chat: 17 stop sequences', withValue(openAIChat, ['stop'], Array.from({ length: 17 }, () => 'x')), invalid),
    chat('OpenAI chat: 65 metadata pairs', withValue(openAIChat, ['metadata'], Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']))), invalid),
    chat('OpenAI chat: metadata with a number', withValue(openAIChat, ['metadata'], { n: 1 }), invalid),
    chat('OpenAI chat: prototype keys in metadata', JSON.parse('{"model":"mock-echo","messages":[{"role":"user","content":"hi"}],"metadata":{"__proto__":"x","constructor":"y"}}'), { code: 'ok' }),
    chat('OpenAI chat: no messages', withValue(openAIChat, ['messages'], []), invalid),
    chat('OpenAI chat: a message that is a string', withValue(openAIChat, ['messages'], ['hello']), invalid),
    chat('OpenAI chat: a made-up role', withValue(openAIChat, ['messages', 0, 'role'], 'robot'), invalid),
    chat('OpenAI chat: a tool message without tool_call_id', withValue(openAIChat, ['messages'], [{ role: 'tool', content: 'x' }]), invalid),
    chat('OpenAI chat: temperature as text', withValue(openAIChat, ['temperature'], '0.5'), invalid),
    chat('OpenAI chat: stream as text', withValue(openAIChat, ['stream'], 'yes'), invalid),
    chat('OpenAI chat: a streamed request', withValue(openAIChat, ['stream'], true), { code: 'ok' }),
    chat('OpenAI chat: a streamed request with a 9 KB model name', { ...withValue(openAIChat, ['model'], 'm'.repeat(9 * 1024)), stream: true }, invalid),
    embeddings('OpenAI embeddings: dimensions of 100,000,000 (froze the gateway)', withValue(openAIEmbeddings, ['dimensions'], 100_000_000), invalid),
    embeddings('OpenAI embeddings: 2,048 inputs of 8,192 dimensions (16 million numbers)', { ...openAIEmbeddings, input: Array.from({ length: 2048 }, () => 'x'), dimensions: 8192 }, { code: 'provider_invalid_request' }),
    embeddings('OpenAI embeddings: 2,049 inputs', withValue(openAIEmbeddings, ['input'], Array.from({ length: 2049 }, () => 'x')), invalid),
    embeddings('OpenAI embeddings: token arrays', withValue(openAIEmbeddings, ['input'], [[1, 2, 3]]), invalid),
    embeddings('OpenAI embeddings: a made-up encoding', withValue(openAIEmbeddings, ['encoding_format'], 'hex'), invalid),
    embeddings('OpenAI embeddings: a chat model', withValue(openAIEmbeddings, ['model'], CHAT_MODEL), { code: 'unsupported_capability' }),
  ];
}

function anthropicCases(): CorpusCase[] {
  const messagesText = (name: string, body: string, expect: Expected) => httpCase(name, 'anthropic', MESSAGES_PATH, body, expect, { 'anthropic-version': '2023-06-01' });
  const messages = (name: string, request: object, expect: Expected) => messagesText(name, json(request), expect);
  const invalid: Expected = { code: 'invalid_request' };
  return [
    ...stringCases('Anthropic', ANTHROPIC_STRINGS, anthropic, messages),
    ...httpNumberCases('anthropic', MESSAGES_PATH, 'Anthropic', ANTHROPIC_NUMBERS, anthropic),
    messagesText('Anthropic: tool input_schema nested 10,000 deep', spliced(anthropicWithTools, ['tools', 0, 'input_schema'], DEEP_OBJECT), invalid),
    messagesText('Anthropic: tool_use input nested 10,000 deep', spliced(anthropicWithTools, ['messages', 1, 'content', 0, 'input'], DEEP_OBJECT), invalid),
    messagesText('Anthropic: output schema nested 10,000 deep', spliced(anthropic, ['output_config'], `{"format":{"type":"json_schema","schema":${DEEP_OBJECT}}}`), invalid),
    messagesText('Anthropic: content nested 10,000 deep', spliced(anthropic, ['messages', 0, 'content'], DEEP_ARRAY), invalid),
    messagesText('Anthropic: system nested 10,000 deep', spliced(anthropic, ['system'], DEEP_ARRAY), invalid),
    messages('Anthropic: an image from the metadata service', withValue(anthropicWithTools, ['messages', 2, 'content', 1, 'source', 'url'], 'https://169.254.169.254/latest/meta-data/'), invalid),
    messages('Anthropic: an image from a file URL', withValue(anthropicWithTools, ['messages', 2, 'content', 1, 'source', 'url'], 'file:///etc/passwd'), invalid),
    messages('Anthropic: a base64 image that is not base64', withValue(anthropicWithTools, ['messages', 2, 'content', 1, 'source'], { type: 'base64', media_type: 'image/png', data: '%%%' }), invalid),
    messages('Anthropic: a base64 image of a type no provider reads', withValue(anthropicWithTools, ['messages', 2, 'content', 1, 'source'], { type: 'base64', media_type: 'text/html', data: 'PGgxPg==' }), invalid),
    messages('Anthropic: a 9 KB model name', withValue(anthropic, ['model'], 'm'.repeat(9 * 1024)), invalid),
    messages('Anthropic: no max_tokens', { model: CHAT_MODEL, messages: anthropic.messages }, invalid),
    messages('Anthropic: a made-up tool_choice', withValue(anthropic, ['tool_choice'], { type: 'sometimes' }), invalid),
    messages('Anthropic: a system role in messages', withValue(anthropic, ['messages', 0, 'role'], 'system'), invalid),
    messages('Anthropic: a document block', withValue(anthropic, ['messages', 0, 'content'], [{ type: 'document', source: { type: 'text', data: 'x' } }]), invalid),
    messages('Anthropic: a streamed request', withValue(anthropic, ['stream'], true), { code: 'ok' }),
  ];
}

function rawHttpCases(): CorpusCase[] {
  const invalid: Expected = { code: 'invalid_request' };
  const raw = (name: string, body: string | Buffer, expect: Expected = invalid, path = CHAT_PATH, api: HttpApi = 'openai') => httpCase(name, api, path, body, expect);
  const cases: CorpusCase[] = [];
  for (const [path, api] of [[CHAT_PATH, 'openai'], [EMBEDDINGS_PATH, 'openai'], [MESSAGES_PATH, 'anthropic']] as const) {
    cases.push(
      raw(`${path}: a body that is not JSON`, '{"model": "mock-echo", "messages": [', invalid, path, api),
      raw(`${path}: an empty body`, '', invalid, path, api),
      raw(`${path}: a JSON array`, '[]', invalid, path, api),
      raw(`${path}: a JSON string`, '"hello"', invalid, path, api),
      raw(`${path}: JSON null`, 'null', invalid, path, api),
      raw(`${path}: a JSON number`, '1e999', invalid, path, api),
      raw(`${path}: an empty object`, '{}', invalid, path, api),
      raw(`${path}: a body nested 100,000 deep`, '['.repeat(100_000) + ']'.repeat(100_000), invalid, path, api),
      raw(`${path}: a body over the request limit`, json({ model: CHAT_MODEL, messages: [{ role: 'user', content: filler(5 * ONE_MB) }] }), { code: 'request_too_large' }, path, api),
    );
  }
  cases.push(
    raw('OpenAI chat: bytes that are not UTF-8 in content (read as U+FFFD)', Buffer.concat([Buffer.from('{"model":"mock-echo","messages":[{"role":"user","content":"a'), Buffer.from([0xff, 0xfe]), Buffer.from('b"}]}')]), { code: 'ok' }),
    raw('OpenAI chat: a byte-order mark before the JSON', '\ufeff' + json(openAIChat), invalid),
    raw('OpenAI chat: duplicate keys (the last wins)', '{"model":"x","model":"mock-echo","messages":[{"role":"user","content":"hi"}]}', { code: 'ok' }),
    { name: 'GET /v1/models/%ZZ (bad percent-encoding)', door: 'http', api: 'openai', method: 'GET', path: '/v1/models/%ZZ', expect: invalid },
    { name: 'GET /v1/models/ a 10 KB model id', door: 'http', api: 'openai', method: 'GET', path: `/v1/models/${'m'.repeat(TEN_KB)}`, expect: { code: 'model_not_found' } },
    { name: 'GET /v1/models/%00', door: 'http', api: 'openai', method: 'GET', path: '/v1/models/%00', expect: { code: 'model_not_found' } },
    { name: 'GET /v1/models/%ED%A0%80 (an encoded lone surrogate)', door: 'http', api: 'openai', method: 'GET', path: '/v1/models/%ED%A0%80', expect: invalid },
    { name: 'GET on a POST route', door: 'http', api: 'openai', method: 'GET', path: CHAT_PATH, expect: { code: 'invalid_request', httpStatus: 405 } },
    { name: 'DELETE /v1/models', door: 'http', api: 'openai', method: 'DELETE', path: '/v1/models', expect: { code: 'invalid_request', httpStatus: 405 } },
    { name: 'an unknown route', door: 'http', api: 'openai', method: 'POST', path: '/v1/completions', body: '{}', expect: { code: 'invalid_request', httpStatus: 404 } },
    { name: 'a path of 8 KB of slashes', door: 'http', api: 'openai', method: 'GET', path: '/'.repeat(8 * 1024), expect: { code: 'invalid_request', httpStatus: 404 } },
    { name: 'a path with dot segments', door: 'http', api: 'openai', method: 'GET', path: '/v1/../v1/models/../../healthz/..', expect: { code: 'invalid_request', httpStatus: 404 } },
  );
  return cases;
}

function grpcCases(): CorpusCase[] {
  const call = (method: GrpcMethod, name: string, request: unknown, expect: Expected): CorpusCase => ({ name: `gRPC ${method}: ${name}`, door: 'grpc', method, request, expect });
  const chat = (name: string, request: object, expect: Expected) => call('Chat', name, request, expect);
  const invalid: Expected = { code: 'invalid_request' };
  const image = (url: string) => withValue(grpcWithTools, ['messages', 3, 'content_parts', 1, 'image_url', 'url'], url);
  return [
    ...stringCases('gRPC Chat', GRPC_CHAT_STRINGS, grpcChat, (name, request, expect) => ({ name, door: 'grpc', method: 'Chat', request, expect }), true),
    ...stringCases('gRPC Embed', GRPC_EMBED_STRINGS, grpcEmbed, (name, request, expect) => ({ name, door: 'grpc', method: 'Embed', request, expect }), true),
    ...grpcNumberCases('Chat', GRPC_CHAT_NUMBERS, grpcChat),
    ...grpcNumberCases('Embed', GRPC_EMBED_NUMBERS, grpcEmbed),
    chat('tool parameters nested 10,000 deep', withValue(grpcWithTools, ['tools', 0, 'function', 'parameters_json'], DEEP_OBJECT), invalid),
    chat('a response schema nested 10,000 deep', withValue(grpcWithTools, ['response_format', 'json_schema'], DEEP_OBJECT), invalid),
    chat('tool parameters that are not JSON', withValue(grpcWithTools, ['tools', 0, 'function', 'parameters_json'], '{nope'), invalid),
    chat('a 9 KB model name', withValue(grpcChat, ['model'], 'm'.repeat(9 * 1024)), invalid),
    chat('an image from the metadata service (a self-hosted model would fetch it)', image('http://169.254.169.254/latest/meta-data/'), invalid),
    chat('an image from a file URL', image('file:///etc/passwd'), invalid),
    chat('an https image on a private address', image('https://10.0.0.1/cat.png'), invalid),
    chat('an https image on the IPv6 loopback', image('https://[::1]/cat.png'), invalid),
    chat('an inline image of a type no provider reads', withValue(grpcWithTools, ['messages', 3, 'content_parts', 2, 'image', 'mime_type'], 'text/html'), invalid),
    chat('an empty inline image', withValue(grpcWithTools, ['messages', 3, 'content_parts', 2, 'image', 'data'], Buffer.alloc(0)), invalid),
    chat('a made-up tool_choice', withValue(grpcChat, ['tool_choice'], { mode: 'sometimes' }), invalid),
    chat('a made-up response_format', withValue(grpcChat, ['response_format'], { type: 'yaml' }), invalid),
    chat('a tool_choice naming no tool', withValue(grpcWithTools, ['tool_choice', 'function_name'], 'other'), invalid),
    chat('no messages', withValue(grpcChat, ['messages'], []), invalid),
    chat('no model', withValue(grpcChat, ['model'], ''), invalid),
    chat('an unknown model', withValue(grpcChat, ['model'], 'no-such-model'), { code: 'model_not_found' }),
    chat('a tool message without tool_call_id', withValue(grpcChat, ['messages'], [{ role: 'tool', content: 'x' }]), invalid),
    chat('129 tools', withValue(grpcChat, ['tools'], Array.from({ length: 129 }, (_, i) => ({ type: 'function', function: { name: `f${i}` } }))), invalid),
    chat('65 metadata pairs', withValue(grpcChat, ['metadata'], Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']))), invalid),
    chat('a well-formed request with every optional part', grpcWithTools, { code: 'ok' }),
    call('ChatStream', 'a 9 KB model name', withValue(grpcChat, ['model'], 'm'.repeat(9 * 1024)), invalid),
    call('ChatStream', 'NaN temperature', withValue(grpcChat, ['temperature'], NaN), invalid),
    call('ChatStream', 'an image from the metadata service', image('http://169.254.169.254/'), invalid),
    call('ChatStream', 'a well-formed request', grpcChat, { code: 'ok' }),
    call('Embed', 'dimensions of 100,000,000 (froze the gateway)', withValue(grpcEmbed, ['dimensions'], 100_000_000), invalid),
    call('Embed', 'dimensions of -1 (was accepted)', withValue(grpcEmbed, ['dimensions'], -1), invalid),
    call('Embed', '2,048 inputs of 8,192 dimensions (16 million numbers)', { ...grpcEmbed, input: Array.from({ length: 2048 }, () => 'x'), dimensions: 8192 }, { code: 'provider_invalid_request' }),
    call('Embed', '2,049 inputs', withValue(grpcEmbed, ['input'], Array.from({ length: 2049 }, () => 'x')), invalid),
    call('Embed', 'no input', withValue(grpcEmbed, ['input'], []), invalid),
    call('Embed', 'a chat model', withValue(grpcEmbed, ['model'], CHAT_MODEL), { code: 'unsupported_capability' }),
  ];
}

/** Bytes that are not a protobuf message of the method's type, or are one only by accident. */
function grpcBytesCases(): CorpusCase[] {
  const invalid: Expected = { code: 'invalid_request' };
  const varint = (n: number) => {
    const bytes: number[] = [];
    while (n > 127) {
      bytes.push((n & 127) | 128);
      n >>>= 7;
    }
    bytes.push(n);
    return bytes;
  };
  const samples: [string, Buffer][] = [
    ['random bytes', Buffer.from('9f3c07ffa1b2c3d4e5f60718293a4b5c6d7e8f90', 'hex')],
    ['a varint that never ends', Buffer.from([0x08, ...Array(12).fill(0xff)])],
    ['a field longer than the message', Buffer.from([0x0a, ...varint(1000), 0x61, 0x62, 0x63])],
    ['a length that overflows', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x61])],
    ['field number 0', Buffer.from([0x00, 0x01])],
    ['a group that never ends', Buffer.from([0x0b, 0x08, 0x01])],
    ['an end-group with no start', Buffer.from([0x0c])],
    ['the wire types 6 and 7', Buffer.from([0x0e, 0x01, 0x0f, 0x01])],
    ['a message field sent as a varint', Buffer.from([0x12 & ~0x07, 0x05])],
    ['a nested message cut short', Buffer.from([0x12, 0x05, 0x0a, 0x04, 0x75])],
    ['an empty message', Buffer.alloc(0)],
    ['a megabyte of zero bytes', Buffer.alloc(ONE_MB)],
  ];
  const cases: CorpusCase[] = [];
  for (const method of ['Chat', 'ChatStream', 'Embed'] as const) {
    for (const [label, bytes] of samples) cases.push({ name: `gRPC ${method} bytes: ${label}`, door: 'grpc-bytes', method, bytes, expect: invalid });
  }
  return cases;
}

/** The whole corpus for the front doors, in a stable order. */
export function frontDoorCorpus(): CorpusCase[] {
  return [...openAICases(), ...anthropicCases(), ...rawHttpCases(), ...grpcCases(), ...grpcBytesCases()];
}

/** The HTTP status and gRPC status an expected outcome stands for. */
export function statusesOf(expect: Expected): { http: number; grpc: number } {
  if (expect.code === 'ok') return { http: 200, grpc: 0 };
  return { http: expect.httpStatus ?? ERROR_CODES[expect.code].http, grpc: ERROR_CODES[expect.code].grpc };
}

/** An event produced straight to the requests topic, as a batch job would, and what must come of it. */
export interface RequestEventCase {
  name: string;
  /** The message key, and the request id where the event has a usable one. */
  key: string;
  value: string;
  /** 'dead-letter': the event cannot be answered (no usable id or reply topic), so it is dead-lettered with a reason. */
  expect: Expected | 'dead-letter';
}

/**
 * Request events for the requests topic. Those whose envelope is broken are dead-lettered; those whose
 * request is invalid are answered on their reply topic with invalid_request and recorded, like a front
 * door's; the valid ones are served.
 */
export function requestEventCorpus(replyTo: string, runId: string, now = Date.now()): RequestEventCase[] {
  const cases: RequestEventCase[] = [];
  let n = 0;
  const nextId = () => `corpus-${runId}-${n++}`;
  const envelope = (id: string, kind: 'chat' | 'embed', body: object) => ({
    request_id: id,
    kind,
    stream: false,
    reply_to: replyTo,
    received_at: now,
    deadline_at: now + 120_000,
    api_key_id: 'batch-corpus',
    [kind]: body,
  });
  const broken = (name: string, value: (id: string) => string) => {
    const key = nextId();
    cases.push({ name, key, value: value(key), expect: 'dead-letter' });
  };
  const served = (name: string, kind: 'chat' | 'embed', body: object, expect: Expected, change: (event: Record<string, unknown>) => void = () => undefined) => {
    const key = nextId();
    const event = envelope(key, kind, body);
    change(event);
    cases.push({ name, key, value: json(event), expect });
  };
  const chat = (name: string, body: object, expect: Expected = { code: 'invalid_request' }) => served(name, 'chat', body, expect);
  const embed = (name: string, body: object, expect: Expected = { code: 'invalid_request' }) => served(name, 'embed', body, expect);
  // On the topic, inline image bytes are base64 text, as the front doors write them.
  const eventWithTools = withValue(grpcWithTools, ['messages', 3, 'content_parts', 2, 'image', 'data'], Buffer.from('png').toString('base64'));
  const withEnvelope = (id: string, change: (event: Record<string, unknown>) => void) => {
    const event = envelope(id, 'chat', grpcChat) as Record<string, unknown>;
    change(event);
    return json(event);
  };

  broken('not JSON', () => '{"request_id": ');
  broken('a JSON array', () => '[]');
  broken('JSON null', () => 'null');
  broken('a JSON number', () => '42');
  broken('a JSON string', () => '"hello"');
  broken('an empty object', () => '{}');
  broken('nested 100,000 deep', () => DEEP_ARRAY.repeat(10));
  broken('a megabyte of bytes that are not JSON', () => '\u00ff'.repeat(ONE_MB));
  broken('no request_id', (id) => withEnvelope(id, (event) => delete event.request_id));
  broken('a request_id of 10 KB', (id) => withEnvelope(id, (event) => (event.request_id = 'r'.repeat(TEN_KB))));
  broken('a request_id with a space and a control character', (id) => withEnvelope(id, (event) => (event.request_id = `${id} \u0007`)));
  broken('a request_id that is a number', (id) => withEnvelope(id, (event) => (event.request_id = 42)));
  broken('a made-up kind', (id) => withEnvelope(id, (event) => (event.kind = 'image')));
  broken('no reply_to', (id) => withEnvelope(id, (event) => delete event.reply_to));
  broken('a reply_to that is not a topic name', (id) => withEnvelope(id, (event) => (event.reply_to = 'no such/topic')));
  broken('a reply_to of 300 characters', (id) => withEnvelope(id, (event) => (event.reply_to = 't'.repeat(300))));
  broken('received_at as text', (id) => withEnvelope(id, (event) => (event.received_at = 'yesterday')));
  broken('deadline_at as text', (id) => withEnvelope(id, (event) => (event.deadline_at = 'soon')));
  broken('deadline_at of Infinity', (id) => withEnvelope(id, (event) => (event.deadline_at = RAW)).replace(json(RAW), '1e999'));
  broken('stream as text', (id) => withEnvelope(id, (event) => (event.stream = 'yes')));
  broken('an api_key_id of 10 KB', (id) => withEnvelope(id, (event) => (event.api_key_id = 'k'.repeat(TEN_KB))));
  broken('a chat request without chat', (id) => withEnvelope(id, (event) => delete event.chat));
  broken('chat.messages that is not an array', (id) => withEnvelope(id, (event) => (event.chat = { model: CHAT_MODEL, messages: 'hello' })));
  broken('an embed request without embed', (id) => withEnvelope(id, (event) => (event.kind = 'embed')));

  chat('a 9 KB model name', withValue(grpcChat, ['model'], 'm'.repeat(9 * 1024)));
  chat('NUL in metadata', withValue(grpcChat, ['metadata'], { team: 'a\u0000b' }));
  chat('a lone surrogate in metadata', withValue(grpcChat, ['metadata'], { team: 'a\ud800b' }));
  chat('a metadata value that is a number', withValue(grpcChat, ['metadata'], { team: 7 }));
  chat('a user of 1 MB', withValue(grpcChat, ['user'], filler(ONE_MB)));
  chat('NUL in content', withValue(grpcChat, ['messages', 0, 'content'], 'a\u0000b'));
  chat('temperature of 5', withValue(grpcChat, ['temperature'], 5));
  chat('temperature as text', withValue(grpcChat, ['temperature'], '0.5'));
  chat('max_tokens of -1', withValue(grpcChat, ['max_tokens'], -1));
  chat('an image from a file URL', withValue(eventWithTools, ['messages', 3, 'content_parts', 1, 'image_url', 'url'], 'file:///etc/passwd'));
  chat('an image from the metadata service', withValue(eventWithTools, ['messages', 3, 'content_parts', 1, 'image_url', 'url'], 'http://169.254.169.254/latest/meta-data/'));
  chat('inline image data that is not base64', withValue(eventWithTools, ['messages', 3, 'content_parts', 2, 'image', 'data'], 'not base64!'));
  chat('a made-up tool_choice', withValue(grpcChat, ['tool_choice'], { mode: 'sometimes' }));
  chat('no messages', withValue(grpcChat, ['messages'], []));
  chat('a made-up role', withValue(grpcChat, ['messages', 0, 'role'], 'robot'));
  chat('a message that is a string', withValue(grpcChat, ['messages'], ['hello']));
  chat('tool parameters nested 10,000 deep', withValue(eventWithTools, ['tools', 0, 'function', 'parameters_json'], DEEP_OBJECT));
  embed('dimensions of 100,000,000', withValue(grpcEmbed, ['dimensions'], 100_000_000));
  embed('dimensions of -1', withValue(grpcEmbed, ['dimensions'], -1));
  embed('2,049 inputs', withValue(grpcEmbed, ['input'], Array.from({ length: 2049 }, () => 'x')));
  embed('an input that is not text', withValue(grpcEmbed, ['input'], [[1, 2]]));
  chat('an unknown model', withValue(grpcChat, ['model'], 'no-such-model'), { code: 'model_not_found' });
  embed('embeddings from a chat model', withValue(grpcEmbed, ['model'], CHAT_MODEL), { code: 'unsupported_capability' });
  served('a deadline already passed', 'chat', grpcChat, { code: 'deadline_exceeded' }, (event) => (event.deadline_at = now - 1000));
  chat('a well-formed chat request with every optional part', eventWithTools, { code: 'ok' });
  embed('a well-formed embeddings request', grpcEmbed, { code: 'ok' });
  return cases;
}
