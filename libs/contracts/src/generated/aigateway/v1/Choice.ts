// Original file: proto/aigateway/v1/gateway.proto

import type { ChatMessage as _aigateway_v1_ChatMessage, ChatMessage__Output as _aigateway_v1_ChatMessage__Output } from '../../aigateway/v1/ChatMessage';

export interface Choice {
  'index'?: (number);
  'message'?: (_aigateway_v1_ChatMessage | null);
  /**
   * One of: stop, length, tool_calls, content_filter, error.
   */
  'finish_reason'?: (string);
}

export interface Choice__Output {
  'index': (number);
  'message': (_aigateway_v1_ChatMessage__Output | null);
  /**
   * One of: stop, length, tool_calls, content_filter, error.
   */
  'finish_reason': (string);
}
