// The unified moderation request and answer (POST /v1/moderations, gRPC Moderate): texts in, one verdict
// per text out, in the categories the provider names (OpenAI's and Mistral's differ; neither is renamed).
import type { Usage } from './chat';

export interface ModerationRequest {
  model: string;
  /** The texts to classify, one verdict each. */
  input: string[];
  user?: string;
  metadata?: Record<string, string>;
}

export interface ModerationVerdict {
  /** True when any category is. */
  flagged: boolean;
  categories: Record<string, boolean>;
  category_scores: Record<string, number>;
}

export interface ModerationResponse {
  id: string;
  model: string;
  provider: string;
  results: ModerationVerdict[];
  usage: Usage;
  cost_usd: number;
}
