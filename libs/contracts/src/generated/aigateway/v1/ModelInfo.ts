// Original file: proto/aigateway/v1/gateway.proto

import type { ModelCapabilities as _aigateway_v1_ModelCapabilities, ModelCapabilities__Output as _aigateway_v1_ModelCapabilities__Output } from '../../aigateway/v1/ModelCapabilities';

export interface ModelInfo {
  /**
   * The name clients put in ChatRequest.model.
   */
  'id'?: (string);
  'provider'?: (string);
  'upstream_model'?: (string);
  'capabilities'?: (_aigateway_v1_ModelCapabilities | null);
}

export interface ModelInfo__Output {
  /**
   * The name clients put in ChatRequest.model.
   */
  'id': (string);
  'provider': (string);
  'upstream_model': (string);
  'capabilities': (_aigateway_v1_ModelCapabilities__Output | null);
}
