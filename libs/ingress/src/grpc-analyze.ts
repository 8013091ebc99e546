// The Analyze call on the gRPC wire: decoded messages into the unified AnalyzeRequest (proto3's empty
// strings as absent fields), and results into messages, each task's output as JSON text.
import type { AnalyzeRequest, AnalyzeResponse, AnalyzeTask, AnalyzeTaskResult } from '@switchyard/analyze';
import type { AnalyzeResponse as GrpcAnalyzeResponse } from '@switchyard/contracts/generated/aigateway/v1/AnalyzeResponse';
import type { AnalyzeTaskResult as GrpcAnalyzeTaskResult } from '@switchyard/contracts/generated/aigateway/v1/AnalyzeTaskResult';

export function fromGrpcAnalyzeRequest(raw: unknown): AnalyzeRequest {
  const message = raw as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const request: AnalyzeRequest = { tasks: (message.tasks ?? []).map(fromGrpcTask) };
  if (message.text) request.text = message.text;
  if (message.images?.length) request.images = message.images;
  if (message.user) request.user = message.user;
  if (message.metadata && Object.keys(message.metadata).length > 0) request.metadata = { ...message.metadata };
  return request;
}

function fromGrpcTask(raw: any): AnalyzeTask { // eslint-disable-line @typescript-eslint/no-explicit-any
  return {
    type: raw.type ?? '',
    ...(raw.model ? { model: raw.model } : {}),
    ...(raw.target_language ? { target_language: raw.target_language } : {}),
    ...(raw.schema ? { schema: raw.schema } : {}),
  };
}

export function toGrpcAnalyzeTaskResult(result: AnalyzeTaskResult): GrpcAnalyzeTaskResult {
  return {
    index: result.index,
    type: result.type,
    status: result.status,
    model: result.model,
    request_id: result.request_id,
    output_json: result.output === undefined ? '' : JSON.stringify(result.output),
    error: result.error ? { code: result.error.code, message: result.error.message } : null,
    usage: result.usage,
    cost_usd: result.cost_usd,
    latency_ms: result.latency_ms,
  };
}

export function toGrpcAnalyzeResponse(response: AnalyzeResponse): GrpcAnalyzeResponse {
  return { ...response, results: response.results.map(toGrpcAnalyzeTaskResult) };
}
