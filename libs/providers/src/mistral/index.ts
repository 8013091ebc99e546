// Mistral La Plateforme: chat completions, embeddings and moderations in dialects of OpenAI's format
// (see ./translate.ts and ./moderation.ts). Streams always end with usage, so stream_options is not sent.
import { compatibleProviderFactory } from '../openai-compatible';
import { MISTRAL_MODERATION } from './moderation';
import { toMistralChatRequest, toMistralEmbeddingRequest } from './translate';

export const MISTRAL_DEFAULT_BASE_URL = 'https://api.mistral.ai/v1';

export const mistralProviderFactory = compatibleProviderFactory(
  { name: 'mistral', baseUrl: MISTRAL_DEFAULT_BASE_URL, streamUsage: false, moderation: MISTRAL_MODERATION },
  (config) => {
    const safePrompt = config.safe_prompt === true;
    return {
      chatBody: (body) => toMistralChatRequest(body, { safePrompt }),
      embedBody: toMistralEmbeddingRequest,
    };
  },
);
