// Original file: proto/aigateway/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface KeyRates {
  'requests'?: (number | string | Long);
  'tokens'?: (number | string | Long);
}

export interface KeyRates__Output {
  'requests': (number);
  'tokens': (number);
}
