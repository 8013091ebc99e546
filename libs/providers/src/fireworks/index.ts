// Fireworks AI (https://docs.fireworks.ai/api-reference): OpenAI's chat and embeddings format.
import { compatibleProviderFactory } from '../openai-compatible';

export const FIREWORKS_DEFAULT_BASE_URL = 'https://api.fireworks.ai/inference/v1';

export const fireworksProviderFactory = compatibleProviderFactory({
  name: 'fireworks',
  baseUrl: FIREWORKS_DEFAULT_BASE_URL,
});
