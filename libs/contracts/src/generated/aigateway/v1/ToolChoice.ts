// Original file: proto/aigateway/v1/gateway.proto


export interface ToolChoice {
  /**
   * auto, none, required, or function (then function_name says which).
   */
  'mode'?: (string);
  'function_name'?: (string);
}

export interface ToolChoice__Output {
  /**
   * auto, none, required, or function (then function_name says which).
   */
  'mode': (string);
  'function_name': (string);
}
