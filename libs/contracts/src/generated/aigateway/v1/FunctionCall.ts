// Original file: proto/aigateway/v1/gateway.proto


export interface FunctionCall {
  'name'?: (string);
  /**
   * The arguments as JSON text, exactly as the model produced them.
   */
  'arguments'?: (string);
}

export interface FunctionCall__Output {
  'name': (string);
  /**
   * The arguments as JSON text, exactly as the model produced them.
   */
  'arguments': (string);
}
