// Original file: proto/aigateway/v1/admin.proto

import type { KeyBudget as _aigateway_v1_KeyBudget, KeyBudget__Output as _aigateway_v1_KeyBudget__Output } from '../../aigateway/v1/KeyBudget';
import type { KeyRates as _aigateway_v1_KeyRates, KeyRates__Output as _aigateway_v1_KeyRates__Output } from '../../aigateway/v1/KeyRates';
import type { Long } from '@grpc/proto-loader';

export interface KeyUsage {
  'key_id'?: (string);
  'key_name'?: (string);
  'team'?: (string);
  'since'?: (string);
  'requests'?: (number | string | Long);
  'prompt_tokens'?: (number | string | Long);
  'completion_tokens'?: (number | string | Long);
  'cost_usd'?: (number | string);
  /**
   * Unset when the key has no budget.
   */
  'budget'?: (_aigateway_v1_KeyBudget | null);
  /**
   * Requests and tokens over the last minute.
   */
  'last_minute'?: (_aigateway_v1_KeyRates | null);
  '_team'?: "team";
}

export interface KeyUsage__Output {
  'key_id': (string);
  'key_name': (string);
  'team'?: (string);
  'since': (string);
  'requests': (number);
  'prompt_tokens': (number);
  'completion_tokens': (number);
  'cost_usd': (number);
  /**
   * Unset when the key has no budget.
   */
  'budget': (_aigateway_v1_KeyBudget__Output | null);
  /**
   * Requests and tokens over the last minute.
   */
  'last_minute': (_aigateway_v1_KeyRates__Output | null);
  '_team'?: "team";
}
