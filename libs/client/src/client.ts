// Typed clients for aigateway.v1.AiGateway and aigateway.v1.Admin: the proto loaded at run time, typed
// by the stubs that proto-loader-gen-types generated from it (libs/contracts/src/generated, `npm run proto:gen`).
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ADMIN_PROTO, BATCH_PROTO, GATEWAY_PROTO, PROTO_LOADER_OPTIONS } from '@switchyard/contracts';
import type { ProtoGrpcType as AdminProtoGrpcType } from '@switchyard/contracts/generated/admin';
import type { ProtoGrpcType as BatchProtoGrpcType } from '@switchyard/contracts/generated/batch';
import type { ProtoGrpcType } from '@switchyard/contracts/generated/gateway';
import type { AdminClient } from '@switchyard/contracts/generated/aigateway/v1/Admin';
import type { AiGatewayClient } from '@switchyard/contracts/generated/aigateway/v1/AiGateway';
import type { BatchesClient } from '@switchyard/contracts/generated/aigateway/v1/Batches';

export type { AdminClient, AiGatewayClient, BatchesClient };

export function createGatewayClient(address: string, credentials = grpc.credentials.createInsecure()): AiGatewayClient {
  const definition = protoLoader.loadSync(GATEWAY_PROTO, PROTO_LOADER_OPTIONS);
  const proto = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
  return new proto.aigateway.v1.AiGateway(address, credentials);
}

export function createAdminClient(address: string, credentials = grpc.credentials.createInsecure()): AdminClient {
  const definition = protoLoader.loadSync(ADMIN_PROTO, PROTO_LOADER_OPTIONS);
  const proto = grpc.loadPackageDefinition(definition) as unknown as AdminProtoGrpcType;
  return new proto.aigateway.v1.Admin(address, credentials);
}

export function createBatchesClient(address: string, credentials = grpc.credentials.createInsecure()): BatchesClient {
  const definition = protoLoader.loadSync(BATCH_PROTO, PROTO_LOADER_OPTIONS);
  const proto = grpc.loadPackageDefinition(definition) as unknown as BatchProtoGrpcType;
  return new proto.aigateway.v1.Batches(address, credentials);
}
