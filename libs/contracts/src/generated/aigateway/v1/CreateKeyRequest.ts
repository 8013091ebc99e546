// Original file: proto/aigateway/v1/admin.proto

import type { KeyFields as _aigateway_v1_KeyFields, KeyFields__Output as _aigateway_v1_KeyFields__Output } from '../../aigateway/v1/KeyFields';

export interface CreateKeyRequest {
  'key'?: (_aigateway_v1_KeyFields | null);
}

export interface CreateKeyRequest__Output {
  'key': (_aigateway_v1_KeyFields__Output | null);
}
