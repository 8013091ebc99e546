// Original file: proto/aigateway/v1/gateway.proto

import type { AnalyzeTaskResult as _aigateway_v1_AnalyzeTaskResult, AnalyzeTaskResult__Output as _aigateway_v1_AnalyzeTaskResult__Output } from '../../aigateway/v1/AnalyzeTaskResult';
import type { Usage as _aigateway_v1_Usage, Usage__Output as _aigateway_v1_Usage__Output } from '../../aigateway/v1/Usage';

export interface AnalyzeResponse {
  /**
   * The Analyze call's id: every task's usage row carries it as analyze_id.
   */
  'id'?: (string);
  /**
   * In the order of the request's tasks.
   */
  'results'?: (_aigateway_v1_AnalyzeTaskResult)[];
  /**
   * The tasks' usage, summed.
   */
  'usage'?: (_aigateway_v1_Usage | null);
  'cost_usd'?: (number | string);
  'latency_ms'?: (number | string);
}

export interface AnalyzeResponse__Output {
  /**
   * The Analyze call's id: every task's usage row carries it as analyze_id.
   */
  'id': (string);
  /**
   * In the order of the request's tasks.
   */
  'results': (_aigateway_v1_AnalyzeTaskResult__Output)[];
  /**
   * The tasks' usage, summed.
   */
  'usage': (_aigateway_v1_Usage__Output | null);
  'cost_usd': (number);
  'latency_ms': (number);
}
