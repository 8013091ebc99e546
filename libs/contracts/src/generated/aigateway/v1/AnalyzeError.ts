// Original file: proto/aigateway/v1/gateway.proto


export interface AnalyzeError {
  /**
   * The gateway's error code (docs/errors.md).
   */
  'code'?: (string);
  'message'?: (string);
}

export interface AnalyzeError__Output {
  /**
   * The gateway's error code (docs/errors.md).
   */
  'code': (string);
  'message': (string);
}
