import { join } from 'node:path';
import type { RerankResult } from '@switchyard/contracts';
import { RERANK_REQUEST } from '../cohere/cohere.fixtures';
import { errorFixtures, fixtureJson } from '../openai-compatible/testing';
import { reply, runKindConformanceSuite } from '../testing';
import { jinaProviderFactory } from './index';

const KEY = 'jina_test_rerank_6a0f93e1';
const DIR = join(__dirname, 'fixtures');
const documented = fixtureJson<{ results: { index: number; relevance_score: number }[] }>(DIR, 'rerank.json');
const REQUEST = { ...RERANK_REQUEST, model: 'jina-reranker-v2-base-multilingual' };

runKindConformanceSuite<RerankResult>({
  name: 'jina rerank',
  createAdapter: (baseUrl) => jinaProviderFactory({ base_url: `${baseUrl}/v1` }, { JINA_API_KEY: KEY }),
  apiKey: KEY,
  call: (adapter, options) => adapter.rerank!(REQUEST, options),
  route: { path: '/v1/rerank' },
  answer: {
    reply: reply.json(documented),
    // Jina bills tokens: usage.total_tokens.
    expected: { results: documented.results, usage: { prompt_tokens: 186, completion_tokens: 0, total_tokens: 186 } },
    expectRequest: (request) => {
      expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
      expect(request.body).toEqual({ model: 'jina-reranker-v2-base-multilingual', query: REQUEST.query, documents: REQUEST.documents, top_n: 2, return_documents: false });
    },
  },
  badAnswers: {
    'an answer without results': reply.json({ model: 'jina-reranker-v2-base-multilingual', usage: { total_tokens: 3 } }),
    'a negative document index': reply.json({ ...documented, results: [{ index: -1, relevance_score: 0.5 }] }),
  },
  errors: errorFixtures(
    DIR,
    'errors.json',
    {
      '400': "Model 'jina-reranker-v9' not found",
      '401': 'Invalid API key: [REDACTED]',
      '403': 'Insufficient account balance',
      '404': 'Not Found',
      '408': 'Request timed out',
      '413': 'Request body too large',
      '429': 'Rate limit exceeded: 500 RPM',
      '500': 'Internal server error',
      '503': 'Service temporarily unavailable',
    },
    30_000,
  ),
});
