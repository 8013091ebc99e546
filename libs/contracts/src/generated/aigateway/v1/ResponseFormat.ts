// Original file: proto/aigateway/v1/gateway.proto


export interface ResponseFormat {
  /**
   * text, json_object or json_schema.
   */
  'type'?: (string);
  'json_schema_name'?: (string);
  /**
   * The schema, as JSON text, when type = json_schema.
   */
  'json_schema'?: (string);
  'strict'?: (boolean);
  '_strict'?: "strict";
}

export interface ResponseFormat__Output {
  /**
   * text, json_object or json_schema.
   */
  'type': (string);
  'json_schema_name': (string);
  /**
   * The schema, as JSON text, when type = json_schema.
   */
  'json_schema': (string);
  'strict'?: (boolean);
  '_strict'?: "strict";
}
