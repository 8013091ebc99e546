// Original file: proto/aigateway/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A team's settable fields. Unset optional fields are no limit.
 */
export interface TeamFields {
  /**
   * Keys name their team by it; set at creation, never changed.
   */
  'name'?: (string);
  'rpm'?: (number | string | Long);
  'tpm'?: (number | string | Long);
  'budget_usd'?: (number | string);
  'budget_period'?: (string);
  'metadata'?: ({[key: string]: string});
  '_rpm'?: "rpm";
  '_tpm'?: "tpm";
  '_budget_usd'?: "budget_usd";
  '_budget_period'?: "budget_period";
}

/**
 * A team's settable fields. Unset optional fields are no limit.
 */
export interface TeamFields__Output {
  /**
   * Keys name their team by it; set at creation, never changed.
   */
  'name': (string);
  'rpm'?: (number);
  'tpm'?: (number);
  'budget_usd'?: (number);
  'budget_period'?: (string);
  'metadata': ({[key: string]: string});
  '_rpm'?: "rpm";
  '_tpm'?: "tpm";
  '_budget_usd'?: "budget_usd";
  '_budget_period'?: "budget_period";
}
