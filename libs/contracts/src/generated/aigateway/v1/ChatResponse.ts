// Original file: proto/aigateway/v1/gateway.proto

import type { Choice as _aigateway_v1_Choice, Choice__Output as _aigateway_v1_Choice__Output } from '../../aigateway/v1/Choice';
import type { Usage as _aigateway_v1_Usage, Usage__Output as _aigateway_v1_Usage__Output } from '../../aigateway/v1/Usage';

export interface ChatResponse {
  /**
   * The request id; the same id keys the request's row in usage_events.
   */
  'id'?: (string);
  /**
   * The model as requested.
   */
  'model'?: (string);
  'provider'?: (string);
  'choices'?: (_aigateway_v1_Choice)[];
  'usage'?: (_aigateway_v1_Usage | null);
  'cost_usd'?: (number | string);
}

export interface ChatResponse__Output {
  /**
   * The request id; the same id keys the request's row in usage_events.
   */
  'id': (string);
  /**
   * The model as requested.
   */
  'model': (string);
  'provider': (string);
  'choices': (_aigateway_v1_Choice__Output)[];
  'usage': (_aigateway_v1_Usage__Output | null);
  'cost_usd': (number);
}
