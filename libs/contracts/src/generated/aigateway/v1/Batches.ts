// Original file: proto/aigateway/v1/batch.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { Batch as _aigateway_v1_Batch, Batch__Output as _aigateway_v1_Batch__Output } from '../../aigateway/v1/Batch';
import type { BatchRequest as _aigateway_v1_BatchRequest, BatchRequest__Output as _aigateway_v1_BatchRequest__Output } from '../../aigateway/v1/BatchRequest';
import type { CreateBatchRequest as _aigateway_v1_CreateBatchRequest, CreateBatchRequest__Output as _aigateway_v1_CreateBatchRequest__Output } from '../../aigateway/v1/CreateBatchRequest';
import type { CreateFileRequest as _aigateway_v1_CreateFileRequest, CreateFileRequest__Output as _aigateway_v1_CreateFileRequest__Output } from '../../aigateway/v1/CreateFileRequest';
import type { DeletedFile as _aigateway_v1_DeletedFile, DeletedFile__Output as _aigateway_v1_DeletedFile__Output } from '../../aigateway/v1/DeletedFile';
import type { File as _aigateway_v1_File, File__Output as _aigateway_v1_File__Output } from '../../aigateway/v1/File';
import type { FileContent as _aigateway_v1_FileContent, FileContent__Output as _aigateway_v1_FileContent__Output } from '../../aigateway/v1/FileContent';
import type { FileRequest as _aigateway_v1_FileRequest, FileRequest__Output as _aigateway_v1_FileRequest__Output } from '../../aigateway/v1/FileRequest';
import type { ListBatchesRequest as _aigateway_v1_ListBatchesRequest, ListBatchesRequest__Output as _aigateway_v1_ListBatchesRequest__Output } from '../../aigateway/v1/ListBatchesRequest';
import type { ListBatchesResponse as _aigateway_v1_ListBatchesResponse, ListBatchesResponse__Output as _aigateway_v1_ListBatchesResponse__Output } from '../../aigateway/v1/ListBatchesResponse';

export interface BatchesClient extends grpc.Client {
  /**
   * No new requests are sent; those under way finish, then the batch is cancelled.
   */
  CancelBatch(argument: _aigateway_v1_BatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Batch__Output>): grpc.ClientUnaryCall;
  CancelBatch(argument: _aigateway_v1_BatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_Batch__Output>): grpc.ClientUnaryCall;
  CancelBatch(argument: _aigateway_v1_BatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Batch__Output>): grpc.ClientUnaryCall;
  CancelBatch(argument: _aigateway_v1_BatchRequest, callback: grpc.requestCallback<_aigateway_v1_Batch__Output>): grpc.ClientUnaryCall;
  /**
   * No new requests are sent; those under way finish, then the batch is cancelled.
   */
  cancelBatch(argument: _aigateway_v1_BatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Batch__Output>): grpc.ClientUnaryCall;
  cancelBatch(argument: _aigateway_v1_BatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_Batch__Output>): grpc.ClientUnaryCall;
  cancelBatch(argument: _aigateway_v1_BatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Batch__Output>): grpc.ClientUnaryCall;
  cancelBatch(argument: _aigateway_v1_BatchRequest, callback: grpc.requestCallback<_aigateway_v1_Batch__Output>): grpc.ClientUnaryCall;
  
  /**
   * Starts a batch on an uploaded file; it runs through the gateway's pipeline, paced.
   */
  CreateBatch(argument: _aigateway_v1_CreateBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Batch__Output>): grpc.ClientUnaryCall;
  CreateBatch(argument: _aigateway_v1_CreateBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_Batch__Output>): grpc.ClientUnaryCall;
  CreateBatch(argument: _aigateway_v1_CreateBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Batch__Output>): grpc.ClientUnaryCall;
  CreateBatch(argument: _aigateway_v1_CreateBatchRequest, callback: grpc.requestCallback<_aigateway_v1_Batch__Output>): grpc.ClientUnaryCall;
  /**
   * Starts a batch on an uploaded file; it runs through the gateway's pipeline, paced.
   */
  createBatch(argument: _aigateway_v1_CreateBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Batch__Output>): grpc.ClientUnaryCall;
  createBatch(argument: _aigateway_v1_CreateBatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_Batch__Output>): grpc.ClientUnaryCall;
  createBatch(argument: _aigateway_v1_CreateBatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Batch__Output>): grpc.ClientUnaryCall;
  createBatch(argument: _aigateway_v1_CreateBatchRequest, callback: grpc.requestCallback<_aigateway_v1_Batch__Output>): grpc.ClientUnaryCall;
  
  /**
   * Uploads a JSONL file of requests (purpose "batch"); every line is checked, and a refusal names the line.
   */
  CreateFile(argument: _aigateway_v1_CreateFileRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_File__Output>): grpc.ClientUnaryCall;
  CreateFile(argument: _aigateway_v1_CreateFileRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_File__Output>): grpc.ClientUnaryCall;
  CreateFile(argument: _aigateway_v1_CreateFileRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_File__Output>): grpc.ClientUnaryCall;
  CreateFile(argument: _aigateway_v1_CreateFileRequest, callback: grpc.requestCallback<_aigateway_v1_File__Output>): grpc.ClientUnaryCall;
  /**
   * Uploads a JSONL file of requests (purpose "batch"); every line is checked, and a refusal names the line.
   */
  createFile(argument: _aigateway_v1_CreateFileRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_File__Output>): grpc.ClientUnaryCall;
  createFile(argument: _aigateway_v1_CreateFileRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_File__Output>): grpc.ClientUnaryCall;
  createFile(argument: _aigateway_v1_CreateFileRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_File__Output>): grpc.ClientUnaryCall;
  createFile(argument: _aigateway_v1_CreateFileRequest, callback: grpc.requestCallback<_aigateway_v1_File__Output>): grpc.ClientUnaryCall;
  
  DeleteFile(argument: _aigateway_v1_FileRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_DeletedFile__Output>): grpc.ClientUnaryCall;
  DeleteFile(argument: _aigateway_v1_FileRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_DeletedFile__Output>): grpc.ClientUnaryCall;
  DeleteFile(argument: _aigateway_v1_FileRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_DeletedFile__Output>): grpc.ClientUnaryCall;
  DeleteFile(argument: _aigateway_v1_FileRequest, callback: grpc.requestCallback<_aigateway_v1_DeletedFile__Output>): grpc.ClientUnaryCall;
  deleteFile(argument: _aigateway_v1_FileRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_DeletedFile__Output>): grpc.ClientUnaryCall;
  deleteFile(argument: _aigateway_v1_FileRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_DeletedFile__Output>): grpc.ClientUnaryCall;
  deleteFile(argument: _aigateway_v1_FileRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_DeletedFile__Output>): grpc.ClientUnaryCall;
  deleteFile(argument: _aigateway_v1_FileRequest, callback: grpc.requestCallback<_aigateway_v1_DeletedFile__Output>): grpc.ClientUnaryCall;
  
  GetBatch(argument: _aigateway_v1_BatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Batch__Output>): grpc.ClientUnaryCall;
  GetBatch(argument: _aigateway_v1_BatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_Batch__Output>): grpc.ClientUnaryCall;
  GetBatch(argument: _aigateway_v1_BatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Batch__Output>): grpc.ClientUnaryCall;
  GetBatch(argument: _aigateway_v1_BatchRequest, callback: grpc.requestCallback<_aigateway_v1_Batch__Output>): grpc.ClientUnaryCall;
  getBatch(argument: _aigateway_v1_BatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Batch__Output>): grpc.ClientUnaryCall;
  getBatch(argument: _aigateway_v1_BatchRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_Batch__Output>): grpc.ClientUnaryCall;
  getBatch(argument: _aigateway_v1_BatchRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_Batch__Output>): grpc.ClientUnaryCall;
  getBatch(argument: _aigateway_v1_BatchRequest, callback: grpc.requestCallback<_aigateway_v1_Batch__Output>): grpc.ClientUnaryCall;
  
  GetFile(argument: _aigateway_v1_FileRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_File__Output>): grpc.ClientUnaryCall;
  GetFile(argument: _aigateway_v1_FileRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_File__Output>): grpc.ClientUnaryCall;
  GetFile(argument: _aigateway_v1_FileRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_File__Output>): grpc.ClientUnaryCall;
  GetFile(argument: _aigateway_v1_FileRequest, callback: grpc.requestCallback<_aigateway_v1_File__Output>): grpc.ClientUnaryCall;
  getFile(argument: _aigateway_v1_FileRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_File__Output>): grpc.ClientUnaryCall;
  getFile(argument: _aigateway_v1_FileRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_File__Output>): grpc.ClientUnaryCall;
  getFile(argument: _aigateway_v1_FileRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_File__Output>): grpc.ClientUnaryCall;
  getFile(argument: _aigateway_v1_FileRequest, callback: grpc.requestCallback<_aigateway_v1_File__Output>): grpc.ClientUnaryCall;
  
  /**
   * The file's JSONL: an input file, or a batch's output or error file.
   */
  GetFileContent(argument: _aigateway_v1_FileRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_FileContent__Output>): grpc.ClientUnaryCall;
  GetFileContent(argument: _aigateway_v1_FileRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_FileContent__Output>): grpc.ClientUnaryCall;
  GetFileContent(argument: _aigateway_v1_FileRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_FileContent__Output>): grpc.ClientUnaryCall;
  GetFileContent(argument: _aigateway_v1_FileRequest, callback: grpc.requestCallback<_aigateway_v1_FileContent__Output>): grpc.ClientUnaryCall;
  /**
   * The file's JSONL: an input file, or a batch's output or error file.
   */
  getFileContent(argument: _aigateway_v1_FileRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_FileContent__Output>): grpc.ClientUnaryCall;
  getFileContent(argument: _aigateway_v1_FileRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_FileContent__Output>): grpc.ClientUnaryCall;
  getFileContent(argument: _aigateway_v1_FileRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_FileContent__Output>): grpc.ClientUnaryCall;
  getFileContent(argument: _aigateway_v1_FileRequest, callback: grpc.requestCallback<_aigateway_v1_FileContent__Output>): grpc.ClientUnaryCall;
  
  /**
   * The caller's batches, newest first.
   */
  ListBatches(argument: _aigateway_v1_ListBatchesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ListBatchesResponse__Output>): grpc.ClientUnaryCall;
  ListBatches(argument: _aigateway_v1_ListBatchesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_ListBatchesResponse__Output>): grpc.ClientUnaryCall;
  ListBatches(argument: _aigateway_v1_ListBatchesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ListBatchesResponse__Output>): grpc.ClientUnaryCall;
  ListBatches(argument: _aigateway_v1_ListBatchesRequest, callback: grpc.requestCallback<_aigateway_v1_ListBatchesResponse__Output>): grpc.ClientUnaryCall;
  /**
   * The caller's batches, newest first.
   */
  listBatches(argument: _aigateway_v1_ListBatchesRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ListBatchesResponse__Output>): grpc.ClientUnaryCall;
  listBatches(argument: _aigateway_v1_ListBatchesRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_aigateway_v1_ListBatchesResponse__Output>): grpc.ClientUnaryCall;
  listBatches(argument: _aigateway_v1_ListBatchesRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_aigateway_v1_ListBatchesResponse__Output>): grpc.ClientUnaryCall;
  listBatches(argument: _aigateway_v1_ListBatchesRequest, callback: grpc.requestCallback<_aigateway_v1_ListBatchesResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface BatchesHandlers extends grpc.UntypedServiceImplementation {
  /**
   * No new requests are sent; those under way finish, then the batch is cancelled.
   */
  CancelBatch: grpc.handleUnaryCall<_aigateway_v1_BatchRequest__Output, _aigateway_v1_Batch>;
  
  /**
   * Starts a batch on an uploaded file; it runs through the gateway's pipeline, paced.
   */
  CreateBatch: grpc.handleUnaryCall<_aigateway_v1_CreateBatchRequest__Output, _aigateway_v1_Batch>;
  
  /**
   * Uploads a JSONL file of requests (purpose "batch"); every line is checked, and a refusal names the line.
   */
  CreateFile: grpc.handleUnaryCall<_aigateway_v1_CreateFileRequest__Output, _aigateway_v1_File>;
  
  DeleteFile: grpc.handleUnaryCall<_aigateway_v1_FileRequest__Output, _aigateway_v1_DeletedFile>;
  
  GetBatch: grpc.handleUnaryCall<_aigateway_v1_BatchRequest__Output, _aigateway_v1_Batch>;
  
  GetFile: grpc.handleUnaryCall<_aigateway_v1_FileRequest__Output, _aigateway_v1_File>;
  
  /**
   * The file's JSONL: an input file, or a batch's output or error file.
   */
  GetFileContent: grpc.handleUnaryCall<_aigateway_v1_FileRequest__Output, _aigateway_v1_FileContent>;
  
  /**
   * The caller's batches, newest first.
   */
  ListBatches: grpc.handleUnaryCall<_aigateway_v1_ListBatchesRequest__Output, _aigateway_v1_ListBatchesResponse>;
  
}

export interface BatchesDefinition extends grpc.ServiceDefinition {
  CancelBatch: MethodDefinition<_aigateway_v1_BatchRequest, _aigateway_v1_Batch, _aigateway_v1_BatchRequest__Output, _aigateway_v1_Batch__Output>
  CreateBatch: MethodDefinition<_aigateway_v1_CreateBatchRequest, _aigateway_v1_Batch, _aigateway_v1_CreateBatchRequest__Output, _aigateway_v1_Batch__Output>
  CreateFile: MethodDefinition<_aigateway_v1_CreateFileRequest, _aigateway_v1_File, _aigateway_v1_CreateFileRequest__Output, _aigateway_v1_File__Output>
  DeleteFile: MethodDefinition<_aigateway_v1_FileRequest, _aigateway_v1_DeletedFile, _aigateway_v1_FileRequest__Output, _aigateway_v1_DeletedFile__Output>
  GetBatch: MethodDefinition<_aigateway_v1_BatchRequest, _aigateway_v1_Batch, _aigateway_v1_BatchRequest__Output, _aigateway_v1_Batch__Output>
  GetFile: MethodDefinition<_aigateway_v1_FileRequest, _aigateway_v1_File, _aigateway_v1_FileRequest__Output, _aigateway_v1_File__Output>
  GetFileContent: MethodDefinition<_aigateway_v1_FileRequest, _aigateway_v1_FileContent, _aigateway_v1_FileRequest__Output, _aigateway_v1_FileContent__Output>
  ListBatches: MethodDefinition<_aigateway_v1_ListBatchesRequest, _aigateway_v1_ListBatchesResponse, _aigateway_v1_ListBatchesRequest__Output, _aigateway_v1_ListBatchesResponse__Output>
}
