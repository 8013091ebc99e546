// AWS Bedrock Runtime's Converse and ConverseStream wire format (JSON over REST, blobs as base64
// text), and InvokeModel for Titan text embeddings v2, as the Bedrock API reference documents them.
// Written by hand so the adapter depends on the documented format only; only the fields the gateway
// reads or writes are listed.

export type ConverseImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';

export interface ConverseToolUse {
  toolUseId: string;
  name: string;
  input: unknown;
}

export type ConverseMediaBlock = { text: string } | { image: ConverseImage };

export interface ConverseToolResult {
  toolUseId: string;
  content: ConverseMediaBlock[];
}

export interface ConverseImage {
  format: ConverseImageFormat;
  /** The image bytes, base64-encoded as every blob in the JSON protocol. */
  source: { bytes: string };
}

/** A union: exactly one member is set. */
export type ConverseContentBlock = ConverseMediaBlock | { toolUse: ConverseToolUse } | { toolResult: ConverseToolResult };

export interface ConverseMessage {
  role: 'user' | 'assistant';
  content: ConverseContentBlock[];
}

export interface ConverseTool {
  toolSpec: { name: string; description?: string; inputSchema: { json: unknown } };
}

export type ConverseToolChoice = { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } };

export interface ConverseRequest {
  messages: ConverseMessage[];
  system?: { text: string }[];
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number; stopSequences?: string[] };
  toolConfig?: { tools: ConverseTool[]; toolChoice?: ConverseToolChoice };
  /** Structured outputs: the answer's text is JSON following the schema, which Converse takes as text. */
  outputConfig?: { textFormat: { type: 'json_schema'; structure: { jsonSchema: { schema: string; name?: string } } } };
}

export type ConverseStopReason =
  | 'end_turn'
  | 'tool_use'
  | 'max_tokens'
  | 'stop_sequence'
  | 'guardrail_intervened'
  | 'content_filtered'
  | 'model_context_window_exceeded';

export interface ConverseUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

export interface ConverseResponse {
  output: { message?: { role: 'assistant'; content: Partial<{ text: string; toolUse: ConverseToolUse }>[] } };
  stopReason: ConverseStopReason | string;
  usage?: ConverseUsage;
  metrics?: { latencyMs: number };
}

/** ConverseStream event payloads, keyed by the frame's :event-type header. Each may carry padding `p`. */
export interface ConverseStreamPayloads {
  messageStart: { role: 'assistant' };
  contentBlockStart: { contentBlockIndex: number; start?: { toolUse?: { toolUseId: string; name: string } } };
  contentBlockDelta: { contentBlockIndex: number; delta: { text?: string; toolUse?: { input: string } } };
  contentBlockStop: { contentBlockIndex: number };
  messageStop: { stopReason: ConverseStopReason | string };
  metadata: { usage?: ConverseUsage; metrics?: { latencyMs: number } };
}

/** The body of an error answer and of an exception frame. */
export interface BedrockErrorBody {
  message?: string;
  Message?: string;
}

export interface TitanEmbedRequest {
  inputText: string;
  dimensions?: number;
  normalize?: boolean;
}

export interface TitanEmbedResponse {
  embedding: number[];
  inputTextTokenCount: number;
}
