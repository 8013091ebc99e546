import { join } from 'node:path';
import type { ModerationRequest, ModerationResult } from '@switchyard/contracts';
import { errorFixtures, fixtureJson } from '../openai-compatible/testing';
import { reply, runKindConformanceSuite } from '../testing';
import { mistralProviderFactory } from './index';
import { MISTRAL_ERROR_MESSAGES, MISTRAL_RETRY_AFTER_MS } from './mistral.fixtures';

const KEY = 'mistral-test-moderation-5b1e08c3';
const DIR = join(__dirname, 'fixtures');
const REQUEST: ModerationRequest = { model: 'mistral-moderation-latest', input: ['I am going to hurt you.', 'The weather is lovely today.'] };
const documented = fixtureJson<{ results: { categories: Record<string, boolean>; category_scores: Record<string, number> }[] }>(DIR, 'moderations.json');

runKindConformanceSuite<ModerationResult>({
  name: 'mistral moderation',
  createAdapter: (baseUrl) => mistralProviderFactory({ base_url: `${baseUrl}/v1` }, { MISTRAL_API_KEY: KEY }),
  apiKey: KEY,
  call: (adapter, options) => adapter.moderate!(REQUEST, options),
  route: { path: '/v1/moderations' },
  answer: {
    reply: reply.json(documented),
    // Mistral sends no `flagged`: a text is flagged when any of its categories is (violence_and_threats here).
    expected: {
      provider_response_id: '4d71ae510af4423da1a48b1a3d3e9c3b',
      results: [
        { flagged: true, categories: documented.results[0].categories, category_scores: documented.results[0].category_scores },
        { flagged: false, categories: documented.results[1].categories, category_scores: documented.results[1].category_scores },
      ],
    },
    expectRequest: (request) => {
      expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
      expect(request.body).toEqual({ model: 'mistral-moderation-latest', input: ['I am going to hurt you.', 'The weather is lovely today.'] });
    },
  },
  badAnswers: {
    'three results for two inputs': reply.json({ ...documented, results: [...documented.results, documented.results[0]] }),
    'an answer whose results are not objects': reply.json({ ...documented, results: [null, null] }),
  },
  errors: errorFixtures(DIR, 'errors.json', MISTRAL_ERROR_MESSAGES, MISTRAL_RETRY_AFTER_MS),
});
