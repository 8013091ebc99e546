// Original file: proto/aigateway/v1/gateway.proto


export interface FunctionDefinition {
  'name'?: (string);
  'description'?: (string);
  /**
   * JSON Schema of the arguments, as JSON text.
   */
  'parameters_json'?: (string);
  'strict'?: (boolean);
  '_strict'?: "strict";
}

export interface FunctionDefinition__Output {
  'name': (string);
  'description': (string);
  /**
   * JSON Schema of the arguments, as JSON text.
   */
  'parameters_json': (string);
  'strict'?: (boolean);
  '_strict'?: "strict";
}
