// Original file: proto/aigateway/v1/admin.proto

import type { TeamFields as _aigateway_v1_TeamFields, TeamFields__Output as _aigateway_v1_TeamFields__Output } from '../../aigateway/v1/TeamFields';

export interface UpdateTeamRequest {
  /**
   * The team's id or name.
   */
  'id'?: (string);
  'team'?: (_aigateway_v1_TeamFields | null);
  'update_mask'?: (string)[];
}

export interface UpdateTeamRequest__Output {
  /**
   * The team's id or name.
   */
  'id': (string);
  'team': (_aigateway_v1_TeamFields__Output | null);
  'update_mask': (string)[];
}
