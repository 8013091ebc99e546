// A batch's requests through the front door's own path: the body checked as POST /v1/chat/completions
// and /v1/embeddings check it, sent through GatewayCore (routing, guardrails, limits, metering,
// analytics), and answered in OpenAI's shapes, the answer's or the error's.
import { GatewayError, validateChatRequest, validateEmbedRequest, type ChatResponse, type EmbedResponse, type ErrorCode, type ReplyEvent } from '@switchyard/contracts';
import type { BatchEndpoint, BatchLine, BatchRecord, BatchStore, LineSender, SendOutcome } from '@switchyard/batch';
import type { CallOptions, GatewayCore } from './gateway-core';
import { fromOpenAIChatRequest, fromOpenAIEmbeddingsRequest, toOpenAIChatCompletion, toOpenAIEmbeddings, toOpenAIError } from './http/openai-format';

// Refusals that say "not now" rather than "not this": the request goes again later instead of into the error file.
const RETRIED: ReadonlySet<ErrorCode> = new Set(['bus_unavailable', 'overloaded', 'rate_limited']);

/** Refuses a batch request's body that its endpoint would refuse (upload checks every line with it). */
export function checkBatchBody(url: BatchEndpoint, body: Record<string, unknown>): void {
  if (url === '/v1/chat/completions') validateChatRequest(fromOpenAIChatRequest(body).request);
  else validateEmbedRequest(fromOpenAIEmbeddingsRequest(body).request);
}

/** Sends a batch's request as its owner; its request id is the batch's and the line's, so its usage row names both. */
export function batchLineSender(core: GatewayCore): LineSender {
  return async (batch, line) => {
    const requestId = batchRequestId(batch.id, line.line);
    // The call's options, which it sets its time in the pipeline on.
    const call: CallOptions = {};
    const answered = await ask(core, batch, line, requestId, call).then(
      (response): Answered => ({ response }),
      (error: unknown): Answered => ({ error }),
    );
    const outcome: SendOutcome = lineOutcomeOf(batch.endpoint, line.body, requestId, answered);
    if (call.pipelineMs !== undefined) outcome.pipeline_ms = call.pipelineMs;
    if (call.answerRecorded) outcome.recorded = true;
    return outcome;
  };
}

/**
 * Records a batch request's final reply, as GatewayCore reads it from the reply topic, in the batch
 * store; resolves when it is there, or at once when there is nothing to record (the request has its
 * result already; a refusal that goes again). GatewayCore commits the reply only after: an ingress killed
 * between its runner getting an answer and the answer reaching the store leaves the reply to the instance
 * restarted in its place, which records it (regression: such a request, sent again, ended in the error
 * file past its deadline, as the pipeline does not answer a request twice).
 */
export function batchReplyRecorder(store: Pick<BatchStore, 'pendingLine' | 'settleLine'>): (reply: ReplyEvent, batchId: string) => Promise<boolean> {
  return async (reply, batchId) => {
    const answered: Answered | undefined =
      reply.type === 'error' ? { error: GatewayError.fromBody(reply.error) } : reply.type === 'chat' || reply.type === 'embed' ? { response: reply.response } : undefined;
    const lineNumber = lineOfBatchRequest(reply.request_id, batchId);
    if (!answered || lineNumber === undefined) return false;
    const line = await store.pendingLine(batchId, lineNumber);
    // No such request without a result: it has one already.
    if (!line) return true;
    const outcome = lineOutcomeOf(line.endpoint, line.body, reply.request_id, answered);
    if ('retry' in outcome) return false;
    await store.settleLine(batchId, line.custom_id, outcome);
    return true;
  };
}

type Answered = { response: ChatResponse | EmbedResponse } | { error: unknown };

async function ask(core: GatewayCore, batch: BatchRecord, line: BatchLine, requestId: string, call: CallOptions): Promise<ChatResponse | EmbedResponse> {
  call.batch = { batch_id: batch.id, request_id: requestId, caller: core.batchCaller(batch.owner) };
  if (batch.endpoint === '/v1/chat/completions') return core.chat(fromOpenAIChatRequest(line.body).request, call);
  return core.embed(fromOpenAIEmbeddingsRequest(line.body).request, call);
}

/** The line's result in OpenAI's shapes, the answer's or the error's; or, for a refusal that says "not now", to go again. */
function lineOutcomeOf(endpoint: BatchEndpoint, body: Record<string, unknown>, requestId: string, answered: Answered): SendOutcome {
  if (!('response' in answered)) {
    const failure = GatewayError.from(answered.error);
    if (RETRIED.has(failure.code)) return { retry: failure.message };
    return { response: { status_code: failure.httpStatus, request_id: requestId, body: toOpenAIError(failure) } };
  }
  const created = Math.floor(Date.now() / 1000);
  if (endpoint === '/v1/chat/completions') return { response: { status_code: 200, request_id: requestId, body: toOpenAIChatCompletion(answered.response as ChatResponse, created) } };
  return { response: { status_code: 200, request_id: requestId, body: toOpenAIEmbeddings(answered.response as EmbedResponse, fromOpenAIEmbeddingsRequest(body).encoding) } };
}

function batchRequestId(batchId: string, line: number): string {
  return `${batchId}-${line}`;
}

/** The line a batch request id names (see batchRequestId); undefined for another id. */
function lineOfBatchRequest(requestId: string, batchId: string): number | undefined {
  const line = requestId.startsWith(`${batchId}-`) ? Number(requestId.slice(batchId.length + 1)) : Number.NaN;
  return Number.isSafeInteger(line) && line >= 0 ? line : undefined;
}
