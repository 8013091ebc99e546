// Original file: proto/aigateway/v1/gateway.proto

import type { ModerationVerdict as _aigateway_v1_ModerationVerdict, ModerationVerdict__Output as _aigateway_v1_ModerationVerdict__Output } from '../../aigateway/v1/ModerationVerdict';
import type { Usage as _aigateway_v1_Usage, Usage__Output as _aigateway_v1_Usage__Output } from '../../aigateway/v1/Usage';

export interface ModerationResponse {
  'id'?: (string);
  'model'?: (string);
  'provider'?: (string);
  /**
   * One per input, in order.
   */
  'results'?: (_aigateway_v1_ModerationVerdict)[];
  'usage'?: (_aigateway_v1_Usage | null);
  'cost_usd'?: (number | string);
}

export interface ModerationResponse__Output {
  'id': (string);
  'model': (string);
  'provider': (string);
  /**
   * One per input, in order.
   */
  'results': (_aigateway_v1_ModerationVerdict__Output)[];
  'usage': (_aigateway_v1_Usage__Output | null);
  'cost_usd': (number);
}
