import * as path from 'node:path';

/** proto/ at the workspace root: the single source of truth of the public API. */
export const PROTO_ROOT = path.resolve(__dirname, '../../../proto');
export const GATEWAY_PROTO = 'aigateway/v1/gateway.proto';
export const GATEWAY_SERVICE = 'aigateway.v1.AiGateway';
/** The admin API (virtual keys and teams), beside the gateway's in the same gRPC server. */
export const ADMIN_PROTO = 'aigateway/v1/admin.proto';
export const ADMIN_SERVICE = 'aigateway.v1.Admin';
/** The Files and Batch API (docs/batch.md), beside the gateway's in the same gRPC server. */
export const BATCH_PROTO = 'aigateway/v1/batch.proto';
export const BATCH_SERVICE = 'aigateway.v1.Batches';

/**
 * proto-loader options used by the server, the generated client types and the tests alike:
 * field names as written in the proto (snake_case), enums as strings, int64 as JS numbers.
 */
export const PROTO_LOADER_OPTIONS = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  arrays: true,
  objects: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};
