// Original file: proto/aigateway/v1/gateway.proto

import type { ChatMessage as _aigateway_v1_ChatMessage, ChatMessage__Output as _aigateway_v1_ChatMessage__Output } from '../../aigateway/v1/ChatMessage';
import type { Tool as _aigateway_v1_Tool, Tool__Output as _aigateway_v1_Tool__Output } from '../../aigateway/v1/Tool';
import type { ToolChoice as _aigateway_v1_ToolChoice, ToolChoice__Output as _aigateway_v1_ToolChoice__Output } from '../../aigateway/v1/ToolChoice';
import type { ResponseFormat as _aigateway_v1_ResponseFormat, ResponseFormat__Output as _aigateway_v1_ResponseFormat__Output } from '../../aigateway/v1/ResponseFormat';
import type { Long } from '@grpc/proto-loader';

export interface ChatRequest {
  /**
   * A model name from the gateway's configuration (see ListModels).
   */
  'model'?: (string);
  'messages'?: (_aigateway_v1_ChatMessage)[];
  'max_tokens'?: (number);
  'temperature'?: (number | string);
  'top_p'?: (number | string);
  'stop'?: (string)[];
  /**
   * An end-user id, forwarded to providers that accept one.
   */
  'user'?: (string);
  /**
   * Free-form labels recorded with the request in analytics.
   */
  'metadata'?: ({[key: string]: string});
  'tools'?: (_aigateway_v1_Tool)[];
  'tool_choice'?: (_aigateway_v1_ToolChoice | null);
  'response_format'?: (_aigateway_v1_ResponseFormat | null);
  'seed'?: (number | string | Long);
  '_max_tokens'?: "max_tokens";
  '_temperature'?: "temperature";
  '_top_p'?: "top_p";
  '_seed'?: "seed";
}

export interface ChatRequest__Output {
  /**
   * A model name from the gateway's configuration (see ListModels).
   */
  'model': (string);
  'messages': (_aigateway_v1_ChatMessage__Output)[];
  'max_tokens'?: (number);
  'temperature'?: (number);
  'top_p'?: (number);
  'stop': (string)[];
  /**
   * An end-user id, forwarded to providers that accept one.
   */
  'user': (string);
  /**
   * Free-form labels recorded with the request in analytics.
   */
  'metadata': ({[key: string]: string});
  'tools': (_aigateway_v1_Tool__Output)[];
  'tool_choice': (_aigateway_v1_ToolChoice__Output | null);
  'response_format': (_aigateway_v1_ResponseFormat__Output | null);
  'seed'?: (number);
  '_max_tokens'?: "max_tokens";
  '_temperature'?: "temperature";
  '_top_p'?: "top_p";
  '_seed'?: "seed";
}
