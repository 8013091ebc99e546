// Original file: proto/aigateway/v1/gateway.proto

import type { FunctionCall as _aigateway_v1_FunctionCall, FunctionCall__Output as _aigateway_v1_FunctionCall__Output } from '../../aigateway/v1/FunctionCall';

export interface ToolCallDelta {
  /**
   * Position of the call in the message's tool_calls; fragments with the same index belong together.
   */
  'index'?: (number);
  'id'?: (string);
  'type'?: (string);
  'function'?: (_aigateway_v1_FunctionCall | null);
}

export interface ToolCallDelta__Output {
  /**
   * Position of the call in the message's tool_calls; fragments with the same index belong together.
   */
  'index': (number);
  'id': (string);
  'type': (string);
  'function': (_aigateway_v1_FunctionCall__Output | null);
}
