// Original file: proto/aigateway/v1/gateway.proto

import type { Embedding as _aigateway_v1_Embedding, Embedding__Output as _aigateway_v1_Embedding__Output } from '../../aigateway/v1/Embedding';
import type { Usage as _aigateway_v1_Usage, Usage__Output as _aigateway_v1_Usage__Output } from '../../aigateway/v1/Usage';

export interface EmbedResponse {
  'id'?: (string);
  'model'?: (string);
  'provider'?: (string);
  'data'?: (_aigateway_v1_Embedding)[];
  'usage'?: (_aigateway_v1_Usage | null);
  'cost_usd'?: (number | string);
}

export interface EmbedResponse__Output {
  'id': (string);
  'model': (string);
  'provider': (string);
  'data': (_aigateway_v1_Embedding__Output)[];
  'usage': (_aigateway_v1_Usage__Output | null);
  'cost_usd': (number);
}
