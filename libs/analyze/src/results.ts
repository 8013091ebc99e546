// A task's result from its chat answer or its failure, and the call's response from its results.
import { GatewayError, type ChatResponse, type Usage } from '@switchyard/contracts';
import type { AnalyzeResponse, AnalyzeTask, AnalyzeTaskResult } from './analyze-request';
import { taskOutput } from './tasks';

const NO_USAGE: Usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

/**
 * The result of a task its model answered. An answer that is not what the task asked for is an error
 * result, but one that keeps the answer's usage and cost: the call was made, and its usage row says so.
 */
export function answeredTaskResult(index: number, task: AnalyzeTask, model: string, response: ChatResponse, latencyMs: number): AnalyzeTaskResult {
  const result = { index, type: task.type, model, request_id: response.id, usage: response.usage, cost_usd: response.cost_usd, latency_ms: latencyMs };
  try {
    return { ...result, status: 'ok', output: taskOutput(task.type, response) };
  } catch (error) {
    return { ...result, status: 'error', error: GatewayError.from(error).toBody() };
  }
}

/** The result of a task that got no answer: refused, failed or out of time. */
export function failedTaskResult(index: number, task: AnalyzeTask, model: string, requestId: string, error: unknown, latencyMs: number): AnalyzeTaskResult {
  return { index, type: task.type, status: 'error', model, request_id: requestId, error: GatewayError.from(error).toBody(), usage: NO_USAGE, cost_usd: 0, latency_ms: latencyMs };
}

/** The call's response: its results in the order of its tasks, with their usage and cost summed. */
export function analyzeResponse(id: string, results: AnalyzeTaskResult[], latencyMs: number): AnalyzeResponse {
  const ordered = [...results].sort((a, b) => a.index - b.index);
  const usage = { ...NO_USAGE };
  let cost = 0;
  for (const result of ordered) {
    usage.prompt_tokens += result.usage.prompt_tokens;
    usage.completion_tokens += result.usage.completion_tokens;
    usage.total_tokens += result.usage.total_tokens;
    cost += result.cost_usd;
  }
  // Rounded as metering rounds a cost, so that the total is the sum of the rows.
  return { id, results: ordered, usage, cost_usd: Math.round(cost * 1e10) / 1e10, latency_ms: latencyMs };
}
