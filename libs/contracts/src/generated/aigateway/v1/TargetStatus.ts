// Original file: proto/aigateway/v1/gateway.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A route's target and its circuit breaker, as the provider-workers last reported it.
 */
export interface TargetStatus {
  /**
   * <provider block>/<upstream model>
   */
  'target'?: (string);
  /**
   * closed: calls go out; open: no calls until open_until; half_open: one probe is out, or due.
   */
  'state'?: (string);
  /**
   * Epoch milliseconds the state began; 0 for a breaker never opened.
   */
  'since'?: (number | string | Long);
  /**
   * open: epoch milliseconds until which the target gets no call; half_open: until which the probe holds it.
   */
  'open_until'?: (number | string | Long);
  /**
   * The failures in a row counted when the state began.
   */
  'failures'?: (number);
}

/**
 * A route's target and its circuit breaker, as the provider-workers last reported it.
 */
export interface TargetStatus__Output {
  /**
   * <provider block>/<upstream model>
   */
  'target': (string);
  /**
   * closed: calls go out; open: no calls until open_until; half_open: one probe is out, or due.
   */
  'state': (string);
  /**
   * Epoch milliseconds the state began; 0 for a breaker never opened.
   */
  'since': (number);
  /**
   * open: epoch milliseconds until which the target gets no call; half_open: until which the probe holds it.
   */
  'open_until': (number);
  /**
   * The failures in a row counted when the state began.
   */
  'failures': (number);
}
