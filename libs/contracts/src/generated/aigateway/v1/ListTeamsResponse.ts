// Original file: proto/aigateway/v1/admin.proto

import type { Team as _aigateway_v1_Team, Team__Output as _aigateway_v1_Team__Output } from '../../aigateway/v1/Team';

export interface ListTeamsResponse {
  'teams'?: (_aigateway_v1_Team)[];
}

export interface ListTeamsResponse__Output {
  'teams': (_aigateway_v1_Team__Output)[];
}
