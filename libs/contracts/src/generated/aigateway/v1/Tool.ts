// Original file: proto/aigateway/v1/gateway.proto

import type { FunctionDefinition as _aigateway_v1_FunctionDefinition, FunctionDefinition__Output as _aigateway_v1_FunctionDefinition__Output } from '../../aigateway/v1/FunctionDefinition';

export interface Tool {
  /**
   * Only "function" is defined today.
   */
  'type'?: (string);
  'function'?: (_aigateway_v1_FunctionDefinition | null);
}

export interface Tool__Output {
  /**
   * Only "function" is defined today.
   */
  'type': (string);
  'function': (_aigateway_v1_FunctionDefinition__Output | null);
}
