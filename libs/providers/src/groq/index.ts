// Groq (https://console.groq.com/docs/api-reference): OpenAI's chat format and audio transcriptions
// (Whisper); no embeddings API.
import { compatibleProviderFactory } from '../openai-compatible';

export const GROQ_DEFAULT_BASE_URL = 'https://api.groq.com/openai/v1';

export const groqProviderFactory = compatibleProviderFactory({
  name: 'groq',
  baseUrl: GROQ_DEFAULT_BASE_URL,
  embeddings: false,
  transcriptions: true,
});
