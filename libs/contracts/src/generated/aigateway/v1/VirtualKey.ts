// Original file: proto/aigateway/v1/admin.proto

import type { Long } from '@grpc/proto-loader';

export interface VirtualKey {
  /**
   * vk_ and 16 hex digits: the api_key_id of the key's usage rows.
   */
  'id'?: (string);
  'name'?: (string);
  'team'?: (string);
  'models'?: (string)[];
  'rpm'?: (number | string | Long);
  'tpm'?: (number | string | Long);
  'max_concurrent'?: (number | string | Long);
  'budget_usd'?: (number | string);
  'budget_period'?: (string);
  'expires_at'?: (string);
  'metadata'?: ({[key: string]: string});
  /**
   * active or revoked.
   */
  'status'?: (string);
  'created_at'?: (string);
  'updated_at'?: (string);
  '_team'?: "team";
  '_rpm'?: "rpm";
  '_tpm'?: "tpm";
  '_max_concurrent'?: "max_concurrent";
  '_budget_usd'?: "budget_usd";
  '_budget_period'?: "budget_period";
  '_expires_at'?: "expires_at";
}

export interface VirtualKey__Output {
  /**
   * vk_ and 16 hex digits: the api_key_id of the key's usage rows.
   */
  'id': (string);
  'name': (string);
  'team'?: (string);
  'models': (string)[];
  'rpm'?: (number);
  'tpm'?: (number);
  'max_concurrent'?: (number);
  'budget_usd'?: (number);
  'budget_period'?: (string);
  'expires_at'?: (string);
  'metadata': ({[key: string]: string});
  /**
   * active or revoked.
   */
  'status': (string);
  'created_at': (string);
  'updated_at': (string);
  '_team'?: "team";
  '_rpm'?: "rpm";
  '_tpm'?: "tpm";
  '_max_concurrent'?: "max_concurrent";
  '_budget_usd'?: "budget_usd";
  '_budget_period'?: "budget_period";
  '_expires_at'?: "expires_at";
}
