// Original file: proto/aigateway/v1/gateway.proto

import type { ModelInfo as _aigateway_v1_ModelInfo, ModelInfo__Output as _aigateway_v1_ModelInfo__Output } from '../../aigateway/v1/ModelInfo';

export interface ListModelsResponse {
  'models'?: (_aigateway_v1_ModelInfo)[];
}

export interface ListModelsResponse__Output {
  'models': (_aigateway_v1_ModelInfo__Output)[];
}
