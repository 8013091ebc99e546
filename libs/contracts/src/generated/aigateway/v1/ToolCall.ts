// Original file: proto/aigateway/v1/gateway.proto

import type { FunctionCall as _aigateway_v1_FunctionCall, FunctionCall__Output as _aigateway_v1_FunctionCall__Output } from '../../aigateway/v1/FunctionCall';

export interface ToolCall {
  'id'?: (string);
  /**
   * Only "function" is defined today.
   */
  'type'?: (string);
  'function'?: (_aigateway_v1_FunctionCall | null);
}

export interface ToolCall__Output {
  'id': (string);
  /**
   * Only "function" is defined today.
   */
  'type': (string);
  'function': (_aigateway_v1_FunctionCall__Output | null);
}
