// Original file: proto/aigateway/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A key's settable fields. Unset optional fields are no limit.
 */
export interface KeyFields {
  'name'?: (string);
  /**
   * The team whose limits also bound the key; it must exist.
   */
  'team'?: (string);
  /**
   * Model names or globs (*, ?) the key may use; empty: every model.
   */
  'models'?: (string)[];
  'rpm'?: (number | string | Long);
  'tpm'?: (number | string | Long);
  'max_concurrent'?: (number | string | Long);
  'budget_usd'?: (number | string);
  /**
   * day, week, month or total; set exactly when budget_usd is.
   */
  'budget_period'?: (string);
  /**
   * ISO 8601 time after which the key is refused.
   */
  'expires_at'?: (string);
  'metadata'?: ({[key: string]: string});
  '_team'?: "team";
  '_rpm'?: "rpm";
  '_tpm'?: "tpm";
  '_max_concurrent'?: "max_concurrent";
  '_budget_usd'?: "budget_usd";
  '_budget_period'?: "budget_period";
  '_expires_at'?: "expires_at";
}

/**
 * A key's settable fields. Unset optional fields are no limit.
 */
export interface KeyFields__Output {
  'name': (string);
  /**
   * The team whose limits also bound the key; it must exist.
   */
  'team'?: (string);
  /**
   * Model names or globs (*, ?) the key may use; empty: every model.
   */
  'models': (string)[];
  'rpm'?: (number);
  'tpm'?: (number);
  'max_concurrent'?: (number);
  'budget_usd'?: (number);
  /**
   * day, week, month or total; set exactly when budget_usd is.
   */
  'budget_period'?: (string);
  /**
   * ISO 8601 time after which the key is refused.
   */
  'expires_at'?: (string);
  'metadata': ({[key: string]: string});
  '_team'?: "team";
  '_rpm'?: "rpm";
  '_tpm'?: "tpm";
  '_max_concurrent'?: "max_concurrent";
  '_budget_usd'?: "budget_usd";
  '_budget_period'?: "budget_period";
  '_expires_at'?: "expires_at";
}
