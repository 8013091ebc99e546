// Original file: proto/aigateway/v1/admin.proto


export interface RevokeKeyRequest {
  'id'?: (string);
}

export interface RevokeKeyRequest__Output {
  'id': (string);
}
