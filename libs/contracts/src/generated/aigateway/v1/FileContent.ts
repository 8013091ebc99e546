// Original file: proto/aigateway/v1/batch.proto


export interface FileContent {
  'id'?: (string);
  'content'?: (Buffer | Uint8Array | string);
}

export interface FileContent__Output {
  'id': (string);
  'content': (Buffer);
}
