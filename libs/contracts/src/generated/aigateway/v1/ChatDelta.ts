// Original file: proto/aigateway/v1/gateway.proto

import type { ToolCallDelta as _aigateway_v1_ToolCallDelta, ToolCallDelta__Output as _aigateway_v1_ToolCallDelta__Output } from '../../aigateway/v1/ToolCallDelta';

export interface ChatDelta {
  'role'?: (string);
  'content'?: (string);
  'tool_calls'?: (_aigateway_v1_ToolCallDelta)[];
}

export interface ChatDelta__Output {
  'role': (string);
  'content': (string);
  'tool_calls': (_aigateway_v1_ToolCallDelta__Output)[];
}
