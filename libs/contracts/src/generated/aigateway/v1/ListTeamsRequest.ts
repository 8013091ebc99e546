// Original file: proto/aigateway/v1/admin.proto


export interface ListTeamsRequest {
  'limit'?: (number);
}

export interface ListTeamsRequest__Output {
  'limit': (number);
}
