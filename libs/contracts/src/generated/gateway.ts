import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AiGatewayClient as _aigateway_v1_AiGatewayClient, AiGatewayDefinition as _aigateway_v1_AiGatewayDefinition } from './aigateway/v1/AiGateway';
import type { AnalyzeError as _aigateway_v1_AnalyzeError, AnalyzeError__Output as _aigateway_v1_AnalyzeError__Output } from './aigateway/v1/AnalyzeError';
import type { AnalyzeEvent as _aigateway_v1_AnalyzeEvent, AnalyzeEvent__Output as _aigateway_v1_AnalyzeEvent__Output } from './aigateway/v1/AnalyzeEvent';
import type { AnalyzeRequest as _aigateway_v1_AnalyzeRequest, AnalyzeRequest__Output as _aigateway_v1_AnalyzeRequest__Output } from './aigateway/v1/AnalyzeRequest';
import type { AnalyzeResponse as _aigateway_v1_AnalyzeResponse, AnalyzeResponse__Output as _aigateway_v1_AnalyzeResponse__Output } from './aigateway/v1/AnalyzeResponse';
import type { AnalyzeTask as _aigateway_v1_AnalyzeTask, AnalyzeTask__Output as _aigateway_v1_AnalyzeTask__Output } from './aigateway/v1/AnalyzeTask';
import type { AnalyzeTaskResult as _aigateway_v1_AnalyzeTaskResult, AnalyzeTaskResult__Output as _aigateway_v1_AnalyzeTaskResult__Output } from './aigateway/v1/AnalyzeTaskResult';
import type { ChatChunk as _aigateway_v1_ChatChunk, ChatChunk__Output as _aigateway_v1_ChatChunk__Output } from './aigateway/v1/ChatChunk';
import type { ChatDelta as _aigateway_v1_ChatDelta, ChatDelta__Output as _aigateway_v1_ChatDelta__Output } from './aigateway/v1/ChatDelta';
import type { ChatMessage as _aigateway_v1_ChatMessage, ChatMessage__Output as _aigateway_v1_ChatMessage__Output } from './aigateway/v1/ChatMessage';
import type { ChatRequest as _aigateway_v1_ChatRequest, ChatRequest__Output as _aigateway_v1_ChatRequest__Output } from './aigateway/v1/ChatRequest';
import type { ChatResponse as _aigateway_v1_ChatResponse, ChatResponse__Output as _aigateway_v1_ChatResponse__Output } from './aigateway/v1/ChatResponse';
import type { Choice as _aigateway_v1_Choice, Choice__Output as _aigateway_v1_Choice__Output } from './aigateway/v1/Choice';
import type { ContentPart as _aigateway_v1_ContentPart, ContentPart__Output as _aigateway_v1_ContentPart__Output } from './aigateway/v1/ContentPart';
import type { EmbedRequest as _aigateway_v1_EmbedRequest, EmbedRequest__Output as _aigateway_v1_EmbedRequest__Output } from './aigateway/v1/EmbedRequest';
import type { EmbedResponse as _aigateway_v1_EmbedResponse, EmbedResponse__Output as _aigateway_v1_EmbedResponse__Output } from './aigateway/v1/EmbedResponse';
import type { Embedding as _aigateway_v1_Embedding, Embedding__Output as _aigateway_v1_Embedding__Output } from './aigateway/v1/Embedding';
import type { FunctionCall as _aigateway_v1_FunctionCall, FunctionCall__Output as _aigateway_v1_FunctionCall__Output } from './aigateway/v1/FunctionCall';
import type { FunctionDefinition as _aigateway_v1_FunctionDefinition, FunctionDefinition__Output as _aigateway_v1_FunctionDefinition__Output } from './aigateway/v1/FunctionDefinition';
import type { GeneratedImage as _aigateway_v1_GeneratedImage, GeneratedImage__Output as _aigateway_v1_GeneratedImage__Output } from './aigateway/v1/GeneratedImage';
import type { ImageGenerationRequest as _aigateway_v1_ImageGenerationRequest, ImageGenerationRequest__Output as _aigateway_v1_ImageGenerationRequest__Output } from './aigateway/v1/ImageGenerationRequest';
import type { ImageGenerationResponse as _aigateway_v1_ImageGenerationResponse, ImageGenerationResponse__Output as _aigateway_v1_ImageGenerationResponse__Output } from './aigateway/v1/ImageGenerationResponse';
import type { ImageUrl as _aigateway_v1_ImageUrl, ImageUrl__Output as _aigateway_v1_ImageUrl__Output } from './aigateway/v1/ImageUrl';
import type { InlineImage as _aigateway_v1_InlineImage, InlineImage__Output as _aigateway_v1_InlineImage__Output } from './aigateway/v1/InlineImage';
import type { ListModelsRequest as _aigateway_v1_ListModelsRequest, ListModelsRequest__Output as _aigateway_v1_ListModelsRequest__Output } from './aigateway/v1/ListModelsRequest';
import type { ListModelsResponse as _aigateway_v1_ListModelsResponse, ListModelsResponse__Output as _aigateway_v1_ListModelsResponse__Output } from './aigateway/v1/ListModelsResponse';
import type { ModelCapabilities as _aigateway_v1_ModelCapabilities, ModelCapabilities__Output as _aigateway_v1_ModelCapabilities__Output } from './aigateway/v1/ModelCapabilities';
import type { ModelInfo as _aigateway_v1_ModelInfo, ModelInfo__Output as _aigateway_v1_ModelInfo__Output } from './aigateway/v1/ModelInfo';
import type { ModerationRequest as _aigateway_v1_ModerationRequest, ModerationRequest__Output as _aigateway_v1_ModerationRequest__Output } from './aigateway/v1/ModerationRequest';
import type { ModerationResponse as _aigateway_v1_ModerationResponse, ModerationResponse__Output as _aigateway_v1_ModerationResponse__Output } from './aigateway/v1/ModerationResponse';
import type { ModerationVerdict as _aigateway_v1_ModerationVerdict, ModerationVerdict__Output as _aigateway_v1_ModerationVerdict__Output } from './aigateway/v1/ModerationVerdict';
import type { RerankRanking as _aigateway_v1_RerankRanking, RerankRanking__Output as _aigateway_v1_RerankRanking__Output } from './aigateway/v1/RerankRanking';
import type { RerankRequest as _aigateway_v1_RerankRequest, RerankRequest__Output as _aigateway_v1_RerankRequest__Output } from './aigateway/v1/RerankRequest';
import type { RerankResponse as _aigateway_v1_RerankResponse, RerankResponse__Output as _aigateway_v1_RerankResponse__Output } from './aigateway/v1/RerankResponse';
import type { ResponseFormat as _aigateway_v1_ResponseFormat, ResponseFormat__Output as _aigateway_v1_ResponseFormat__Output } from './aigateway/v1/ResponseFormat';
import type { TargetStatus as _aigateway_v1_TargetStatus, TargetStatus__Output as _aigateway_v1_TargetStatus__Output } from './aigateway/v1/TargetStatus';
import type { Tool as _aigateway_v1_Tool, Tool__Output as _aigateway_v1_Tool__Output } from './aigateway/v1/Tool';
import type { ToolCall as _aigateway_v1_ToolCall, ToolCall__Output as _aigateway_v1_ToolCall__Output } from './aigateway/v1/ToolCall';
import type { ToolCallDelta as _aigateway_v1_ToolCallDelta, ToolCallDelta__Output as _aigateway_v1_ToolCallDelta__Output } from './aigateway/v1/ToolCallDelta';
import type { ToolChoice as _aigateway_v1_ToolChoice, ToolChoice__Output as _aigateway_v1_ToolChoice__Output } from './aigateway/v1/ToolChoice';
import type { TranscriptSegment as _aigateway_v1_TranscriptSegment, TranscriptSegment__Output as _aigateway_v1_TranscriptSegment__Output } from './aigateway/v1/TranscriptSegment';
import type { TranscriptionRequest as _aigateway_v1_TranscriptionRequest, TranscriptionRequest__Output as _aigateway_v1_TranscriptionRequest__Output } from './aigateway/v1/TranscriptionRequest';
import type { TranscriptionResponse as _aigateway_v1_TranscriptionResponse, TranscriptionResponse__Output as _aigateway_v1_TranscriptionResponse__Output } from './aigateway/v1/TranscriptionResponse';
import type { Usage as _aigateway_v1_Usage, Usage__Output as _aigateway_v1_Usage__Output } from './aigateway/v1/Usage';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  aigateway: {
    v1: {
      AiGateway: SubtypeConstructor<typeof grpc.Client, _aigateway_v1_AiGatewayClient> & { service: _aigateway_v1_AiGatewayDefinition }
      AnalyzeError: MessageTypeDefinition<_aigateway_v1_AnalyzeError, _aigateway_v1_AnalyzeError__Output>
      AnalyzeEvent: MessageTypeDefinition<_aigateway_v1_AnalyzeEvent, _aigateway_v1_AnalyzeEvent__Output>
      AnalyzeRequest: MessageTypeDefinition<_aigateway_v1_AnalyzeRequest, _aigateway_v1_AnalyzeRequest__Output>
      AnalyzeResponse: MessageTypeDefinition<_aigateway_v1_AnalyzeResponse, _aigateway_v1_AnalyzeResponse__Output>
      AnalyzeTask: MessageTypeDefinition<_aigateway_v1_AnalyzeTask, _aigateway_v1_AnalyzeTask__Output>
      AnalyzeTaskResult: MessageTypeDefinition<_aigateway_v1_AnalyzeTaskResult, _aigateway_v1_AnalyzeTaskResult__Output>
      ChatChunk: MessageTypeDefinition<_aigateway_v1_ChatChunk, _aigateway_v1_ChatChunk__Output>
      ChatDelta: MessageTypeDefinition<_aigateway_v1_ChatDelta, _aigateway_v1_ChatDelta__Output>
      ChatMessage: MessageTypeDefinition<_aigateway_v1_ChatMessage, _aigateway_v1_ChatMessage__Output>
      ChatRequest: MessageTypeDefinition<_aigateway_v1_ChatRequest, _aigateway_v1_ChatRequest__Output>
      ChatResponse: MessageTypeDefinition<_aigateway_v1_ChatResponse, _aigateway_v1_ChatResponse__Output>
      Choice: MessageTypeDefinition<_aigateway_v1_Choice, _aigateway_v1_Choice__Output>
      ContentPart: MessageTypeDefinition<_aigateway_v1_ContentPart, _aigateway_v1_ContentPart__Output>
      EmbedRequest: MessageTypeDefinition<_aigateway_v1_EmbedRequest, _aigateway_v1_EmbedRequest__Output>
      EmbedResponse: MessageTypeDefinition<_aigateway_v1_EmbedResponse, _aigateway_v1_EmbedResponse__Output>
      Embedding: MessageTypeDefinition<_aigateway_v1_Embedding, _aigateway_v1_Embedding__Output>
      FunctionCall: MessageTypeDefinition<_aigateway_v1_FunctionCall, _aigateway_v1_FunctionCall__Output>
      FunctionDefinition: MessageTypeDefinition<_aigateway_v1_FunctionDefinition, _aigateway_v1_FunctionDefinition__Output>
      GeneratedImage: MessageTypeDefinition<_aigateway_v1_GeneratedImage, _aigateway_v1_GeneratedImage__Output>
      ImageGenerationRequest: MessageTypeDefinition<_aigateway_v1_ImageGenerationRequest, _aigateway_v1_ImageGenerationRequest__Output>
      ImageGenerationResponse: MessageTypeDefinition<_aigateway_v1_ImageGenerationResponse, _aigateway_v1_ImageGenerationResponse__Output>
      ImageUrl: MessageTypeDefinition<_aigateway_v1_ImageUrl, _aigateway_v1_ImageUrl__Output>
      InlineImage: MessageTypeDefinition<_aigateway_v1_InlineImage, _aigateway_v1_InlineImage__Output>
      ListModelsRequest: MessageTypeDefinition<_aigateway_v1_ListModelsRequest, _aigateway_v1_ListModelsRequest__Output>
      ListModelsResponse: MessageTypeDefinition<_aigateway_v1_ListModelsResponse, _aigateway_v1_ListModelsResponse__Output>
      ModelCapabilities: MessageTypeDefinition<_aigateway_v1_ModelCapabilities, _aigateway_v1_ModelCapabilities__Output>
      ModelInfo: MessageTypeDefinition<_aigateway_v1_ModelInfo, _aigateway_v1_ModelInfo__Output>
      ModerationRequest: MessageTypeDefinition<_aigateway_v1_ModerationRequest, _aigateway_v1_ModerationRequest__Output>
      ModerationResponse: MessageTypeDefinition<_aigateway_v1_ModerationResponse, _aigateway_v1_ModerationResponse__Output>
      ModerationVerdict: MessageTypeDefinition<_aigateway_v1_ModerationVerdict, _aigateway_v1_ModerationVerdict__Output>
      RerankRanking: MessageTypeDefinition<_aigateway_v1_RerankRanking, _aigateway_v1_RerankRanking__Output>
      RerankRequest: MessageTypeDefinition<_aigateway_v1_RerankRequest, _aigateway_v1_RerankRequest__Output>
      RerankResponse: MessageTypeDefinition<_aigateway_v1_RerankResponse, _aigateway_v1_RerankResponse__Output>
      ResponseFormat: MessageTypeDefinition<_aigateway_v1_ResponseFormat, _aigateway_v1_ResponseFormat__Output>
      TargetStatus: MessageTypeDefinition<_aigateway_v1_TargetStatus, _aigateway_v1_TargetStatus__Output>
      Tool: MessageTypeDefinition<_aigateway_v1_Tool, _aigateway_v1_Tool__Output>
      ToolCall: MessageTypeDefinition<_aigateway_v1_ToolCall, _aigateway_v1_ToolCall__Output>
      ToolCallDelta: MessageTypeDefinition<_aigateway_v1_ToolCallDelta, _aigateway_v1_ToolCallDelta__Output>
      ToolChoice: MessageTypeDefinition<_aigateway_v1_ToolChoice, _aigateway_v1_ToolChoice__Output>
      TranscriptSegment: MessageTypeDefinition<_aigateway_v1_TranscriptSegment, _aigateway_v1_TranscriptSegment__Output>
      TranscriptionRequest: MessageTypeDefinition<_aigateway_v1_TranscriptionRequest, _aigateway_v1_TranscriptionRequest__Output>
      TranscriptionResponse: MessageTypeDefinition<_aigateway_v1_TranscriptionResponse, _aigateway_v1_TranscriptionResponse__Output>
      Usage: MessageTypeDefinition<_aigateway_v1_Usage, _aigateway_v1_Usage__Output>
    }
  }
}

