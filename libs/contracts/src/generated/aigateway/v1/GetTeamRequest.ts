// Original file: proto/aigateway/v1/admin.proto


export interface GetTeamRequest {
  /**
   * The team's id or name.
   */
  'id'?: (string);
}

export interface GetTeamRequest__Output {
  /**
   * The team's id or name.
   */
  'id': (string);
}
