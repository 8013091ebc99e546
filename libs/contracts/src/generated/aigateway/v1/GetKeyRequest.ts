// Original file: proto/aigateway/v1/admin.proto


export interface GetKeyRequest {
  'id'?: (string);
}

export interface GetKeyRequest__Output {
  'id': (string);
}
