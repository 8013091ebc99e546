// Original file: proto/aigateway/v1/admin.proto


/**
 * Latency percentiles in milliseconds; unset where there are no rows.
 */
export interface UsageLatency {
  'p50'?: (number | string);
  'p95'?: (number | string);
  'p99'?: (number | string);
  '_p50'?: "p50";
  '_p95'?: "p95";
  '_p99'?: "p99";
}

/**
 * Latency percentiles in milliseconds; unset where there are no rows.
 */
export interface UsageLatency__Output {
  'p50'?: (number);
  'p95'?: (number);
  'p99'?: (number);
  '_p50'?: "p50";
  '_p95'?: "p95";
  '_p99'?: "p99";
}
