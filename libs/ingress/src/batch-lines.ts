// A batch's requests through the front door's own path: the body checked as POST /v1/chat/completions
// and /v1/embeddings check it, sent through GatewayCore (routing, guardrails, limits, metering,
// analytics), and answered in OpenAI's shapes, the answer's or the error's.
import { GatewayError, validateChatRequest, validateEmbedRequest, type ErrorCode } from '@switchyard/contracts';
import type { BatchEndpoint, LineSender } from '@switchyard/batch';
import type { GatewayCore } from './gateway-core';
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
    const requestId = `${batch.id}-${line.line}`;
    try {
      const call = { batch: { batch_id: batch.id, request_id: requestId, caller: core.batchCaller(batch.owner) } };
      const created = Math.floor(Date.now() / 1000);
      if (batch.endpoint === '/v1/chat/completions') {
        const response = await core.chat(fromOpenAIChatRequest(line.body).request, call);
        return { response: { status_code: 200, request_id: requestId, body: toOpenAIChatCompletion(response, created) } };
      }
      const { request, encoding } = fromOpenAIEmbeddingsRequest(line.body);
      const response = await core.embed(request, call);
      return { response: { status_code: 200, request_id: requestId, body: toOpenAIEmbeddings(response, encoding) } };
    } catch (error) {
      const failure = GatewayError.from(error);
      if (RETRIED.has(failure.code)) return { retry: failure.message };
      return { response: { status_code: failure.httpStatus, request_id: requestId, body: toOpenAIError(failure) } };
    }
  };
}
