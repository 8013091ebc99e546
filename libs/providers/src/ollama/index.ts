// Ollama's OpenAI-compatible API (https://github.com/ollama/ollama/blob/main/docs/openai.md) on the
// local machine. It needs no key; set `api_key_env` when a proxy in front of it wants one.
import { compatibleProviderFactory } from '../openai-compatible';

export const OLLAMA_DEFAULT_BASE_URL = 'http://localhost:11434/v1';

export const ollamaProviderFactory = compatibleProviderFactory({ name: 'ollama', baseUrl: OLLAMA_DEFAULT_BASE_URL });
