// Original file: proto/aigateway/v1/gateway.proto

import type { ContentPart as _aigateway_v1_ContentPart, ContentPart__Output as _aigateway_v1_ContentPart__Output } from '../../aigateway/v1/ContentPart';
import type { ToolCall as _aigateway_v1_ToolCall, ToolCall__Output as _aigateway_v1_ToolCall__Output } from '../../aigateway/v1/ToolCall';

export interface ChatMessage {
  /**
   * One of: system, user, assistant, tool.
   */
  'role'?: (string);
  /**
   * Plain text content. Ignored when content_parts is not empty.
   */
  'content'?: (string);
  /**
   * Multimodal content: text and images, in order.
   */
  'content_parts'?: (_aigateway_v1_ContentPart)[];
  'name'?: (string);
  /**
   * Tool calls made by the assistant (role = assistant).
   */
  'tool_calls'?: (_aigateway_v1_ToolCall)[];
  /**
   * The call this message answers (role = tool).
   */
  'tool_call_id'?: (string);
}

export interface ChatMessage__Output {
  /**
   * One of: system, user, assistant, tool.
   */
  'role': (string);
  /**
   * Plain text content. Ignored when content_parts is not empty.
   */
  'content': (string);
  /**
   * Multimodal content: text and images, in order.
   */
  'content_parts': (_aigateway_v1_ContentPart__Output)[];
  'name': (string);
  /**
   * Tool calls made by the assistant (role = assistant).
   */
  'tool_calls': (_aigateway_v1_ToolCall__Output)[];
  /**
   * The call this message answers (role = tool).
   */
  'tool_call_id': (string);
}
