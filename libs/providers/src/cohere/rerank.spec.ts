import type { RerankResult } from '@switchyard/contracts';
import { reply, runKindConformanceSuite } from '../testing';
import { cohereProviderFactory } from './adapter';
import { COHERE_RERANK_RESPONSE, cohereErrors, RERANK_REQUEST } from './cohere.fixtures';

const KEY = 'cohere-test-rerank-3e81c0d5';

runKindConformanceSuite<RerankResult>({
  name: 'cohere rerank',
  createAdapter: (baseUrl) => cohereProviderFactory({ base_url: `${baseUrl}/v2` }, { COHERE_API_KEY: KEY }),
  apiKey: KEY,
  call: (adapter, options) => adapter.rerank!(RERANK_REQUEST, options),
  route: { path: '/v2/rerank' },
  answer: {
    reply: reply.json(COHERE_RERANK_RESPONSE),
    expected: {
      provider_response_id: COHERE_RERANK_RESPONSE.id,
      results: [
        { index: 3, relevance_score: 0.999071 },
        { index: 4, relevance_score: 0.7867867 },
      ],
      // Cohere bills search units, not tokens.
      usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, search_units: 1 },
    },
    expectRequest: (request) => {
      expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
      expect(request.body).toEqual({ model: 'rerank-v3.5', query: RERANK_REQUEST.query, documents: RERANK_REQUEST.documents, top_n: 2 });
    },
  },
  badAnswers: {
    'more results than top_n': reply.json({ ...COHERE_RERANK_RESPONSE, results: [...COHERE_RERANK_RESPONSE.results, { index: 0, relevance_score: 0.1 }] }),
    'a result for a document that was not sent': reply.json({ ...COHERE_RERANK_RESPONSE, results: [{ index: 5, relevance_score: 0.9 }] }),
    'a result without a score': reply.json({ ...COHERE_RERANK_RESPONSE, results: [{ index: 1 }] }),
  },
  errors: cohereErrors(),
});
