// OpenRouter (https://openrouter.ai/docs/api-reference): OpenAI's chat and embeddings formats in front of
// many providers (embeddings: POST /api/v1/embeddings).
// `app_url` and `app_name` become its optional attribution headers, HTTP-Referer and X-Title.
import { compatibleProviderFactory, stringSetting } from '../openai-compatible';

export const OPENROUTER_DEFAULT_BASE_URL = 'https://openrouter.ai/api/v1';

export const openrouterProviderFactory = compatibleProviderFactory(
  { name: 'openrouter', baseUrl: OPENROUTER_DEFAULT_BASE_URL },
  (config) => {
    const headers: Record<string, string> = {};
    const appUrl = stringSetting(config, 'app_url');
    const appName = stringSetting(config, 'app_name');
    if (appUrl) headers['http-referer'] = appUrl;
    if (appName) headers['x-title'] = appName;
    return { headers };
  },
);
