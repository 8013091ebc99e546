// Original file: proto/aigateway/v1/admin.proto

import type { UsageLatency as _aigateway_v1_UsageLatency, UsageLatency__Output as _aigateway_v1_UsageLatency__Output } from '../../aigateway/v1/UsageLatency';
import type { Long } from '@grpc/proto-loader';

export interface UsageFigures {
  'requests'?: (number | string | Long);
  /**
   * Rows with status error.
   */
  'errors'?: (number | string | Long);
  'prompt_tokens'?: (number | string | Long);
  'completion_tokens'?: (number | string | Long);
  'cached_prompt_tokens'?: (number | string | Long);
  'cost_usd'?: (number | string);
  'latency_ms'?: (_aigateway_v1_UsageLatency | null);
}

export interface UsageFigures__Output {
  'requests': (number);
  /**
   * Rows with status error.
   */
  'errors': (number);
  'prompt_tokens': (number);
  'completion_tokens': (number);
  'cached_prompt_tokens': (number);
  'cost_usd': (number);
  'latency_ms': (_aigateway_v1_UsageLatency__Output | null);
}
