// OpenAI's chat completions and embeddings wire format, as its API reference documents it. Written by
// hand (rather than importing the SDK's types) so that the adapter depends on the documented format only.

export type OpenAIContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail?: string } };

export interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface OpenAIMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  content?: string | OpenAIContentPart[] | null;
  name?: string;
  tool_calls?: OpenAIToolCall[];
  tool_call_id?: string;
  refusal?: string | null;
}

export interface OpenAIChatRequest {
  model: string;
  messages: OpenAIMessage[];
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  stop?: string[];
  seed?: number;
  user?: string;
  tools?: { type: 'function'; function: { name: string; description?: string; parameters?: unknown; strict?: boolean } }[];
  tool_choice?: 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };
  response_format?:
    | { type: 'text' }
    | { type: 'json_object' }
    | { type: 'json_schema'; json_schema: { name: string; schema?: unknown; strict?: boolean } };
  stream?: boolean;
  stream_options?: { include_usage: boolean };
}

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  /** DeepSeek's count of prompt tokens served from its context cache. */
  prompt_cache_hit_tokens?: number;
}

export interface OpenAIChatResponse {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: { index: number; message: OpenAIMessage; finish_reason: string | null }[];
  usage?: OpenAIUsage | null;
}

export interface OpenAIToolCallDelta {
  /** Absent from Mistral's streamed calls, which come whole. */
  index?: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface OpenAIChatChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: {
    index: number;
    delta: { role?: string; content?: string | null; tool_calls?: OpenAIToolCallDelta[]; refusal?: string | null };
    finish_reason: string | null;
  }[];
  usage?: OpenAIUsage | null;
  /** Groq's extension, carrying the usage of the last chunk. */
  x_groq?: { id?: string; usage?: OpenAIUsage | null };
}

export interface OpenAIEmbeddingRequest {
  model: string;
  input: string[];
  dimensions?: number;
  encoding_format?: 'float' | 'base64';
  user?: string;
}

export interface OpenAIEmbeddingResponse {
  object: 'list';
  data: { object: 'embedding'; index: number; embedding: number[] | string }[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}
