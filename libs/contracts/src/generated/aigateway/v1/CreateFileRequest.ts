// Original file: proto/aigateway/v1/batch.proto


export interface CreateFileRequest {
  /**
   * "batch".
   */
  'purpose'?: (string);
  'filename'?: (string);
  /**
   * The JSONL: one {custom_id, method, url, body} request a line.
   */
  'content'?: (Buffer | Uint8Array | string);
}

export interface CreateFileRequest__Output {
  /**
   * "batch".
   */
  'purpose': (string);
  'filename': (string);
  /**
   * The JSONL: one {custom_id, method, url, body} request a line.
   */
  'content': (Buffer);
}
