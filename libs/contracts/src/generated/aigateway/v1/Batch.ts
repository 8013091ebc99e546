// Original file: proto/aigateway/v1/batch.proto

import type { RequestCounts as _aigateway_v1_RequestCounts, RequestCounts__Output as _aigateway_v1_RequestCounts__Output } from '../../aigateway/v1/RequestCounts';
import type { Long } from '@grpc/proto-loader';

export interface Batch {
  /**
   * batch_ and 24 hex digits.
   */
  'id'?: (string);
  'endpoint'?: (string);
  'input_file_id'?: (string);
  'completion_window'?: (string);
  /**
   * validating, in_progress, finalizing, completed, failed, expired, cancelling or cancelled.
   */
  'status'?: (string);
  /**
   * Set once the batch has ended: its answers, and its failed requests, in OpenAI's line format.
   */
  'output_file_id'?: (string);
  'error_file_id'?: (string);
  'request_counts'?: (_aigateway_v1_RequestCounts | null);
  'metadata'?: ({[key: string]: string});
  /**
   * Epoch seconds; each set once the batch reaches its state.
   */
  'created_at'?: (number | string | Long);
  'expires_at'?: (number | string | Long);
  'in_progress_at'?: (number | string | Long);
  'finalizing_at'?: (number | string | Long);
  'completed_at'?: (number | string | Long);
  'failed_at'?: (number | string | Long);
  'expired_at'?: (number | string | Long);
  'cancelling_at'?: (number | string | Long);
  'cancelled_at'?: (number | string | Long);
  '_output_file_id'?: "output_file_id";
  '_error_file_id'?: "error_file_id";
  '_in_progress_at'?: "in_progress_at";
  '_finalizing_at'?: "finalizing_at";
  '_completed_at'?: "completed_at";
  '_failed_at'?: "failed_at";
  '_expired_at'?: "expired_at";
  '_cancelling_at'?: "cancelling_at";
  '_cancelled_at'?: "cancelled_at";
}

export interface Batch__Output {
  /**
   * batch_ and 24 hex digits.
   */
  'id': (string);
  'endpoint': (string);
  'input_file_id': (string);
  'completion_window': (string);
  /**
   * validating, in_progress, finalizing, completed, failed, expired, cancelling or cancelled.
   */
  'status': (string);
  /**
   * Set once the batch has ended: its answers, and its failed requests, in OpenAI's line format.
   */
  'output_file_id'?: (string);
  'error_file_id'?: (string);
  'request_counts': (_aigateway_v1_RequestCounts__Output | null);
  'metadata': ({[key: string]: string});
  /**
   * Epoch seconds; each set once the batch reaches its state.
   */
  'created_at': (number);
  'expires_at': (number);
  'in_progress_at'?: (number);
  'finalizing_at'?: (number);
  'completed_at'?: (number);
  'failed_at'?: (number);
  'expired_at'?: (number);
  'cancelling_at'?: (number);
  'cancelled_at'?: (number);
  '_output_file_id'?: "output_file_id";
  '_error_file_id'?: "error_file_id";
  '_in_progress_at'?: "in_progress_at";
  '_finalizing_at'?: "finalizing_at";
  '_completed_at'?: "completed_at";
  '_failed_at'?: "failed_at";
  '_expired_at'?: "expired_at";
  '_cancelling_at'?: "cancelling_at";
  '_cancelled_at'?: "cancelled_at";
}
