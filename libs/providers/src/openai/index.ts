// OpenAI: chat completions (streaming with usage, tools, images, response_format, seed, stop) and
// embeddings, over the shared OpenAI-compatible adapter.
import { createOpenAICompatibleProvider } from '../openai-compatible';
import type { ProviderFactory } from '../provider';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export const openaiProviderFactory: ProviderFactory = (config, env) => {
  const keyEnv = (config.api_key_env as string | undefined) ?? 'OPENAI_API_KEY';
  const headers: Record<string, string> = {};
  if (typeof config.organization === 'string') headers['openai-organization'] = config.organization;
  if (typeof config.project === 'string') headers['openai-project'] = config.project;
  return createOpenAICompatibleProvider({
    name: 'openai',
    baseUrl: (config.base_url as string | undefined) ?? OPENAI_DEFAULT_BASE_URL,
    apiKey: env[keyEnv],
    headers,
    maxTokensField: 'max_completion_tokens',
  });
};
