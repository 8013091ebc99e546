// Original file: proto/aigateway/v1/batch.proto

import type { Long } from '@grpc/proto-loader';

export interface RequestCounts {
  'total'?: (number | string | Long);
  'completed'?: (number | string | Long);
  'failed'?: (number | string | Long);
}

export interface RequestCounts__Output {
  'total': (number);
  'completed': (number);
  'failed': (number);
}
