// Original file: proto/aigateway/v1/gateway.proto


export interface AnalyzeTask {
  /**
   * One of: answer, describe_image, sentiment, moderation, summarize, translate, extract.
   */
  'type'?: (string);
  /**
   * A model name from the gateway's configuration; empty: the task type's configured default.
   */
  'model'?: (string);
  /**
   * translate: the language to translate into.
   */
  'target_language'?: (string);
  /**
   * extract: the JSON Schema to fill, as JSON text.
   */
  'schema'?: (string);
}

export interface AnalyzeTask__Output {
  /**
   * One of: answer, describe_image, sentiment, moderation, summarize, translate, extract.
   */
  'type': (string);
  /**
   * A model name from the gateway's configuration; empty: the task type's configured default.
   */
  'model': (string);
  /**
   * translate: the language to translate into.
   */
  'target_language': (string);
  /**
   * extract: the JSON Schema to fill, as JSON text.
   */
  'schema': (string);
}
