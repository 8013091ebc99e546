// Original file: proto/aigateway/v1/admin.proto

import type { KeyFields as _aigateway_v1_KeyFields, KeyFields__Output as _aigateway_v1_KeyFields__Output } from '../../aigateway/v1/KeyFields';

export interface UpdateKeyRequest {
  'id'?: (string);
  'key'?: (_aigateway_v1_KeyFields | null);
  /**
   * The KeyFields names to change (AIP-134); a named field left unset is cleared.
   */
  'update_mask'?: (string)[];
}

export interface UpdateKeyRequest__Output {
  'id': (string);
  'key': (_aigateway_v1_KeyFields__Output | null);
  /**
   * The KeyFields names to change (AIP-134); a named field left unset is cleared.
   */
  'update_mask': (string)[];
}
