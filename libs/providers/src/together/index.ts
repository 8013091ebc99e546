// Together AI (https://docs.together.ai/reference): OpenAI's chat and embeddings format.
import { compatibleProviderFactory } from '../openai-compatible';

export const TOGETHER_DEFAULT_BASE_URL = 'https://api.together.xyz/v1';

export const togetherProviderFactory = compatibleProviderFactory({
  name: 'together',
  baseUrl: TOGETHER_DEFAULT_BASE_URL,
});
