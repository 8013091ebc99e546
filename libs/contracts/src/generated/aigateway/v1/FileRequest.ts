// Original file: proto/aigateway/v1/batch.proto


export interface FileRequest {
  'id'?: (string);
}

export interface FileRequest__Output {
  'id': (string);
}
