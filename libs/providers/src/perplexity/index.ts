// Perplexity Sonar (https://docs.perplexity.ai): OpenAI's chat format, at the root of its host (no /v1);
// no tools and no embeddings.
import { compatibleProviderFactory } from '../openai-compatible';

export const PERPLEXITY_DEFAULT_BASE_URL = 'https://api.perplexity.ai';

export const perplexityProviderFactory = compatibleProviderFactory({
  name: 'perplexity',
  baseUrl: PERPLEXITY_DEFAULT_BASE_URL,
  embeddings: false,
  tools: false,
});
