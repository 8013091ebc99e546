// Cohere's Rerank v2 (POST /v2/rerank), as its API reference documents it. Pure translators. Cohere
// bills reranks in search units (a query over up to 100 documents, longer documents counted in chunks),
// reported in meta.billed_units; the ranking is by relevance, most relevant first.
import { GatewayError, type RerankRequest, type RerankResult } from '@switchyard/contracts';

export interface CohereRerankRequest {
  model: string;
  query: string;
  documents: string[];
  top_n?: number;
}

export interface CohereRerankResponse {
  id?: string;
  results?: { index: number; relevance_score: number }[];
  meta?: { billed_units?: { search_units?: number } };
}

export function toCohereRerankRequest(request: RerankRequest): CohereRerankRequest {
  const body: CohereRerankRequest = { model: request.model, query: request.query, documents: request.documents };
  if (request.top_n !== undefined) body.top_n = request.top_n;
  return body;
}

export function fromCohereRerankResponse(provider: string, response: CohereRerankResponse | null, request: RerankRequest): RerankResult {
  const result: RerankResult = { results: checkedRankings(provider, response?.results, request) };
  if (typeof response?.id === 'string') result.provider_response_id = response.id;
  const searchUnits = response?.meta?.billed_units?.search_units;
  if (typeof searchUnits === 'number') result.usage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, search_units: searchUnits };
  return result;
}

/**
 * The provider's rankings, each of a document the request sent, at most top_n (or one per document) of
 * them; anything else is a bad answer rather than a ranking to pass on.
 */
export function checkedRankings(provider: string, results: { index: number; relevance_score: number }[] | undefined, request: RerankRequest): RerankResult['results'] {
  const most = Math.min(request.top_n ?? request.documents.length, request.documents.length);
  const valid = (ranking: { index: number; relevance_score: number } | null) =>
    ranking !== null && typeof ranking === 'object' && Number.isInteger(ranking.index) && ranking.index >= 0 && ranking.index < request.documents.length && typeof ranking.relevance_score === 'number';
  if (!Array.isArray(results) || results.length > most || !results.every(valid)) {
    throw new GatewayError('provider_bad_response', `${provider} returned a ranking that is not of the ${request.documents.length} documents sent (at most ${most} results)`);
  }
  return results.map((ranking) => ({ index: ranking.index, relevance_score: ranking.relevance_score }));
}
