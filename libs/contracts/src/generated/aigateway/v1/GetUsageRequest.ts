// Original file: proto/aigateway/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

/**
 * GET /admin/v1/usage's parameters, under the same names and bounds; empty (limit: 0) is the default.
 */
export interface GetUsageRequest {
  /**
   * ISO 8601 times or spans back from now (15m, 24h, 7d).
   */
  'from'?: (string);
  'to'?: (string);
  /**
   * minute, hour or day.
   */
  'bucket'?: (string);
  /**
   * Any of model, provider, key, team, status, error_code, each once.
   */
  'group_by'?: (string)[];
  'model'?: (string);
  'provider'?: (string);
  'key'?: (string);
  'team'?: (string);
  'limit'?: (number | string | Long);
}

/**
 * GET /admin/v1/usage's parameters, under the same names and bounds; empty (limit: 0) is the default.
 */
export interface GetUsageRequest__Output {
  /**
   * ISO 8601 times or spans back from now (15m, 24h, 7d).
   */
  'from': (string);
  'to': (string);
  /**
   * minute, hour or day.
   */
  'bucket': (string);
  /**
   * Any of model, provider, key, team, status, error_code, each once.
   */
  'group_by': (string)[];
  'model': (string);
  'provider': (string);
  'key': (string);
  'team': (string);
  'limit': (number);
}
