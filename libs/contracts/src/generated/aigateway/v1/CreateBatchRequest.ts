// Original file: proto/aigateway/v1/batch.proto


export interface CreateBatchRequest {
  'input_file_id'?: (string);
  /**
   * v1/chat/completions or /v1/embeddings.
   */
  'endpoint'?: (string);
  /**
   * 24h.
   */
  'completion_window'?: (string);
  'metadata'?: ({[key: string]: string});
}

export interface CreateBatchRequest__Output {
  'input_file_id': (string);
  /**
   * v1/chat/completions or /v1/embeddings.
   */
  'endpoint': (string);
  /**
   * 24h.
   */
  'completion_window': (string);
  'metadata': ({[key: string]: string});
}
