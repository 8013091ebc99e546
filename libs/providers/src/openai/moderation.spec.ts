import type { ModerationRequest, ModerationResult } from '@switchyard/contracts';
import { errorFixtures, fixtureJson, OPENAI_ERROR_MESSAGES, OPENAI_FIXTURES_DIR } from '../openai-compatible/testing';
import { reply, runKindConformanceSuite } from '../testing';
import { openaiProviderFactory } from './index';

const KEY = 'sk-proj-test-moderation-7d2c9e41';
const REQUEST: ModerationRequest = { model: 'omni-moderation-latest', input: ['I am going to hurt you.', 'The weather is lovely today.'] };
const documented = fixtureJson<{ results: { categories: Record<string, boolean>; category_scores: Record<string, number> }[] }>(OPENAI_FIXTURES_DIR, 'moderations.json');

runKindConformanceSuite<ModerationResult>({
  name: 'openai moderation',
  createAdapter: (baseUrl) => openaiProviderFactory({ base_url: `${baseUrl}/v1` }, { OPENAI_API_KEY: KEY }),
  apiKey: KEY,
  call: (adapter, options) => adapter.moderate!(REQUEST, options),
  route: { path: '/v1/moderations' },
  answer: {
    reply: reply.json(documented),
    expected: {
      provider_response_id: 'modr-970d409ef3bef3b70c73d8232df86e7d',
      results: [
        { flagged: true, categories: documented.results[0].categories, category_scores: documented.results[0].category_scores },
        { flagged: false, categories: documented.results[1].categories, category_scores: documented.results[1].category_scores },
      ],
    },
    expectRequest: (request) => {
      expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
      expect(request.body).toEqual({ model: 'omni-moderation-latest', input: ['I am going to hurt you.', 'The weather is lovely today.'] });
    },
  },
  badAnswers: {
    'one result for two inputs': reply.json({ ...documented, results: documented.results.slice(0, 1) }),
    'an answer without results': reply.json({ id: 'modr-1', model: 'omni-moderation-latest' }),
  },
  errors: errorFixtures(OPENAI_FIXTURES_DIR, 'errors.json', OPENAI_ERROR_MESSAGES, 20_000),
});
