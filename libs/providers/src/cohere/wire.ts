// Cohere's Chat v2 and Embed v2 wire format (api.cohere.com/v2/chat, /v2/embed), as its API reference
// documents it. Written by hand so the adapter depends on the documented format only, not on an SDK.

export type CohereUserContent = { type: 'text'; text: string } | { type: 'image_url'; image_url: { url: string; detail?: string } };

export interface CohereToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type CohereMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | CohereUserContent[] }
  | { role: 'assistant'; content?: string; tool_plan?: string; tool_calls?: CohereToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface CohereTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: unknown };
}

export interface CohereChatRequest {
  model: string;
  messages: CohereMessage[];
  tools?: CohereTool[];
  strict_tools?: boolean;
  tool_choice?: 'REQUIRED' | 'NONE';
  response_format?: { type: 'text' } | { type: 'json_object'; json_schema?: unknown };
  max_tokens?: number;
  stop_sequences?: string[];
  temperature?: number;
  seed?: number;
  /** Cohere's name for top_p. */
  p?: number;
  stream?: boolean;
}

export type CohereFinishReason = 'COMPLETE' | 'STOP_SEQUENCE' | 'MAX_TOKENS' | 'TOOL_CALL' | 'ERROR' | 'TIMEOUT' | string;

export interface CohereUsage {
  /** What the request is billed for; leaves out the tokens Cohere adds around the prompt. */
  billed_units?: { input_tokens?: number; output_tokens?: number };
  tokens?: { input_tokens?: number; output_tokens?: number };
  /** The prompt tokens that hit the inference cache (a double in the reference). */
  cached_tokens?: number;
}

export type CohereResponseContent = { type: 'text'; text: string } | { type: 'thinking'; thinking: string };

export interface CohereChatResponse {
  id: string;
  finish_reason: CohereFinishReason;
  message: {
    role: 'assistant';
    content?: CohereResponseContent[];
    tool_plan?: string;
    tool_calls?: CohereToolCall[];
    citations?: unknown[];
  };
  usage?: CohereUsage;
}

/** One event of a streamed chat; each arrives as an SSE event named after its `type`. */
export type CohereStreamEvent =
  | { type: 'message-start'; id?: string; delta?: { message?: { role?: string } } }
  | { type: 'content-start'; index?: number; delta?: { message?: { content?: { type?: string; text?: string } } } }
  | { type: 'content-delta'; index?: number; delta?: { message?: { content?: { text?: string; thinking?: string } } } }
  | { type: 'content-end'; index?: number }
  | { type: 'tool-plan-delta'; delta?: { message?: { tool_plan?: string } } }
  | { type: 'tool-call-start'; index?: number; delta?: { message?: { tool_calls?: Partial<CohereToolCall> } } }
  | { type: 'tool-call-delta'; index?: number; delta?: { message?: { tool_calls?: { function?: { arguments?: string } } } } }
  | { type: 'tool-call-end'; index?: number }
  | { type: 'citation-start' | 'citation-end' | 'debug'; index?: number }
  | { type: 'message-end'; id?: string; delta?: { finish_reason?: CohereFinishReason; usage?: CohereUsage; error?: string } };

export interface CohereEmbedRequest {
  model: string;
  texts: string[];
  input_type: string;
  embedding_types: ['float'];
  output_dimension?: number;
}

export interface CohereEmbedResponse {
  id: string;
  response_type?: 'embeddings_by_type';
  embeddings: { float?: number[][] };
  texts?: string[];
  meta?: { api_version?: { version: string }; billed_units?: { input_tokens?: number } };
}
