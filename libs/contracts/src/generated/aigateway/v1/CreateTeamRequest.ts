// Original file: proto/aigateway/v1/admin.proto

import type { TeamFields as _aigateway_v1_TeamFields, TeamFields__Output as _aigateway_v1_TeamFields__Output } from '../../aigateway/v1/TeamFields';

export interface CreateTeamRequest {
  'team'?: (_aigateway_v1_TeamFields | null);
}

export interface CreateTeamRequest__Output {
  'team': (_aigateway_v1_TeamFields__Output | null);
}
