import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AdminClient as _aigateway_v1_AdminClient, AdminDefinition as _aigateway_v1_AdminDefinition } from './aigateway/v1/Admin';
import type { CreateKeyRequest as _aigateway_v1_CreateKeyRequest, CreateKeyRequest__Output as _aigateway_v1_CreateKeyRequest__Output } from './aigateway/v1/CreateKeyRequest';
import type { CreateKeyResponse as _aigateway_v1_CreateKeyResponse, CreateKeyResponse__Output as _aigateway_v1_CreateKeyResponse__Output } from './aigateway/v1/CreateKeyResponse';
import type { CreateTeamRequest as _aigateway_v1_CreateTeamRequest, CreateTeamRequest__Output as _aigateway_v1_CreateTeamRequest__Output } from './aigateway/v1/CreateTeamRequest';
import type { GetKeyRequest as _aigateway_v1_GetKeyRequest, GetKeyRequest__Output as _aigateway_v1_GetKeyRequest__Output } from './aigateway/v1/GetKeyRequest';
import type { GetKeyUsageRequest as _aigateway_v1_GetKeyUsageRequest, GetKeyUsageRequest__Output as _aigateway_v1_GetKeyUsageRequest__Output } from './aigateway/v1/GetKeyUsageRequest';
import type { GetTeamRequest as _aigateway_v1_GetTeamRequest, GetTeamRequest__Output as _aigateway_v1_GetTeamRequest__Output } from './aigateway/v1/GetTeamRequest';
import type { GetUsageRequest as _aigateway_v1_GetUsageRequest, GetUsageRequest__Output as _aigateway_v1_GetUsageRequest__Output } from './aigateway/v1/GetUsageRequest';
import type { KeyBudget as _aigateway_v1_KeyBudget, KeyBudget__Output as _aigateway_v1_KeyBudget__Output } from './aigateway/v1/KeyBudget';
import type { KeyFields as _aigateway_v1_KeyFields, KeyFields__Output as _aigateway_v1_KeyFields__Output } from './aigateway/v1/KeyFields';
import type { KeyRates as _aigateway_v1_KeyRates, KeyRates__Output as _aigateway_v1_KeyRates__Output } from './aigateway/v1/KeyRates';
import type { KeyUsage as _aigateway_v1_KeyUsage, KeyUsage__Output as _aigateway_v1_KeyUsage__Output } from './aigateway/v1/KeyUsage';
import type { ListKeysRequest as _aigateway_v1_ListKeysRequest, ListKeysRequest__Output as _aigateway_v1_ListKeysRequest__Output } from './aigateway/v1/ListKeysRequest';
import type { ListKeysResponse as _aigateway_v1_ListKeysResponse, ListKeysResponse__Output as _aigateway_v1_ListKeysResponse__Output } from './aigateway/v1/ListKeysResponse';
import type { ListTeamsRequest as _aigateway_v1_ListTeamsRequest, ListTeamsRequest__Output as _aigateway_v1_ListTeamsRequest__Output } from './aigateway/v1/ListTeamsRequest';
import type { ListTeamsResponse as _aigateway_v1_ListTeamsResponse, ListTeamsResponse__Output as _aigateway_v1_ListTeamsResponse__Output } from './aigateway/v1/ListTeamsResponse';
import type { RevokeKeyRequest as _aigateway_v1_RevokeKeyRequest, RevokeKeyRequest__Output as _aigateway_v1_RevokeKeyRequest__Output } from './aigateway/v1/RevokeKeyRequest';
import type { RevokeTeamRequest as _aigateway_v1_RevokeTeamRequest, RevokeTeamRequest__Output as _aigateway_v1_RevokeTeamRequest__Output } from './aigateway/v1/RevokeTeamRequest';
import type { Team as _aigateway_v1_Team, Team__Output as _aigateway_v1_Team__Output } from './aigateway/v1/Team';
import type { TeamFields as _aigateway_v1_TeamFields, TeamFields__Output as _aigateway_v1_TeamFields__Output } from './aigateway/v1/TeamFields';
import type { UpdateKeyRequest as _aigateway_v1_UpdateKeyRequest, UpdateKeyRequest__Output as _aigateway_v1_UpdateKeyRequest__Output } from './aigateway/v1/UpdateKeyRequest';
import type { UpdateTeamRequest as _aigateway_v1_UpdateTeamRequest, UpdateTeamRequest__Output as _aigateway_v1_UpdateTeamRequest__Output } from './aigateway/v1/UpdateTeamRequest';
import type { UsageFigures as _aigateway_v1_UsageFigures, UsageFigures__Output as _aigateway_v1_UsageFigures__Output } from './aigateway/v1/UsageFigures';
import type { UsageGroup as _aigateway_v1_UsageGroup, UsageGroup__Output as _aigateway_v1_UsageGroup__Output } from './aigateway/v1/UsageGroup';
import type { UsageLatency as _aigateway_v1_UsageLatency, UsageLatency__Output as _aigateway_v1_UsageLatency__Output } from './aigateway/v1/UsageLatency';
import type { UsagePoint as _aigateway_v1_UsagePoint, UsagePoint__Output as _aigateway_v1_UsagePoint__Output } from './aigateway/v1/UsagePoint';
import type { UsageReport as _aigateway_v1_UsageReport, UsageReport__Output as _aigateway_v1_UsageReport__Output } from './aigateway/v1/UsageReport';
import type { VirtualKey as _aigateway_v1_VirtualKey, VirtualKey__Output as _aigateway_v1_VirtualKey__Output } from './aigateway/v1/VirtualKey';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  aigateway: {
    v1: {
      Admin: SubtypeConstructor<typeof grpc.Client, _aigateway_v1_AdminClient> & { service: _aigateway_v1_AdminDefinition }
      CreateKeyRequest: MessageTypeDefinition<_aigateway_v1_CreateKeyRequest, _aigateway_v1_CreateKeyRequest__Output>
      CreateKeyResponse: MessageTypeDefinition<_aigateway_v1_CreateKeyResponse, _aigateway_v1_CreateKeyResponse__Output>
      CreateTeamRequest: MessageTypeDefinition<_aigateway_v1_CreateTeamRequest, _aigateway_v1_CreateTeamRequest__Output>
      GetKeyRequest: MessageTypeDefinition<_aigateway_v1_GetKeyRequest, _aigateway_v1_GetKeyRequest__Output>
      GetKeyUsageRequest: MessageTypeDefinition<_aigateway_v1_GetKeyUsageRequest, _aigateway_v1_GetKeyUsageRequest__Output>
      GetTeamRequest: MessageTypeDefinition<_aigateway_v1_GetTeamRequest, _aigateway_v1_GetTeamRequest__Output>
      GetUsageRequest: MessageTypeDefinition<_aigateway_v1_GetUsageRequest, _aigateway_v1_GetUsageRequest__Output>
      KeyBudget: MessageTypeDefinition<_aigateway_v1_KeyBudget, _aigateway_v1_KeyBudget__Output>
      KeyFields: MessageTypeDefinition<_aigateway_v1_KeyFields, _aigateway_v1_KeyFields__Output>
      KeyRates: MessageTypeDefinition<_aigateway_v1_KeyRates, _aigateway_v1_KeyRates__Output>
      KeyUsage: MessageTypeDefinition<_aigateway_v1_KeyUsage, _aigateway_v1_KeyUsage__Output>
      ListKeysRequest: MessageTypeDefinition<_aigateway_v1_ListKeysRequest, _aigateway_v1_ListKeysRequest__Output>
      ListKeysResponse: MessageTypeDefinition<_aigateway_v1_ListKeysResponse, _aigateway_v1_ListKeysResponse__Output>
      ListTeamsRequest: MessageTypeDefinition<_aigateway_v1_ListTeamsRequest, _aigateway_v1_ListTeamsRequest__Output>
      ListTeamsResponse: MessageTypeDefinition<_aigateway_v1_ListTeamsResponse, _aigateway_v1_ListTeamsResponse__Output>
      RevokeKeyRequest: MessageTypeDefinition<_aigateway_v1_RevokeKeyRequest, _aigateway_v1_RevokeKeyRequest__Output>
      RevokeTeamRequest: MessageTypeDefinition<_aigateway_v1_RevokeTeamRequest, _aigateway_v1_RevokeTeamRequest__Output>
      Team: MessageTypeDefinition<_aigateway_v1_Team, _aigateway_v1_Team__Output>
      TeamFields: MessageTypeDefinition<_aigateway_v1_TeamFields, _aigateway_v1_TeamFields__Output>
      UpdateKeyRequest: MessageTypeDefinition<_aigateway_v1_UpdateKeyRequest, _aigateway_v1_UpdateKeyRequest__Output>
      UpdateTeamRequest: MessageTypeDefinition<_aigateway_v1_UpdateTeamRequest, _aigateway_v1_UpdateTeamRequest__Output>
      UsageFigures: MessageTypeDefinition<_aigateway_v1_UsageFigures, _aigateway_v1_UsageFigures__Output>
      UsageGroup: MessageTypeDefinition<_aigateway_v1_UsageGroup, _aigateway_v1_UsageGroup__Output>
      UsageLatency: MessageTypeDefinition<_aigateway_v1_UsageLatency, _aigateway_v1_UsageLatency__Output>
      UsagePoint: MessageTypeDefinition<_aigateway_v1_UsagePoint, _aigateway_v1_UsagePoint__Output>
      UsageReport: MessageTypeDefinition<_aigateway_v1_UsageReport, _aigateway_v1_UsageReport__Output>
      VirtualKey: MessageTypeDefinition<_aigateway_v1_VirtualKey, _aigateway_v1_VirtualKey__Output>
    }
  }
}

