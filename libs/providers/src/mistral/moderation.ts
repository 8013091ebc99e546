// Mistral's moderation API (POST /v1/moderations, "Classifiers" in its reference): the request is
// OpenAI's shape ({ model, input }); each result has categories and category_scores in Mistral's own
// categories (sexual, hate_and_discrimination, pii...) and no `flagged`, which is true when any category
// is. Its answer carries no usage; the gateway counts the input's tokens. Pure translators.
import type { ModerationRequest, ModerationResult } from '@switchyard/contracts';
import { checkedResults, toOpenAIModerationRequest, type ModerationDialect } from '../openai-compatible/moderation';

export interface MistralModerationResponse {
  id?: string;
  model?: string;
  results?: { categories?: Record<string, boolean>; category_scores?: Record<string, number> }[];
}

export function fromMistralModerationResponse(provider: string, response: unknown, request: ModerationRequest): ModerationResult {
  const body = response as MistralModerationResponse | null;
  const results = checkedResults(provider, body?.results, request);
  return {
    ...(typeof body?.id === 'string' ? { provider_response_id: body.id } : {}),
    results: results.map((result) => {
      const categories = result.categories ?? {};
      return { flagged: Object.values(categories).some((flagged) => flagged === true), categories, category_scores: result.category_scores ?? {} };
    }),
  };
}

export const MISTRAL_MODERATION: ModerationDialect = { toRequest: toOpenAIModerationRequest, fromResponse: fromMistralModerationResponse };
