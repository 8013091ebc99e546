// OpenAI: chat completions (streaming with usage, tools, images, response_format, seed, stop),
// embeddings, moderations, image generation and audio transcription, over the shared OpenAI-compatible adapter.
import { compatibleProviderFactory, OPENAI_MODERATION, stringSetting } from '../openai-compatible';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export const openaiProviderFactory = compatibleProviderFactory(
  { name: 'openai', baseUrl: OPENAI_DEFAULT_BASE_URL, maxTokensField: 'max_completion_tokens', moderation: OPENAI_MODERATION, images: true, transcriptions: true },
  (config) => {
    const headers: Record<string, string> = {};
    const organization = stringSetting(config, 'organization');
    const project = stringSetting(config, 'project');
    if (organization) headers['openai-organization'] = organization;
    if (project) headers['openai-project'] = project;
    return { headers };
  },
);
