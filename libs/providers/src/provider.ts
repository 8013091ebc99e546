// What every provider adapter offers the provider-worker. Adapters translate between the unified model
// (@switchyard/contracts) and one provider's HTTP API; optional capabilities are optional methods, so
// the worker never asks "is this provider X?".
import type { ChatRequest, ChatResult, EmbedRequest, EmbedResult, FinishReason, ModerationRequest, ModerationResult, RerankRequest, RerankResult, ImageGenerationRequest, ImageGenerationResult, ToolCallDelta, TranscriptionRequest, TranscriptionResult, Usage } from '@switchyard/contracts';

/** A chat request as the adapter receives it: `model` is already the provider's own model name. */
export type ProviderChatRequest = ChatRequest;
export type ProviderEmbedRequest = EmbedRequest;
export type ProviderModerationRequest = ModerationRequest;
export type ProviderRerankRequest = RerankRequest;
export type ProviderImageGenerationRequest = ImageGenerationRequest;
export type ProviderTranscriptionRequest = TranscriptionRequest;

/** One piece of a streamed completion, in the unified model. */
export interface ChatStreamEvent {
  /** Which choice the piece belongs to (0 unless n > 1). */
  index: number;
  role?: string;
  content?: string;
  tool_calls?: ToolCallDelta[];
  finish_reason?: FinishReason;
  /** Usage, on the event where the provider reports it (usually the last). */
  usage?: Usage;
  provider_response_id?: string;
}

export interface CallOptions {
  /** Aborted when the caller's deadline passes or the caller goes away. */
  signal: AbortSignal;
}

export interface ProviderAdapter {
  /** The provider's name in configuration, e.g. "openai". */
  readonly name: string;
  chat?(request: ProviderChatRequest, options: CallOptions): Promise<ChatResult>;
  chatStream?(request: ProviderChatRequest, options: CallOptions): AsyncIterable<ChatStreamEvent>;
  embed?(request: ProviderEmbedRequest, options: CallOptions): Promise<EmbedResult>;
  moderate?(request: ProviderModerationRequest, options: CallOptions): Promise<ModerationResult>;
  rerank?(request: ProviderRerankRequest, options: CallOptions): Promise<RerankResult>;
  generateImage?(request: ProviderImageGenerationRequest, options: CallOptions): Promise<ImageGenerationResult>;
  transcribe?(request: ProviderTranscriptionRequest, options: CallOptions): Promise<TranscriptionResult>;
}

/** Builds an adapter from its provider's configuration block and the environment. */
export type ProviderFactory = (config: Record<string, unknown>, env: NodeJS.ProcessEnv) => ProviderAdapter;
