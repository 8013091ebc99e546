// aigateway.v1.Batches: the Files and Batch API over gRPC, beside AiGateway in the same server. The
// logic and every check are BatchService's (libs/batch), as over HTTP; this maps messages to its calls.
import type * as grpc from '@grpc/grpc-js';
import { toOpenAIBatch, toOpenAIFile, type BatchRecord, type BatchService } from '@switchyard/batch';
import { GatewayError } from '@switchyard/contracts';
import type { Logger } from '@switchyard/telemetry';
import type { GatewayCore } from './gateway-core';

type Message = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface BatchCallContext {
  core: GatewayCore;
  batches: BatchService;
  logger: Logger;
  /** The decoded request, or invalid_request for bytes that are not one. */
  decoded(request: unknown): unknown;
  credentialOf(metadata: grpc.Metadata): string | undefined;
  toServiceError(error: unknown): Partial<grpc.ServiceError>;
}

export function createBatchHandlers(context: BatchCallContext): grpc.UntypedServiceImplementation {
  const { batches } = context;
  const unary =
    (run: (request: Message, owner: ReturnType<GatewayCore['authenticate']>) => Promise<unknown>) =>
    (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      let request: Message;
      let owner: ReturnType<GatewayCore['authenticate']>;
      try {
        request = context.decoded(call.request) as Message;
        owner = context.core.authenticate(context.credentialOf(call.metadata));
      } catch (error) {
        return callback(context.toServiceError(error));
      }
      run(request, owner).then(
        (response) => callback(null, response),
        (error) => {
          if (!(error instanceof GatewayError)) context.logger.error('unexpected failure in a batch call', { error });
          callback(context.toServiceError(error));
        },
      );
    };
  return {
    CreateFile: unary(async (request, owner) => toOpenAIFile(await batches.createFile(owner, { purpose: request.purpose, filename: request.filename || 'upload.jsonl', content: request.content ?? Buffer.alloc(0) }))),
    GetFile: unary(async (request, owner) => toOpenAIFile(await batches.getFile(owner, request.id))),
    GetFileContent: unary(async (request, owner) => ({ id: request.id, content: Buffer.from(await batches.fileContent(owner, request.id)) })),
    DeleteFile: unary(async (request, owner) => batches.deleteFile(owner, request.id)),
    CreateBatch: unary(async (request, owner) => toGrpcBatch(await batches.createBatch(owner, { ...request, metadata: request.metadata ?? {} }))),
    GetBatch: unary(async (request, owner) => toGrpcBatch(await batches.getBatch(owner, request.id))),
    ListBatches: unary(async (request, owner) => {
      const page = await batches.listBatches(owner, { after: request.after || undefined, limit: request.limit || undefined });
      return { data: page.data.map(toGrpcBatch), first_id: page.first_id ?? '', last_id: page.last_id ?? '', has_more: page.has_more };
    }),
    CancelBatch: unary(async (request, owner) => toGrpcBatch(await batches.cancelBatch(owner, request.id))),
  };
}

/** OpenAI's batch object, its nulls as unset optional fields. */
function toGrpcBatch(batch: BatchRecord): Message {
  const { errors: _errors, object: _object, ...fields } = toOpenAIBatch(batch);
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== null));
}
