// Original file: proto/aigateway/v1/admin.proto

import type { VirtualKey as _aigateway_v1_VirtualKey, VirtualKey__Output as _aigateway_v1_VirtualKey__Output } from '../../aigateway/v1/VirtualKey';

export interface CreateKeyResponse {
  'virtual_key'?: (_aigateway_v1_VirtualKey | null);
  /**
   * The secret (sk-sy-...), shown this once; only its hash is kept.
   */
  'key'?: (string);
}

export interface CreateKeyResponse__Output {
  'virtual_key': (_aigateway_v1_VirtualKey__Output | null);
  /**
   * The secret (sk-sy-...), shown this once; only its hash is kept.
   */
  'key': (string);
}
