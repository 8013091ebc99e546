// Original file: proto/aigateway/v1/gateway.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AnalyzeEvent as _aigateway_v1_AnalyzeEvent, AnalyzeEvent__Output as _aigateway_v1_AnalyzeEvent__Output } from '../../aigateway/v1/AnalyzeEvent';
import type { AnalyzeRequest as _aigateway_v1_AnalyzeRequest, AnalyzeRequest__Output as _aigateway_v1_AnalyzeRequest__Output } from '../../aigateway/v1/AnalyzeRequest';
import type { AnalyzeResponse as _aigateway_v1_AnalyzeResponse, AnalyzeResponse__Output as _aigateway_v1_AnalyzeResponse__Output } from '../../aigateway/v1/AnalyzeResponse';
import type { ChatChunk as _aigateway_v1_ChatChunk, ChatChunk__Output as _aigateway_v1_ChatChunk__Output } from '../../aigateway/v1/ChatChunk';
import type { ChatRequest as _aigateway_v1_ChatRequest, ChatRequest__Output as _aigateway_v1_ChatRequest__Output } from '../../aigateway/v1/ChatRequest';
import type { ChatResponse as _aigateway_v1_ChatResponse, ChatResponse__Output as _aigateway_v1_ChatResponse__Output } from '../../aigateway/v1/ChatResponse';
import type { EmbedRequest as _aigateway_v1_EmbedRequest, EmbedRequest__Output as _aigateway_v1_EmbedRequest__Output } from '../../aigateway/v1/EmbedRequest';
import type { EmbedResponse as _aigateway_v1_EmbedResponse, EmbedResponse__Output as _aigateway_v1_EmbedResponse__Output } from '../../aigateway/v1/EmbedResponse';
import type { ImageGenerationRequest as _aigateway_v1_ImageGenerationRequest, ImageGenerationRequest__Output as _aigateway_v1_ImageGenerationRequest__Output } from '../../aigateway/v1/ImageGenerationRequest';
import type { ImageGenerationResponse as _aigateway_v1_ImageGenerationResponse, ImageGenerationResponse__Output as _aigateway_v1_ImageGenerationResponse__Output } from '../../aigateway/v1/ImageGenerationResponse';
import type { ListModelsRequest as _aigateway_v1_ListModelsRequest, ListModelsRequest__Output as _aigateway_v1_ListModelsRequest__Output } from '../../aigateway/v1/ListModelsRequest';
import type { ListModelsResponse as _aigateway_v1_ListModelsResponse, ListModelsResponse__Output as _aigateway_v1_ListModelsResponse__Output } from '../../aigateway/v1/ListModelsResponse';
import type { ModerationRequest as _aigateway_v1_ModerationRequest, ModerationRequest__Output as _aigateway_v1_ModerationRequest__Output } from '../../aigateway/v1/ModerationRequest';
import type { ModerationResponse as _aigateway_v1_ModerationResponse, ModerationResponse__Output as _aigateway_v1_ModerationResponse__Output } from '../../aigateway/v1/ModerationResponse';
import type { RerankRequest as _aigateway_v1_RerankRequest, RerankRequest__Output as _aigateway_v1_RerankRequest__Output } from '../../aigateway/v1/RerankRequest';
import type { RerankResponse as _aigateway_v1_RerankResponse, RerankResponse__Output as _aigateway_v1_RerankResponse__Output } from '../../aigateway/v1/RerankResponse';
import type { TranscriptionRequest as _aigateway_v1_TranscriptionRequest, TranscriptionRequest__Output as _aigateway_v1_TranscriptionRequest__Output } from '../../aigateway/v1/TranscriptionRequest';
import type { TranscriptionResponse as _aigateway_v1_TranscriptionResponse, TranscriptionResponse__Output as _aigateway_v1_TranscriptionResponse__Output } from '../../aigateway/v1/TranscriptionResponse';

export interface AiGatewayClient extends grpc.Client {
  /**
   * Several tasks on one text and its images (docs/analyze.md), run in parallel, each a chat request
   * of its own through the gateway; every task's result comes back, in task order, failed ones included.
   */
  Analyze(argument: _aigateway_v1_AnalyzeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_AnalyzeResponse__Output>): grpc.ClientUnaryCall;
  Analyze(argument: _aigateway_v1_AnalyzeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_AnalyzeResponse__Output>): grpc.ClientUnaryCall;
  Analyze(argument: _aigateway_v1_AnalyzeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_AnalyzeResponse__Output>): grpc.ClientUnaryCall;
  Analyze(argument: _aigateway_v1_AnalyzeRequest, callback: grpc.requestCallback<_aigateway_v1_AnalyzeResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Several tasks on one text and its images (docs/analyze.md), run in parallel, each a chat request
   * of its own through the gateway; every task's result comes back, in task order, failed ones included.
   */
  analyze(argument: _aigateway_v1_AnalyzeRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_AnalyzeResponse__Output>): grpc.ClientUnaryCall;
  analyze(argument: _aigateway_v1_AnalyzeRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_AnalyzeResponse__Output>): grpc.ClientUnaryCall;
  analyze(argument: _aigateway_v1_AnalyzeRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_AnalyzeResponse__Output>): grpc.ClientUnaryCall;
  analyze(argument: _aigateway_v1_AnalyzeRequest, callback: grpc.requestCallback<_aigateway_v1_AnalyzeResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The same call, each task's result sent as the task finishes; the last event carries the totals.
   */
  AnalyzeStream(argument: _aigateway_v1_AnalyzeRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_aigateway_v1_AnalyzeEvent__Output>;
  AnalyzeStream(argument: _aigateway_v1_AnalyzeRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_aigateway_v1_AnalyzeEvent__Output>;
  /**
   * The same call, each task's result sent as the task finishes; the last event carries the totals.
   */
  analyzeStream(argument: _aigateway_v1_AnalyzeRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_aigateway_v1_AnalyzeEvent__Output>;
  analyzeStream(argument: _aigateway_v1_AnalyzeRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_aigateway_v1_AnalyzeEvent__Output>;
  
  /**
   * One chat completion, answered when the provider has finished.
   */
  Chat(argument: _aigateway_v1_ChatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ChatResponse__Output>): grpc.ClientUnaryCall;
  Chat(argument: _aigateway_v1_ChatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_ChatResponse__Output>): grpc.ClientUnaryCall;
  Chat(argument: _aigateway_v1_ChatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ChatResponse__Output>): grpc.ClientUnaryCall;
  Chat(argument: _aigateway_v1_ChatRequest, callback: grpc.requestCallback<_aigateway_v1_ChatResponse__Output>): grpc.ClientUnaryCall;
  /**
   * One chat completion, answered when the provider has finished.
   */
  chat(argument: _aigateway_v1_ChatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ChatResponse__Output>): grpc.ClientUnaryCall;
  chat(argument: _aigateway_v1_ChatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_ChatResponse__Output>): grpc.ClientUnaryCall;
  chat(argument: _aigateway_v1_ChatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ChatResponse__Output>): grpc.ClientUnaryCall;
  chat(argument: _aigateway_v1_ChatRequest, callback: grpc.requestCallback<_aigateway_v1_ChatResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * The same completion streamed as the provider produces it. The last chunk
   * carries finish_reason, usage and cost_usd.
   */
  ChatStream(argument: _aigateway_v1_ChatRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_aigateway_v1_ChatChunk__Output>;
  ChatStream(argument: _aigateway_v1_ChatRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_aigateway_v1_ChatChunk__Output>;
  /**
   * The same completion streamed as the provider produces it. The last chunk
   * carries finish_reason, usage and cost_usd.
   */
  chatStream(argument: _aigateway_v1_ChatRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_aigateway_v1_ChatChunk__Output>;
  chatStream(argument: _aigateway_v1_ChatRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_aigateway_v1_ChatChunk__Output>;
  
  Embed(argument: _aigateway_v1_EmbedRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_EmbedResponse__Output>): grpc.ClientUnaryCall;
  Embed(argument: _aigateway_v1_EmbedRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_EmbedResponse__Output>): grpc.ClientUnaryCall;
  Embed(argument: _aigateway_v1_EmbedRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_EmbedResponse__Output>): grpc.ClientUnaryCall;
  Embed(argument: _aigateway_v1_EmbedRequest, callback: grpc.requestCallback<_aigateway_v1_EmbedResponse__Output>): grpc.ClientUnaryCall;
  embed(argument: _aigateway_v1_EmbedRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_EmbedResponse__Output>): grpc.ClientUnaryCall;
  embed(argument: _aigateway_v1_EmbedRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_EmbedResponse__Output>): grpc.ClientUnaryCall;
  embed(argument: _aigateway_v1_EmbedRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_EmbedResponse__Output>): grpc.ClientUnaryCall;
  embed(argument: _aigateway_v1_EmbedRequest, callback: grpc.requestCallback<_aigateway_v1_EmbedResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Makes images from a prompt, as OpenAI's images API does.
   */
  GenerateImage(argument: _aigateway_v1_ImageGenerationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ImageGenerationResponse__Output>): grpc.ClientUnaryCall;
  GenerateImage(argument: _aigateway_v1_ImageGenerationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_ImageGenerationResponse__Output>): grpc.ClientUnaryCall;
  GenerateImage(argument: _aigateway_v1_ImageGenerationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ImageGenerationResponse__Output>): grpc.ClientUnaryCall;
  GenerateImage(argument: _aigateway_v1_ImageGenerationRequest, callback: grpc.requestCallback<_aigateway_v1_ImageGenerationResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Makes images from a prompt, as OpenAI's images API does.
   */
  generateImage(argument: _aigateway_v1_ImageGenerationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ImageGenerationResponse__Output>): grpc.ClientUnaryCall;
  generateImage(argument: _aigateway_v1_ImageGenerationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_ImageGenerationResponse__Output>): grpc.ClientUnaryCall;
  generateImage(argument: _aigateway_v1_ImageGenerationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ImageGenerationResponse__Output>): grpc.ClientUnaryCall;
  generateImage(argument: _aigateway_v1_ImageGenerationRequest, callback: grpc.requestCallback<_aigateway_v1_ImageGenerationResponse__Output>): grpc.ClientUnaryCall;
  
  ListModels(argument: _aigateway_v1_ListModelsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  ListModels(argument: _aigateway_v1_ListModelsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  ListModels(argument: _aigateway_v1_ListModelsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  ListModels(argument: _aigateway_v1_ListModelsRequest, callback: grpc.requestCallback<_aigateway_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  listModels(argument: _aigateway_v1_ListModelsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  listModels(argument: _aigateway_v1_ListModelsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  listModels(argument: _aigateway_v1_ListModelsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  listModels(argument: _aigateway_v1_ListModelsRequest, callback: grpc.requestCallback<_aigateway_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Classifies texts as OpenAI's moderations API does: one verdict per input.
   */
  Moderate(argument: _aigateway_v1_ModerationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ModerationResponse__Output>): grpc.ClientUnaryCall;
  Moderate(argument: _aigateway_v1_ModerationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_ModerationResponse__Output>): grpc.ClientUnaryCall;
  Moderate(argument: _aigateway_v1_ModerationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ModerationResponse__Output>): grpc.ClientUnaryCall;
  Moderate(argument: _aigateway_v1_ModerationRequest, callback: grpc.requestCallback<_aigateway_v1_ModerationResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Classifies texts as OpenAI's moderations API does: one verdict per input.
   */
  moderate(argument: _aigateway_v1_ModerationRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ModerationResponse__Output>): grpc.ClientUnaryCall;
  moderate(argument: _aigateway_v1_ModerationRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_ModerationResponse__Output>): grpc.ClientUnaryCall;
  moderate(argument: _aigateway_v1_ModerationRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ModerationResponse__Output>): grpc.ClientUnaryCall;
  moderate(argument: _aigateway_v1_ModerationRequest, callback: grpc.requestCallback<_aigateway_v1_ModerationResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Orders documents by their relevance to a query, as Cohere's rerank API does.
   */
  Rerank(argument: _aigateway_v1_RerankRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_RerankResponse__Output>): grpc.ClientUnaryCall;
  Rerank(argument: _aigateway_v1_RerankRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_RerankResponse__Output>): grpc.ClientUnaryCall;
  Rerank(argument: _aigateway_v1_RerankRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_RerankResponse__Output>): grpc.ClientUnaryCall;
  Rerank(argument: _aigateway_v1_RerankRequest, callback: grpc.requestCallback<_aigateway_v1_RerankResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Orders documents by their relevance to a query, as Cohere's rerank API does.
   */
  rerank(argument: _aigateway_v1_RerankRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_RerankResponse__Output>): grpc.ClientUnaryCall;
  rerank(argument: _aigateway_v1_RerankRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_RerankResponse__Output>): grpc.ClientUnaryCall;
  rerank(argument: _aigateway_v1_RerankRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_RerankResponse__Output>): grpc.ClientUnaryCall;
  rerank(argument: _aigateway_v1_RerankRequest, callback: grpc.requestCallback<_aigateway_v1_RerankResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Transcribes an audio file, as OpenAI's audio transcriptions API does.
   */
  Transcribe(argument: _aigateway_v1_TranscriptionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_TranscriptionResponse__Output>): grpc.ClientUnaryCall;
  Transcribe(argument: _aigateway_v1_TranscriptionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_TranscriptionResponse__Output>): grpc.ClientUnaryCall;
  Transcribe(argument: _aigateway_v1_TranscriptionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_TranscriptionResponse__Output>): grpc.ClientUnaryCall;
  Transcribe(argument: _aigateway_v1_TranscriptionRequest, callback: grpc.requestCallback<_aigateway_v1_TranscriptionResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Transcribes an audio file, as OpenAI's audio transcriptions API does.
   */
  transcribe(argument: _aigateway_v1_TranscriptionRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_TranscriptionResponse__Output>): grpc.ClientUnaryCall;
  transcribe(argument: _aigateway_v1_TranscriptionRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_TranscriptionResponse__Output>): grpc.ClientUnaryCall;
  transcribe(argument: _aigateway_v1_TranscriptionRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_TranscriptionResponse__Output>): grpc.ClientUnaryCall;
  transcribe(argument: _aigateway_v1_TranscriptionRequest, callback: grpc.requestCallback<_aigateway_v1_TranscriptionResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface AiGatewayHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Several tasks on one text and its images (docs/analyze.md), run in parallel, each a chat request
   * of its own through the gateway; every task's result comes back, in task order, failed ones included.
   */
  Analyze: grpc.handleUnaryCall<_aigateway_v1_AnalyzeRequest__Output, _aigateway_v1_AnalyzeResponse>;
  
  /**
   * The same call, each task's result sent as the task finishes; the last event carries the totals.
   */
  AnalyzeStream: grpc.handleServerStreamingCall<_aigateway_v1_AnalyzeRequest__Output, _aigateway_v1_AnalyzeEvent>;
  
  /**
   * One chat completion, answered when the provider has finished.
   */
  Chat: grpc.handleUnaryCall<_aigateway_v1_ChatRequest__Output, _aigateway_v1_ChatResponse>;
  
  /**
   * The same completion streamed as the provider produces it. The last chunk
   * carries finish_reason, usage and cost_usd.
   */
  ChatStream: grpc.handleServerStreamingCall<_aigateway_v1_ChatRequest__Output, _aigateway_v1_ChatChunk>;
  
  Embed: grpc.handleUnaryCall<_aigateway_v1_EmbedRequest__Output, _aigateway_v1_EmbedResponse>;
  
  /**
   * Makes images from a prompt, as OpenAI's images API does.
   */
  GenerateImage: grpc.handleUnaryCall<_aigateway_v1_ImageGenerationRequest__Output, _aigateway_v1_ImageGenerationResponse>;
  
  ListModels: grpc.handleUnaryCall<_aigateway_v1_ListModelsRequest__Output, _aigateway_v1_ListModelsResponse>;
  
  /**
   * Classifies texts as OpenAI's moderations API does: one verdict per input.
   */
  Moderate: grpc.handleUnaryCall<_aigateway_v1_ModerationRequest__Output, _aigateway_v1_ModerationResponse>;
  
  /**
   * Orders documents by their relevance to a query, as Cohere's rerank API does.
   */
  Rerank: grpc.handleUnaryCall<_aigateway_v1_RerankRequest__Output, _aigateway_v1_RerankResponse>;
  
  /**
   * Transcribes an audio file, as OpenAI's audio transcriptions API does.
   */
  Transcribe: grpc.handleUnaryCall<_aigateway_v1_TranscriptionRequest__Output, _aigateway_v1_TranscriptionResponse>;
  
}

export interface AiGatewayDefinition extends grpc.ServiceDefinition {
  Analyze: MethodDefinition<_aigateway_v1_AnalyzeRequest, _aigateway_v1_AnalyzeResponse, _aigateway_v1_AnalyzeRequest__Output, _aigateway_v1_AnalyzeResponse__Output>
  AnalyzeStream: MethodDefinition<_aigateway_v1_AnalyzeRequest, _aigateway_v1_AnalyzeEvent, _aigateway_v1_AnalyzeRequest__Output, _aigateway_v1_AnalyzeEvent__Output>
  Chat: MethodDefinition<_aigateway_v1_ChatRequest, _aigateway_v1_ChatResponse, _aigateway_v1_ChatRequest__Output, _aigateway_v1_ChatResponse__Output>
  ChatStream: MethodDefinition<_aigateway_v1_ChatRequest, _aigateway_v1_ChatChunk, _aigateway_v1_ChatRequest__Output, _aigateway_v1_ChatChunk__Output>
  Embed: MethodDefinition<_aigateway_v1_EmbedRequest, _aigateway_v1_EmbedResponse, _aigateway_v1_EmbedRequest__Output, _aigateway_v1_EmbedResponse__Output>
  GenerateImage: MethodDefinition<_aigateway_v1_ImageGenerationRequest, _aigateway_v1_ImageGenerationResponse, _aigateway_v1_ImageGenerationRequest__Output, _aigateway_v1_ImageGenerationResponse__Output>
  ListModels: MethodDefinition<_aigateway_v1_ListModelsRequest, _aigateway_v1_ListModelsResponse, _aigateway_v1_ListModelsRequest__Output, _aigateway_v1_ListModelsResponse__Output>
  Moderate: MethodDefinition<_aigateway_v1_ModerationRequest, _aigateway_v1_ModerationResponse, _aigateway_v1_ModerationRequest__Output, _aigateway_v1_ModerationResponse__Output>
  Rerank: MethodDefinition<_aigateway_v1_RerankRequest, _aigateway_v1_RerankResponse, _aigateway_v1_RerankRequest__Output, _aigateway_v1_RerankResponse__Output>
  Transcribe: MethodDefinition<_aigateway_v1_TranscriptionRequest, _aigateway_v1_TranscriptionResponse, _aigateway_v1_TranscriptionRequest__Output, _aigateway_v1_TranscriptionResponse__Output>
}
