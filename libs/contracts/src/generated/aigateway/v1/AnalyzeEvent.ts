// Original file: proto/aigateway/v1/gateway.proto

import type { AnalyzeTaskResult as _aigateway_v1_AnalyzeTaskResult, AnalyzeTaskResult__Output as _aigateway_v1_AnalyzeTaskResult__Output } from '../../aigateway/v1/AnalyzeTaskResult';
import type { AnalyzeResponse as _aigateway_v1_AnalyzeResponse, AnalyzeResponse__Output as _aigateway_v1_AnalyzeResponse__Output } from '../../aigateway/v1/AnalyzeResponse';

export interface AnalyzeEvent {
  /**
   * A task's result, as the task finished.
   */
  'result'?: (_aigateway_v1_AnalyzeTaskResult | null);
  /**
   * The last event: the call's id and totals, without the results already sent.
   */
  'done'?: (_aigateway_v1_AnalyzeResponse | null);
  'event'?: "result"|"done";
}

export interface AnalyzeEvent__Output {
  /**
   * A task's result, as the task finished.
   */
  'result'?: (_aigateway_v1_AnalyzeTaskResult__Output | null);
  /**
   * The last event: the call's id and totals, without the results already sent.
   */
  'done'?: (_aigateway_v1_AnalyzeResponse__Output | null);
  'event'?: "result"|"done";
}
