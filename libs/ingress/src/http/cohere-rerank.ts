// Pure translators between Cohere's rerank API (v2, POST /v2/rerank; the gateway serves it at
// POST /v1/rerank, as Jina, Voyage and most gateways do) and the unified model. Documents are strings,
// or v1's { text } objects; Cohere's other options (max_tokens_per_doc) are accepted and ignored.
import type { GatewayError, RerankRequest, RerankResponse } from '@switchyard/contracts';
import { z } from 'zod';
import { parseBody } from './validation';

const rerankRequestSchema = z.object({
  model: z.string().min(1),
  query: z.string(),
  documents: z
    .array(z.union([z.string(), z.object({ text: z.string() })], { error: 'must be a string or an object with text' }))
    .min(1, 'must contain at least one document'),
  top_n: z.number().int().positive().optional(),
});

export function fromCohereRerankRequest(body: unknown): RerankRequest {
  const parsed = parseBody(rerankRequestSchema, body);
  const request: RerankRequest = { model: parsed.model, query: parsed.query, documents: parsed.documents.map((document) => (typeof document === 'string' ? document : document.text)) };
  if (parsed.top_n !== undefined) request.top_n = parsed.top_n;
  return request;
}

export function toCohereRerank(response: RerankResponse) {
  const billed: { search_units?: number; input_tokens?: number } = {};
  if (response.usage.search_units) billed.search_units = response.usage.search_units;
  if (response.usage.prompt_tokens) billed.input_tokens = response.usage.prompt_tokens;
  return {
    id: response.id,
    results: response.results.map((result) => ({ index: result.index, relevance_score: result.relevance_score })),
    meta: { api_version: { version: '2' }, billed_units: billed },
  };
}

/** Cohere's error body: its message alone. */
export function toCohereError(error: GatewayError) {
  return { message: error.message };
}
