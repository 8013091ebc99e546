// Original file: proto/aigateway/v1/gateway.proto

import type { AnalyzeTask as _aigateway_v1_AnalyzeTask, AnalyzeTask__Output as _aigateway_v1_AnalyzeTask__Output } from '../../aigateway/v1/AnalyzeTask';

export interface AnalyzeRequest {
  /**
   * The text every task but describe_image reads.
   */
  'text'?: (string);
  /**
   * https URLs or base64 data: URLs (image/png, image/jpeg, image/gif, image/webp).
   */
  'images'?: (string)[];
  'tasks'?: (_aigateway_v1_AnalyzeTask)[];
  /**
   * An end-user id, forwarded to providers that accept one.
   */
  'user'?: (string);
  /**
   * Free-form labels recorded on every task's usage row.
   */
  'metadata'?: ({[key: string]: string});
}

export interface AnalyzeRequest__Output {
  /**
   * The text every task but describe_image reads.
   */
  'text': (string);
  /**
   * https URLs or base64 data: URLs (image/png, image/jpeg, image/gif, image/webp).
   */
  'images': (string)[];
  'tasks': (_aigateway_v1_AnalyzeTask__Output)[];
  /**
   * An end-user id, forwarded to providers that accept one.
   */
  'user': (string);
  /**
   * Free-form labels recorded on every task's usage row.
   */
  'metadata': ({[key: string]: string});
}
