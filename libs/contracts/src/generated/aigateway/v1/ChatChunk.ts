// Original file: proto/aigateway/v1/gateway.proto

import type { ChatDelta as _aigateway_v1_ChatDelta, ChatDelta__Output as _aigateway_v1_ChatDelta__Output } from '../../aigateway/v1/ChatDelta';
import type { Usage as _aigateway_v1_Usage, Usage__Output as _aigateway_v1_Usage__Output } from '../../aigateway/v1/Usage';

export interface ChatChunk {
  'id'?: (string);
  'model'?: (string);
  'delta'?: (_aigateway_v1_ChatDelta | null);
  /**
   * Set on the last chunk only.
   */
  'finish_reason'?: (string);
  /**
   * Set on the last chunk only.
   */
  'usage'?: (_aigateway_v1_Usage | null);
  'provider'?: (string);
  'index'?: (number);
  /**
   * Set on the last chunk only.
   */
  'cost_usd'?: (number | string);
}

export interface ChatChunk__Output {
  'id': (string);
  'model': (string);
  'delta': (_aigateway_v1_ChatDelta__Output | null);
  /**
   * Set on the last chunk only.
   */
  'finish_reason': (string);
  /**
   * Set on the last chunk only.
   */
  'usage': (_aigateway_v1_Usage__Output | null);
  'provider': (string);
  'index': (number);
  /**
   * Set on the last chunk only.
   */
  'cost_usd': (number);
}
