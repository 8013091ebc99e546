// xAI (https://docs.x.ai/docs/api-reference): OpenAI's chat format; no embedding models.
import { compatibleProviderFactory } from '../openai-compatible';

export const XAI_DEFAULT_BASE_URL = 'https://api.x.ai/v1';

export const xaiProviderFactory = compatibleProviderFactory({
  name: 'xai',
  baseUrl: XAI_DEFAULT_BASE_URL,
  embeddings: false,
});
