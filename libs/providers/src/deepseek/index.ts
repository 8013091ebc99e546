// DeepSeek (https://api-docs.deepseek.com): OpenAI's chat format, cache hits reported as
// prompt_cache_hit_tokens (handled by the shared translator); no embeddings API, and chat models that
// take text only.
import { compatibleProviderFactory } from '../openai-compatible';

export const DEEPSEEK_DEFAULT_BASE_URL = 'https://api.deepseek.com';

export const deepseekProviderFactory = compatibleProviderFactory({
  name: 'deepseek',
  baseUrl: DEEPSEEK_DEFAULT_BASE_URL,
  embeddings: false,
  imageInput: false,
});
