// Jina AI's reranker API (POST /v1/rerank), as its reference documents it: Cohere's request shape with
// return_documents (sent false: the caller has its documents), and usage in tokens. Pure translators.
import type { RerankRequest, RerankResult } from '@switchyard/contracts';
import { checkedRankings } from '../cohere/rerank';

export interface JinaRerankRequest {
  model: string;
  query: string;
  documents: string[];
  top_n?: number;
  return_documents: boolean;
}

export interface JinaRerankResponse {
  model?: string;
  usage?: { total_tokens?: number; prompt_tokens?: number };
  results?: { index: number; relevance_score: number; document?: { text: string } }[];
}

export function toJinaRerankRequest(request: RerankRequest): JinaRerankRequest {
  const body: JinaRerankRequest = { model: request.model, query: request.query, documents: request.documents, return_documents: false };
  if (request.top_n !== undefined) body.top_n = request.top_n;
  return body;
}

export function fromJinaRerankResponse(provider: string, response: JinaRerankResponse | null, request: RerankRequest): RerankResult {
  const result: RerankResult = { results: checkedRankings(provider, response?.results, request) };
  const tokens = response?.usage?.total_tokens;
  if (typeof tokens === 'number') result.usage = { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens };
  return result;
}
