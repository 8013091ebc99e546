// Original file: proto/aigateway/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface Team {
  /**
   * team_ and 16 hex digits.
   */
  'id'?: (string);
  'name'?: (string);
  'rpm'?: (number | string | Long);
  'tpm'?: (number | string | Long);
  'budget_usd'?: (number | string);
  'budget_period'?: (string);
  'metadata'?: ({[key: string]: string});
  'status'?: (string);
  'created_at'?: (string);
  'updated_at'?: (string);
  '_rpm'?: "rpm";
  '_tpm'?: "tpm";
  '_budget_usd'?: "budget_usd";
  '_budget_period'?: "budget_period";
}

export interface Team__Output {
  /**
   * team_ and 16 hex digits.
   */
  'id': (string);
  'name': (string);
  'rpm'?: (number);
  'tpm'?: (number);
  'budget_usd'?: (number);
  'budget_period'?: (string);
  'metadata': ({[key: string]: string});
  'status': (string);
  'created_at': (string);
  'updated_at': (string);
  '_rpm'?: "rpm";
  '_tpm'?: "tpm";
  '_budget_usd'?: "budget_usd";
  '_budget_period'?: "budget_period";
}
