import { openAIWireTarget } from '../openai-compatible/testing';
import { runConformanceSuite, type RecordedRequest } from '../testing';
import { openaiProviderFactory } from './index';

const KEY = 'sk-proj-test-4f9c2b7e1a6d8c3b';

runConformanceSuite(
  openAIWireTarget({
    name: 'openai',
    createAdapter: (baseUrl) =>
      openaiProviderFactory({ base_url: `${baseUrl}/v1`, organization: 'org-switchyard', project: 'proj_conformance' }, { OPENAI_API_KEY: KEY }),
    apiKey: KEY,
    chatModel: 'gpt-4o-mini',
    embedModel: 'text-embedding-3-small',
    basePath: '/v1',
    maxTokensField: 'max_completion_tokens',
    expectHeaders: (request: RecordedRequest) => {
      expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
      expect(request.headers['openai-organization']).toBe('org-switchyard');
      expect(request.headers['openai-project']).toBe('proj_conformance');
    },
  }),
);
