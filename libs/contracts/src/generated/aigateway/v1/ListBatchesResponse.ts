// Original file: proto/aigateway/v1/batch.proto

import type { Batch as _aigateway_v1_Batch, Batch__Output as _aigateway_v1_Batch__Output } from '../../aigateway/v1/Batch';

export interface ListBatchesResponse {
  'data'?: (_aigateway_v1_Batch)[];
  'first_id'?: (string);
  'last_id'?: (string);
  'has_more'?: (boolean);
}

export interface ListBatchesResponse__Output {
  'data': (_aigateway_v1_Batch__Output)[];
  'first_id': (string);
  'last_id': (string);
  'has_more': (boolean);
}
