import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { Batch as _aigateway_v1_Batch, Batch__Output as _aigateway_v1_Batch__Output } from './aigateway/v1/Batch';
import type { BatchRequest as _aigateway_v1_BatchRequest, BatchRequest__Output as _aigateway_v1_BatchRequest__Output } from './aigateway/v1/BatchRequest';
import type { BatchesClient as _aigateway_v1_BatchesClient, BatchesDefinition as _aigateway_v1_BatchesDefinition } from './aigateway/v1/Batches';
import type { CreateBatchRequest as _aigateway_v1_CreateBatchRequest, CreateBatchRequest__Output as _aigateway_v1_CreateBatchRequest__Output } from './aigateway/v1/CreateBatchRequest';
import type { CreateFileRequest as _aigateway_v1_CreateFileRequest, CreateFileRequest__Output as _aigateway_v1_CreateFileRequest__Output } from './aigateway/v1/CreateFileRequest';
import type { DeletedFile as _aigateway_v1_DeletedFile, DeletedFile__Output as _aigateway_v1_DeletedFile__Output } from './aigateway/v1/DeletedFile';
import type { File as _aigateway_v1_File, File__Output as _aigateway_v1_File__Output } from './aigateway/v1/File';
import type { FileContent as _aigateway_v1_FileContent, FileContent__Output as _aigateway_v1_FileContent__Output } from './aigateway/v1/FileContent';
import type { FileRequest as _aigateway_v1_FileRequest, FileRequest__Output as _aigateway_v1_FileRequest__Output } from './aigateway/v1/FileRequest';
import type { ListBatchesRequest as _aigateway_v1_ListBatchesRequest, ListBatchesRequest__Output as _aigateway_v1_ListBatchesRequest__Output } from './aigateway/v1/ListBatchesRequest';
import type { ListBatchesResponse as _aigateway_v1_ListBatchesResponse, ListBatchesResponse__Output as _aigateway_v1_ListBatchesResponse__Output } from './aigateway/v1/ListBatchesResponse';
import type { RequestCounts as _aigateway_v1_RequestCounts, RequestCounts__Output as _aigateway_v1_RequestCounts__Output } from './aigateway/v1/RequestCounts';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  aigateway: {
    v1: {
      Batch: MessageTypeDefinition<_aigateway_v1_Batch, _aigateway_v1_Batch__Output>
      BatchRequest: MessageTypeDefinition<_aigateway_v1_BatchRequest, _aigateway_v1_BatchRequest__Output>
      Batches: SubtypeConstructor<typeof grpc.Client, _aigateway_v1_BatchesClient> & { service: _aigateway_v1_BatchesDefinition }
      CreateBatchRequest: MessageTypeDefinition<_aigateway_v1_CreateBatchRequest, _aigateway_v1_CreateBatchRequest__Output>
      CreateFileRequest: MessageTypeDefinition<_aigateway_v1_CreateFileRequest, _aigateway_v1_CreateFileRequest__Output>
      DeletedFile: MessageTypeDefinition<_aigateway_v1_DeletedFile, _aigateway_v1_DeletedFile__Output>
      File: MessageTypeDefinition<_aigateway_v1_File, _aigateway_v1_File__Output>
      FileContent: MessageTypeDefinition<_aigateway_v1_FileContent, _aigateway_v1_FileContent__Output>
      FileRequest: MessageTypeDefinition<_aigateway_v1_FileRequest, _aigateway_v1_FileRequest__Output>
      ListBatchesRequest: MessageTypeDefinition<_aigateway_v1_ListBatchesRequest, _aigateway_v1_ListBatchesRequest__Output>
      ListBatchesResponse: MessageTypeDefinition<_aigateway_v1_ListBatchesResponse, _aigateway_v1_ListBatchesResponse__Output>
      RequestCounts: MessageTypeDefinition<_aigateway_v1_RequestCounts, _aigateway_v1_RequestCounts__Output>
    }
  }
}

