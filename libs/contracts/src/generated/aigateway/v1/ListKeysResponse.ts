// Original file: proto/aigateway/v1/admin.proto

import type { VirtualKey as _aigateway_v1_VirtualKey, VirtualKey__Output as _aigateway_v1_VirtualKey__Output } from '../../aigateway/v1/VirtualKey';

export interface ListKeysResponse {
  'keys'?: (_aigateway_v1_VirtualKey)[];
}

export interface ListKeysResponse__Output {
  'keys': (_aigateway_v1_VirtualKey__Output)[];
}
