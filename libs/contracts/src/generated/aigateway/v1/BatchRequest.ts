// Original file: proto/aigateway/v1/batch.proto


export interface BatchRequest {
  'id'?: (string);
}

export interface BatchRequest__Output {
  'id': (string);
}
