// Original file: proto/aigateway/v1/admin.proto


export interface ListKeysRequest {
  /**
   * Only the keys of this team.
   */
  'team'?: (string);
  /**
   * At most this many (default and most: 1000).
   */
  'limit'?: (number);
}

export interface ListKeysRequest__Output {
  /**
   * Only the keys of this team.
   */
  'team': (string);
  /**
   * At most this many (default and most: 1000).
   */
  'limit': (number);
}
