// POST /v1/analyze on the HTTP wire (docs/analyze.md): the JSON body into the unified AnalyzeRequest,
// and results into JSON, a failed task's error in OpenAI's error shape as every other route's. Pure.
import type { AnalyzeRequest, AnalyzeResponse, AnalyzeTaskResult, AnalyzeTaskType } from '@switchyard/analyze';
import { GatewayError } from '@switchyard/contracts';
import { z } from 'zod';
import { toOpenAIError } from './openai-format';
import { parseBody } from './validation';

// Shapes only: the bounds and the rules of each task are GatewayCore's, the same for every front door.
const analyzeRequestSchema = z.object({
  text: z.string().optional(),
  images: z.array(z.string(), { error: 'must be an array of image URLs (https:// or data:)' }).optional(),
  tasks: z.array(
    z.object({
      type: z.string(),
      model: z.string().optional(),
      target_language: z.string().optional(),
      /** extract: the JSON Schema, as an object. */
      schema: z.record(z.string(), z.unknown(), { error: 'must be a JSON Schema object' }).optional(),
    }),
  ),
  user: z.string().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  stream: z.boolean().optional(),
});

export function fromAnalyzeBody(body: unknown): { request: AnalyzeRequest; stream: boolean } {
  const parsed = parseBody(analyzeRequestSchema, body);
  const request: AnalyzeRequest = {
    tasks: parsed.tasks.map(({ type, model, target_language, schema }) => ({
      type: type as AnalyzeTaskType,
      ...(model ? { model } : {}),
      ...(target_language ? { target_language } : {}),
      ...(schema ? { schema: JSON.stringify(schema) } : {}),
    })),
  };
  if (parsed.text !== undefined) request.text = parsed.text;
  if (parsed.images !== undefined) request.images = parsed.images;
  if (parsed.user) request.user = parsed.user;
  if (parsed.metadata) request.metadata = parsed.metadata;
  return { request, stream: parsed.stream ?? false };
}

export function toAnalyzeResultJson(result: AnalyzeTaskResult) {
  return {
    index: result.index,
    type: result.type,
    status: result.status,
    model: result.model,
    request_id: result.request_id,
    output: result.output ?? null,
    error: result.error ? toOpenAIError(GatewayError.fromBody(result.error)).error : null,
    usage: result.usage,
    cost_usd: result.cost_usd,
    latency_ms: result.latency_ms,
  };
}

export function toAnalyzeJson(response: AnalyzeResponse) {
  return { id: response.id, object: 'analysis' as const, results: response.results.map(toAnalyzeResultJson), usage: response.usage, cost_usd: response.cost_usd, latency_ms: response.latency_ms };
}

/** The streamed call's last event: the call's id and totals. */
export function toAnalyzeDoneJson(response: AnalyzeResponse) {
  return { id: response.id, object: 'analysis.done' as const, usage: response.usage, cost_usd: response.cost_usd, latency_ms: response.latency_ms };
}
