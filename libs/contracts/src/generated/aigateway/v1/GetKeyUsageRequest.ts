// Original file: proto/aigateway/v1/admin.proto


export interface GetKeyUsageRequest {
  'id'?: (string);
  /**
   * A span back from now (30m, 24h, 7d) or an ISO 8601 time; empty: 30 days.
   */
  'since'?: (string);
}

export interface GetKeyUsageRequest__Output {
  'id': (string);
  /**
   * A span back from now (30m, 24h, 7d) or an ISO 8601 time; empty: 30 days.
   */
  'since': (string);
}
