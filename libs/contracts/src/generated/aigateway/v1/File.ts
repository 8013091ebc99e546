// Original file: proto/aigateway/v1/batch.proto

import type { Long } from '@grpc/proto-loader';

export interface File {
  /**
   * file- and 24 hex digits.
   */
  'id'?: (string);
  'bytes'?: (number | string | Long);
  /**
   * Epoch seconds.
   */
  'created_at'?: (number | string | Long);
  'filename'?: (string);
  /**
   * batch (uploaded) or batch_output (a batch's output or error file).
   */
  'purpose'?: (string);
  'status'?: (string);
}

export interface File__Output {
  /**
   * file- and 24 hex digits.
   */
  'id': (string);
  'bytes': (number);
  /**
   * Epoch seconds.
   */
  'created_at': (number);
  'filename': (string);
  /**
   * batch (uploaded) or batch_output (a batch's output or error file).
   */
  'purpose': (string);
  'status': (string);
}
