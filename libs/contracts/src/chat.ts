import type { TargetStatus } from './breakers';
// The unified request and response model. These types mirror proto/aigateway/v1/gateway.proto field by
// field (snake_case), so a decoded gRPC message is already a valid value of them.

export type Role = 'system' | 'user' | 'assistant' | 'tool';
export const ROLES: readonly Role[] = ['system', 'user', 'assistant', 'tool'];

/** The one documented set of finish reasons that every provider maps onto. */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'error';

export interface ImageUrl {
  url: string;
  detail?: string;
}

export interface InlineImage {
  mime_type: string;
  /** Raw bytes from gRPC; base64 text once the request has crossed the bus as JSON. */
  data: Uint8Array | string;
}

export interface ContentPart {
  text?: string;
  image_url?: ImageUrl;
  image?: InlineImage;
}

export interface FunctionCall {
  name: string;
  arguments: string;
}

export interface ToolCall {
  id: string;
  type: string;
  function: FunctionCall;
}

export interface ChatMessage {
  role: Role | string;
  content?: string;
  content_parts?: ContentPart[];
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
}

export interface FunctionDefinition {
  name: string;
  description?: string;
  parameters_json?: string;
  strict?: boolean;
}

export interface Tool {
  type: string;
  function: FunctionDefinition;
}

export interface ToolChoice {
  mode: 'auto' | 'none' | 'required' | 'function' | string;
  function_name?: string;
}

export interface ResponseFormat {
  type: 'text' | 'json_object' | 'json_schema' | string;
  json_schema_name?: string;
  json_schema?: string;
  strict?: boolean;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  stop?: string[];
  user?: string;
  metadata?: Record<string, string>;
  tools?: Tool[];
  tool_choice?: ToolChoice | null;
  response_format?: ResponseFormat | null;
  seed?: number;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cached_prompt_tokens?: number;
  cache_creation_prompt_tokens?: number;
  /** Search units a rerank was billed (Cohere: a query over up to 100 documents is one); absent: none. */
  search_units?: number;
  /** Images an image generation made; absent: none. */
  images?: number;
  /** Seconds of audio a transcription was billed for; absent: none. */
  audio_seconds?: number;
}

export interface Choice {
  index: number;
  message: ChatMessage;
  finish_reason: FinishReason | string;
}

export interface ChatResponse {
  id: string;
  model: string;
  provider: string;
  choices: Choice[];
  usage: Usage;
  cost_usd: number;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: string;
  function?: Partial<FunctionCall>;
}

export interface ChatDelta {
  role?: string;
  content?: string;
  tool_calls?: ToolCallDelta[];
}

export interface ChatChunk {
  id: string;
  model: string;
  provider: string;
  index: number;
  delta: ChatDelta;
  finish_reason?: string;
  usage?: Usage;
  cost_usd?: number;
}

export interface EmbedRequest {
  model: string;
  input: string[];
  dimensions?: number;
  user?: string;
  metadata?: Record<string, string>;
}

export interface Embedding {
  index: number;
  embedding: number[];
}

export interface EmbedResponse {
  id: string;
  model: string;
  provider: string;
  data: Embedding[];
  usage: Usage;
  cost_usd: number;
}

export interface ModelCapabilities {
  chat: boolean;
  streaming: boolean;
  tools: boolean;
  vision: boolean;
  embeddings: boolean;
  /** Absent: false (a catalog made before the kind existed). */
  moderation?: boolean;
  /** Absent: false. */
  rerank?: boolean;
  /** Absent: false. */
  image_generation?: boolean;
  /** Absent: false. */
  transcription?: boolean;
}

export interface ModelInfo {
  id: string;
  provider: string;
  upstream_model: string;
  capabilities: ModelCapabilities;
  /** Every target the model's route may call, each with its circuit breaker. */
  targets: TargetStatus[];
}
