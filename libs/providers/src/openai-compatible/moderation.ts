// OpenAI's moderations API (POST /v1/moderations), as its API reference documents it: texts in, one
// result per text, in order. Pure translators; the adapter makes the call. OpenAI reports no usage.
import { GatewayError, type ModerationRequest, type ModerationResult, type ModerationVerdict } from '@switchyard/contracts';

export interface OpenAIModerationRequest {
  model: string;
  input: string[];
}

export interface OpenAIModerationResponse {
  id: string;
  model: string;
  results: { flagged: boolean; categories: Record<string, boolean>; category_scores: Record<string, number>; category_applied_input_types?: Record<string, string[]> }[];
}

/** How one provider's moderation API is spoken: its request body and the reading of its answer. */
export interface ModerationDialect {
  toRequest(request: ModerationRequest): object;
  fromResponse(provider: string, response: unknown, request: ModerationRequest): ModerationResult;
}

export function toOpenAIModerationRequest(request: ModerationRequest): OpenAIModerationRequest {
  return { model: request.model, input: request.input };
}

export function fromOpenAIModerationResponse(provider: string, response: unknown, request: ModerationRequest): ModerationResult {
  const body = response as Partial<OpenAIModerationResponse> | null;
  const results = checkedResults(provider, body?.results, request);
  return {
    ...(typeof body?.id === 'string' ? { provider_response_id: body.id } : {}),
    results: results.map((result) => ({ flagged: result.flagged === true, categories: result.categories ?? {}, category_scores: result.category_scores ?? {} })),
  };
}

export const OPENAI_MODERATION: ModerationDialect = { toRequest: toOpenAIModerationRequest, fromResponse: fromOpenAIModerationResponse };

/** The provider's results when there is one object per input; a short or missing list is a bad answer, not verdicts to guess. */
export function checkedResults<T extends Partial<ModerationVerdict>>(provider: string, results: T[] | undefined, request: ModerationRequest): T[] {
  if (!Array.isArray(results) || results.length !== request.input.length || results.some((result) => typeof result !== 'object' || result === null)) {
    throw new GatewayError('provider_bad_response', `${provider} returned ${Array.isArray(results) ? results.length : 'no'} moderation results for ${request.input.length} inputs`);
  }
  return results;
}
