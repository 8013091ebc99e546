// A typed client for aigateway.v1.AiGateway: the proto loaded at run time, typed by the stubs that
// proto-loader-gen-types generated from it (libs/contracts/src/generated, `npm run proto:gen`).
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { GATEWAY_PROTO, PROTO_LOADER_OPTIONS } from '@switchyard/contracts';
import type { ProtoGrpcType } from '@switchyard/contracts/generated/gateway';
import type { AiGatewayClient } from '@switchyard/contracts/generated/aigateway/v1/AiGateway';

export type { AiGatewayClient };

export function createGatewayClient(address: string, credentials = grpc.credentials.createInsecure()): AiGatewayClient {
  const definition = protoLoader.loadSync(GATEWAY_PROTO, PROTO_LOADER_OPTIONS);
  const proto = grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType;
  return new proto.aigateway.v1.AiGateway(address, credentials);
}
