// Original file: proto/aigateway/v1/gateway.proto

import type { AnalyzeError as _aigateway_v1_AnalyzeError, AnalyzeError__Output as _aigateway_v1_AnalyzeError__Output } from '../../aigateway/v1/AnalyzeError';
import type { Usage as _aigateway_v1_Usage, Usage__Output as _aigateway_v1_Usage__Output } from '../../aigateway/v1/Usage';

export interface AnalyzeTaskResult {
  /**
   * The task's place in the request's tasks.
   */
  'index'?: (number);
  'type'?: (string);
  /**
   * ok or error.
   */
  'status'?: (string);
  'model'?: (string);
  /**
   * The task's own request id: the key of its row in usage_events.
   */
  'request_id'?: (string);
  /**
   * The task's output as JSON text (status ok): a JSON string for answer, describe_image, summarize
   * and translate; {"label","score"} for sentiment; {"flagged","categories"} for moderation; the
   * filled object for extract.
   */
  'output_json'?: (string);
  /**
   * Set when status is error.
   */
  'error'?: (_aigateway_v1_AnalyzeError | null);
  'usage'?: (_aigateway_v1_Usage | null);
  'cost_usd'?: (number | string);
  'latency_ms'?: (number | string);
}

export interface AnalyzeTaskResult__Output {
  /**
   * The task's place in the request's tasks.
   */
  'index': (number);
  'type': (string);
  /**
   * ok or error.
   */
  'status': (string);
  'model': (string);
  /**
   * The task's own request id: the key of its row in usage_events.
   */
  'request_id': (string);
  /**
   * The task's output as JSON text (status ok): a JSON string for answer, describe_image, summarize
   * and translate; {"label","score"} for sentiment; {"flagged","categories"} for moderation; the
   * filled object for extract.
   */
  'output_json': (string);
  /**
   * Set when status is error.
   */
  'error': (_aigateway_v1_AnalyzeError__Output | null);
  'usage': (_aigateway_v1_Usage__Output | null);
  'cost_usd': (number);
  'latency_ms': (number);
}
