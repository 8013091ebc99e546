// Original file: proto/aigateway/v1/admin.proto


export interface RevokeTeamRequest {
  'id'?: (string);
}

export interface RevokeTeamRequest__Output {
  'id': (string);
}
