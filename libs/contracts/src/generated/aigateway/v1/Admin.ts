// Original file: proto/aigateway/v1/admin.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { CreateKeyRequest as _aigateway_v1_CreateKeyRequest, CreateKeyRequest__Output as _aigateway_v1_CreateKeyRequest__Output } from '../../aigateway/v1/CreateKeyRequest';
import type { CreateKeyResponse as _aigateway_v1_CreateKeyResponse, CreateKeyResponse__Output as _aigateway_v1_CreateKeyResponse__Output } from '../../aigateway/v1/CreateKeyResponse';
import type { CreateTeamRequest as _aigateway_v1_CreateTeamRequest, CreateTeamRequest__Output as _aigateway_v1_CreateTeamRequest__Output } from '../../aigateway/v1/CreateTeamRequest';
import type { GetKeyRequest as _aigateway_v1_GetKeyRequest, GetKeyRequest__Output as _aigateway_v1_GetKeyRequest__Output } from '../../aigateway/v1/GetKeyRequest';
import type { GetKeyUsageRequest as _aigateway_v1_GetKeyUsageRequest, GetKeyUsageRequest__Output as _aigateway_v1_GetKeyUsageRequest__Output } from '../../aigateway/v1/GetKeyUsageRequest';
import type { GetTeamRequest as _aigateway_v1_GetTeamRequest, GetTeamRequest__Output as _aigateway_v1_GetTeamRequest__Output } from '../../aigateway/v1/GetTeamRequest';
import type { GetUsageRequest as _aigateway_v1_GetUsageRequest, GetUsageRequest__Output as _aigateway_v1_GetUsageRequest__Output } from '../../aigateway/v1/GetUsageRequest';
import type { KeyUsage as _aigateway_v1_KeyUsage, KeyUsage__Output as _aigateway_v1_KeyUsage__Output } from '../../aigateway/v1/KeyUsage';
import type { ListKeysRequest as _aigateway_v1_ListKeysRequest, ListKeysRequest__Output as _aigateway_v1_ListKeysRequest__Output } from '../../aigateway/v1/ListKeysRequest';
import type { ListKeysResponse as _aigateway_v1_ListKeysResponse, ListKeysResponse__Output as _aigateway_v1_ListKeysResponse__Output } from '../../aigateway/v1/ListKeysResponse';
import type { ListTeamsRequest as _aigateway_v1_ListTeamsRequest, ListTeamsRequest__Output as _aigateway_v1_ListTeamsRequest__Output } from '../../aigateway/v1/ListTeamsRequest';
import type { ListTeamsResponse as _aigateway_v1_ListTeamsResponse, ListTeamsResponse__Output as _aigateway_v1_ListTeamsResponse__Output } from '../../aigateway/v1/ListTeamsResponse';
import type { RevokeKeyRequest as _aigateway_v1_RevokeKeyRequest, RevokeKeyRequest__Output as _aigateway_v1_RevokeKeyRequest__Output } from '../../aigateway/v1/RevokeKeyRequest';
import type { RevokeTeamRequest as _aigateway_v1_RevokeTeamRequest, RevokeTeamRequest__Output as _aigateway_v1_RevokeTeamRequest__Output } from '../../aigateway/v1/RevokeTeamRequest';
import type { Team as _aigateway_v1_Team, Team__Output as _aigateway_v1_Team__Output } from '../../aigateway/v1/Team';
import type { UpdateKeyRequest as _aigateway_v1_UpdateKeyRequest, UpdateKeyRequest__Output as _aigateway_v1_UpdateKeyRequest__Output } from '../../aigateway/v1/UpdateKeyRequest';
import type { UpdateTeamRequest as _aigateway_v1_UpdateTeamRequest, UpdateTeamRequest__Output as _aigateway_v1_UpdateTeamRequest__Output } from '../../aigateway/v1/UpdateTeamRequest';
import type { UsageReport as _aigateway_v1_UsageReport, UsageReport__Output as _aigateway_v1_UsageReport__Output } from '../../aigateway/v1/UsageReport';
import type { VirtualKey as _aigateway_v1_VirtualKey, VirtualKey__Output as _aigateway_v1_VirtualKey__Output } from '../../aigateway/v1/VirtualKey';

export interface AdminClient extends grpc.Client {
  /**
   * Creates a key; the answer carries its secret, this once.
   */
  CreateKey(argument: _aigateway_v1_CreateKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_CreateKeyResponse__Output>): grpc.ClientUnaryCall;
  CreateKey(argument: _aigateway_v1_CreateKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_CreateKeyResponse__Output>): grpc.ClientUnaryCall;
  CreateKey(argument: _aigateway_v1_CreateKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_CreateKeyResponse__Output>): grpc.ClientUnaryCall;
  CreateKey(argument: _aigateway_v1_CreateKeyRequest, callback: grpc.requestCallback<_aigateway_v1_CreateKeyResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Creates a key; the answer carries its secret, this once.
   */
  createKey(argument: _aigateway_v1_CreateKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_CreateKeyResponse__Output>): grpc.ClientUnaryCall;
  createKey(argument: _aigateway_v1_CreateKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_CreateKeyResponse__Output>): grpc.ClientUnaryCall;
  createKey(argument: _aigateway_v1_CreateKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_CreateKeyResponse__Output>): grpc.ClientUnaryCall;
  createKey(argument: _aigateway_v1_CreateKeyRequest, callback: grpc.requestCallback<_aigateway_v1_CreateKeyResponse__Output>): grpc.ClientUnaryCall;
  
  CreateTeam(argument: _aigateway_v1_CreateTeamRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  CreateTeam(argument: _aigateway_v1_CreateTeamRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  CreateTeam(argument: _aigateway_v1_CreateTeamRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  CreateTeam(argument: _aigateway_v1_CreateTeamRequest, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  createTeam(argument: _aigateway_v1_CreateTeamRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  createTeam(argument: _aigateway_v1_CreateTeamRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  createTeam(argument: _aigateway_v1_CreateTeamRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  createTeam(argument: _aigateway_v1_CreateTeamRequest, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  
  GetKey(argument: _aigateway_v1_GetKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_VirtualKey__Output>): grpc.ClientUnaryCall;
  GetKey(argument: _aigateway_v1_GetKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_VirtualKey__Output>): grpc.ClientUnaryCall;
  GetKey(argument: _aigateway_v1_GetKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_VirtualKey__Output>): grpc.ClientUnaryCall;
  GetKey(argument: _aigateway_v1_GetKeyRequest, callback: grpc.requestCallback<_aigateway_v1_VirtualKey__Output>): grpc.ClientUnaryCall;
  getKey(argument: _aigateway_v1_GetKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_VirtualKey__Output>): grpc.ClientUnaryCall;
  getKey(argument: _aigateway_v1_GetKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_VirtualKey__Output>): grpc.ClientUnaryCall;
  getKey(argument: _aigateway_v1_GetKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_VirtualKey__Output>): grpc.ClientUnaryCall;
  getKey(argument: _aigateway_v1_GetKeyRequest, callback: grpc.requestCallback<_aigateway_v1_VirtualKey__Output>): grpc.ClientUnaryCall;
  
  GetKeyUsage(argument: _aigateway_v1_GetKeyUsageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_KeyUsage__Output>): grpc.ClientUnaryCall;
  GetKeyUsage(argument: _aigateway_v1_GetKeyUsageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_KeyUsage__Output>): grpc.ClientUnaryCall;
  GetKeyUsage(argument: _aigateway_v1_GetKeyUsageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_KeyUsage__Output>): grpc.ClientUnaryCall;
  GetKeyUsage(argument: _aigateway_v1_GetKeyUsageRequest, callback: grpc.requestCallback<_aigateway_v1_KeyUsage__Output>): grpc.ClientUnaryCall;
  getKeyUsage(argument: _aigateway_v1_GetKeyUsageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_KeyUsage__Output>): grpc.ClientUnaryCall;
  getKeyUsage(argument: _aigateway_v1_GetKeyUsageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_KeyUsage__Output>): grpc.ClientUnaryCall;
  getKeyUsage(argument: _aigateway_v1_GetKeyUsageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_KeyUsage__Output>): grpc.ClientUnaryCall;
  getKeyUsage(argument: _aigateway_v1_GetKeyUsageRequest, callback: grpc.requestCallback<_aigateway_v1_KeyUsage__Output>): grpc.ClientUnaryCall;
  
  GetTeam(argument: _aigateway_v1_GetTeamRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  GetTeam(argument: _aigateway_v1_GetTeamRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  GetTeam(argument: _aigateway_v1_GetTeamRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  GetTeam(argument: _aigateway_v1_GetTeamRequest, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  getTeam(argument: _aigateway_v1_GetTeamRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  getTeam(argument: _aigateway_v1_GetTeamRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  getTeam(argument: _aigateway_v1_GetTeamRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  getTeam(argument: _aigateway_v1_GetTeamRequest, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  
  /**
   * Usage totals, groups and a time series of a range of usage rows: GET /admin/v1/usage (docs/dashboard.md).
   */
  GetUsage(argument: _aigateway_v1_GetUsageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_UsageReport__Output>): grpc.ClientUnaryCall;
  GetUsage(argument: _aigateway_v1_GetUsageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_UsageReport__Output>): grpc.ClientUnaryCall;
  GetUsage(argument: _aigateway_v1_GetUsageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_UsageReport__Output>): grpc.ClientUnaryCall;
  GetUsage(argument: _aigateway_v1_GetUsageRequest, callback: grpc.requestCallback<_aigateway_v1_UsageReport__Output>): grpc.ClientUnaryCall;
  /**
   * Usage totals, groups and a time series of a range of usage rows: GET /admin/v1/usage (docs/dashboard.md).
   */
  getUsage(argument: _aigateway_v1_GetUsageRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_UsageReport__Output>): grpc.ClientUnaryCall;
  getUsage(argument: _aigateway_v1_GetUsageRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_UsageReport__Output>): grpc.ClientUnaryCall;
  getUsage(argument: _aigateway_v1_GetUsageRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_UsageReport__Output>): grpc.ClientUnaryCall;
  getUsage(argument: _aigateway_v1_GetUsageRequest, callback: grpc.requestCallback<_aigateway_v1_UsageReport__Output>): grpc.ClientUnaryCall;
  
  ListKeys(argument: _aigateway_v1_ListKeysRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ListKeysResponse__Output>): grpc.ClientUnaryCall;
  ListKeys(argument: _aigateway_v1_ListKeysRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_ListKeysResponse__Output>): grpc.ClientUnaryCall;
  ListKeys(argument: _aigateway_v1_ListKeysRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ListKeysResponse__Output>): grpc.ClientUnaryCall;
  ListKeys(argument: _aigateway_v1_ListKeysRequest, callback: grpc.requestCallback<_aigateway_v1_ListKeysResponse__Output>): grpc.ClientUnaryCall;
  listKeys(argument: _aigateway_v1_ListKeysRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ListKeysResponse__Output>): grpc.ClientUnaryCall;
  listKeys(argument: _aigateway_v1_ListKeysRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_ListKeysResponse__Output>): grpc.ClientUnaryCall;
  listKeys(argument: _aigateway_v1_ListKeysRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ListKeysResponse__Output>): grpc.ClientUnaryCall;
  listKeys(argument: _aigateway_v1_ListKeysRequest, callback: grpc.requestCallback<_aigateway_v1_ListKeysResponse__Output>): grpc.ClientUnaryCall;
  
  ListTeams(argument: _aigateway_v1_ListTeamsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ListTeamsResponse__Output>): grpc.ClientUnaryCall;
  ListTeams(argument: _aigateway_v1_ListTeamsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_ListTeamsResponse__Output>): grpc.ClientUnaryCall;
  ListTeams(argument: _aigateway_v1_ListTeamsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ListTeamsResponse__Output>): grpc.ClientUnaryCall;
  ListTeams(argument: _aigateway_v1_ListTeamsRequest, callback: grpc.requestCallback<_aigateway_v1_ListTeamsResponse__Output>): grpc.ClientUnaryCall;
  listTeams(argument: _aigateway_v1_ListTeamsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ListTeamsResponse__Output>): grpc.ClientUnaryCall;
  listTeams(argument: _aigateway_v1_ListTeamsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_ListTeamsResponse__Output>): grpc.ClientUnaryCall;
  listTeams(argument: _aigateway_v1_ListTeamsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ListTeamsResponse__Output>): grpc.ClientUnaryCall;
  listTeams(argument: _aigateway_v1_ListTeamsRequest, callback: grpc.requestCallback<_aigateway_v1_ListTeamsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Revokes a key for good; every gateway instance refuses it within a second.
   */
  RevokeKey(argument: _aigateway_v1_RevokeKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_VirtualKey__Output>): grpc.ClientUnaryCall;
  RevokeKey(argument: _aigateway_v1_RevokeKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_VirtualKey__Output>): grpc.ClientUnaryCall;
  RevokeKey(argument: _aigateway_v1_RevokeKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_VirtualKey__Output>): grpc.ClientUnaryCall;
  RevokeKey(argument: _aigateway_v1_RevokeKeyRequest, callback: grpc.requestCallback<_aigateway_v1_VirtualKey__Output>): grpc.ClientUnaryCall;
  /**
   * Revokes a key for good; every gateway instance refuses it within a second.
   */
  revokeKey(argument: _aigateway_v1_RevokeKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_VirtualKey__Output>): grpc.ClientUnaryCall;
  revokeKey(argument: _aigateway_v1_RevokeKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_VirtualKey__Output>): grpc.ClientUnaryCall;
  revokeKey(argument: _aigateway_v1_RevokeKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_VirtualKey__Output>): grpc.ClientUnaryCall;
  revokeKey(argument: _aigateway_v1_RevokeKeyRequest, callback: grpc.requestCallback<_aigateway_v1_VirtualKey__Output>): grpc.ClientUnaryCall;
  
  /**
   * Revokes a team for good: its keys are refused.
   */
  RevokeTeam(argument: _aigateway_v1_RevokeTeamRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  RevokeTeam(argument: _aigateway_v1_RevokeTeamRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  RevokeTeam(argument: _aigateway_v1_RevokeTeamRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  RevokeTeam(argument: _aigateway_v1_RevokeTeamRequest, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  /**
   * Revokes a team for good: its keys are refused.
   */
  revokeTeam(argument: _aigateway_v1_RevokeTeamRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  revokeTeam(argument: _aigateway_v1_RevokeTeamRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  revokeTeam(argument: _aigateway_v1_RevokeTeamRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  revokeTeam(argument: _aigateway_v1_RevokeTeamRequest, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  
  /**
   * Changes the fields named in update_mask.
   */
  UpdateKey(argument: _aigateway_v1_UpdateKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_VirtualKey__Output>): grpc.ClientUnaryCall;
  UpdateKey(argument: _aigateway_v1_UpdateKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_VirtualKey__Output>): grpc.ClientUnaryCall;
  UpdateKey(argument: _aigateway_v1_UpdateKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_VirtualKey__Output>): grpc.ClientUnaryCall;
  UpdateKey(argument: _aigateway_v1_UpdateKeyRequest, callback: grpc.requestCallback<_aigateway_v1_VirtualKey__Output>): grpc.ClientUnaryCall;
  /**
   * Changes the fields named in update_mask.
   */
  updateKey(argument: _aigateway_v1_UpdateKeyRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_VirtualKey__Output>): grpc.ClientUnaryCall;
  updateKey(argument: _aigateway_v1_UpdateKeyRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_VirtualKey__Output>): grpc.ClientUnaryCall;
  updateKey(argument: _aigateway_v1_UpdateKeyRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_VirtualKey__Output>): grpc.ClientUnaryCall;
  updateKey(argument: _aigateway_v1_UpdateKeyRequest, callback: grpc.requestCallback<_aigateway_v1_VirtualKey__Output>): grpc.ClientUnaryCall;
  
  UpdateTeam(argument: _aigateway_v1_UpdateTeamRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  UpdateTeam(argument: _aigateway_v1_UpdateTeamRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  UpdateTeam(argument: _aigateway_v1_UpdateTeamRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  UpdateTeam(argument: _aigateway_v1_UpdateTeamRequest, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  updateTeam(argument: _aigateway_v1_UpdateTeamRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  updateTeam(argument: _aigateway_v1_UpdateTeamRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  updateTeam(argument: _aigateway_v1_UpdateTeamRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  updateTeam(argument: _aigateway_v1_UpdateTeamRequest, callback: grpc.requestCallback<_aigateway_v1_Team__Output>): grpc.ClientUnaryCall;
  
}

export interface AdminHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Creates a key; the answer carries its secret, this once.
   */
  CreateKey: grpc.handleUnaryCall<_aigateway_v1_CreateKeyRequest__Output, _aigateway_v1_CreateKeyResponse>;
  
  CreateTeam: grpc.handleUnaryCall<_aigateway_v1_CreateTeamRequest__Output, _aigateway_v1_Team>;
  
  GetKey: grpc.handleUnaryCall<_aigateway_v1_GetKeyRequest__Output, _aigateway_v1_VirtualKey>;
  
  GetKeyUsage: grpc.handleUnaryCall<_aigateway_v1_GetKeyUsageRequest__Output, _aigateway_v1_KeyUsage>;
  
  GetTeam: grpc.handleUnaryCall<_aigateway_v1_GetTeamRequest__Output, _aigateway_v1_Team>;
  
  /**
   * Usage totals, groups and a time series of a range of usage rows: GET /admin/v1/usage (docs/dashboard.md).
   */
  GetUsage: grpc.handleUnaryCall<_aigateway_v1_GetUsageRequest__Output, _aigateway_v1_UsageReport>;
  
  ListKeys: grpc.handleUnaryCall<_aigateway_v1_ListKeysRequest__Output, _aigateway_v1_ListKeysResponse>;
  
  ListTeams: grpc.handleUnaryCall<_aigateway_v1_ListTeamsRequest__Output, _aigateway_v1_ListTeamsResponse>;
  
  /**
   * Revokes a key for good; every gateway instance refuses it within a second.
   */
  RevokeKey: grpc.handleUnaryCall<_aigateway_v1_RevokeKeyRequest__Output, _aigateway_v1_VirtualKey>;
  
  /**
   * Revokes a team for good: its keys are refused.
   */
  RevokeTeam: grpc.handleUnaryCall<_aigateway_v1_RevokeTeamRequest__Output, _aigateway_v1_Team>;
  
  /**
   * Changes the fields named in update_mask.
   */
  UpdateKey: grpc.handleUnaryCall<_aigateway_v1_UpdateKeyRequest__Output, _aigateway_v1_VirtualKey>;
  
  UpdateTeam: grpc.handleUnaryCall<_aigateway_v1_UpdateTeamRequest__Output, _aigateway_v1_Team>;
  
}

export interface AdminDefinition extends grpc.ServiceDefinition {
  CreateKey: MethodDefinition<_aigateway_v1_CreateKeyRequest, _aigateway_v1_CreateKeyResponse, _aigateway_v1_CreateKeyRequest__Output, _aigateway_v1_CreateKeyResponse__Output>
  CreateTeam: MethodDefinition<_aigateway_v1_CreateTeamRequest, _aigateway_v1_Team, _aigateway_v1_CreateTeamRequest__Output, _aigateway_v1_Team__Output>
  GetKey: MethodDefinition<_aigateway_v1_GetKeyRequest, _aigateway_v1_VirtualKey, _aigateway_v1_GetKeyRequest__Output, _aigateway_v1_VirtualKey__Output>
  GetKeyUsage: MethodDefinition<_aigateway_v1_GetKeyUsageRequest, _aigateway_v1_KeyUsage, _aigateway_v1_GetKeyUsageRequest__Output, _aigateway_v1_KeyUsage__Output>
  GetTeam: MethodDefinition<_aigateway_v1_GetTeamRequest, _aigateway_v1_Team, _aigateway_v1_GetTeamRequest__Output, _aigateway_v1_Team__Output>
  GetUsage: MethodDefinition<_aigateway_v1_GetUsageRequest, _aigateway_v1_UsageReport, _aigateway_v1_GetUsageRequest__Output, _aigateway_v1_UsageReport__Output>
  ListKeys: MethodDefinition<_aigateway_v1_ListKeysRequest, _aigateway_v1_ListKeysResponse, _aigateway_v1_ListKeysRequest__Output, _aigateway_v1_ListKeysResponse__Output>
  ListTeams: MethodDefinition<_aigateway_v1_ListTeamsRequest, _aigateway_v1_ListTeamsResponse, _aigateway_v1_ListTeamsRequest__Output, _aigateway_v1_ListTeamsResponse__Output>
  RevokeKey: MethodDefinition<_aigateway_v1_RevokeKeyRequest, _aigateway_v1_VirtualKey, _aigateway_v1_RevokeKeyRequest__Output, _aigateway_v1_VirtualKey__Output>
  RevokeTeam: MethodDefinition<_aigateway_v1_RevokeTeamRequest, _aigateway_v1_Team, _aigateway_v1_RevokeTeamRequest__Output, _aigateway_v1_Team__Output>
  UpdateKey: MethodDefinition<_aigateway_v1_UpdateKeyRequest, _aigateway_v1_VirtualKey, _aigateway_v1_UpdateKeyRequest__Output, _aigateway_v1_VirtualKey__Output>
  UpdateTeam: MethodDefinition<_aigateway_v1_UpdateTeamRequest, _aigateway_v1_Team, _aigateway_v1_UpdateTeamRequest__Output, _aigateway_v1_Team__Output>
}
