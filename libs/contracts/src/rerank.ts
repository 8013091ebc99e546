// The unified rerank request and answer (POST /v1/rerank in Cohere's format, gRPC Rerank): a query and
// documents in, the documents' indexes by relevance out, most relevant first.
import type { Usage } from './chat';

export interface RerankRequest {
  model: string;
  query: string;
  documents: string[];
  /** How many of the most relevant documents to return; all when absent. */
  top_n?: number;
  user?: string;
  metadata?: Record<string, string>;
}

export interface RerankRanking {
  /** The document's place in the request's documents. */
  index: number;
  relevance_score: number;
}

export interface RerankResponse {
  id: string;
  model: string;
  provider: string;
  /** Most relevant first. */
  results: RerankRanking[];
  /** Tokens, and the search units a provider that bills by them (Cohere) counted. */
  usage: Usage;
  cost_usd: number;
}
