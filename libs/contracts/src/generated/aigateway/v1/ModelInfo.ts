// Original file: proto/aigateway/v1/gateway.proto

import type { ModelCapabilities as _aigateway_v1_ModelCapabilities, ModelCapabilities__Output as _aigateway_v1_ModelCapabilities__Output } from '../../aigateway/v1/ModelCapabilities';
import type { TargetStatus as _aigateway_v1_TargetStatus, TargetStatus__Output as _aigateway_v1_TargetStatus__Output } from '../../aigateway/v1/TargetStatus';

export interface ModelInfo {
  /**
   * The name clients put in ChatRequest.model.
   */
  'id'?: (string);
  'provider'?: (string);
  'upstream_model'?: (string);
  'capabilities'?: (_aigateway_v1_ModelCapabilities | null);
  /**
   * Every target the model's route may call, each with its circuit breaker.
   */
  'targets'?: (_aigateway_v1_TargetStatus)[];
}

export interface ModelInfo__Output {
  /**
   * The name clients put in ChatRequest.model.
   */
  'id': (string);
  'provider': (string);
  'upstream_model': (string);
  'capabilities': (_aigateway_v1_ModelCapabilities__Output | null);
  /**
   * Every target the model's route may call, each with its circuit breaker.
   */
  'targets': (_aigateway_v1_TargetStatus__Output)[];
}
