// Azure OpenAI (https://learn.microsoft.com/azure/ai-services/openai/reference): OpenAI's format at
// {base_url}/openai/deployments/{deployment}/chat/completions?api-version=..., the key in an `api-key`
// header. The request's model names the deployment; `deployments` maps model names onto deployment
// names where they differ. Set `max_tokens_field: max_completion_tokens` for o-series deployments.
import { credentialOf } from '@switchyard/config';
import { createOpenAICompatibleProvider, stringSetting } from '../openai-compatible';
import type { ProviderFactory } from '../provider';

/** The latest generally available version of the inference API. */
export const AZURE_OPENAI_DEFAULT_API_VERSION = '2024-10-21';

export const azureOpenAIProviderFactory: ProviderFactory = (config, env) => {
  const baseUrl = stringSetting(config, 'base_url');
  if (!baseUrl) throw new Error('provider azure-openai: set base_url to https://<resource>.openai.azure.com');
  const deployments = isStringRecord(config.deployments) ? config.deployments : {};
  const maxTokensField = config.max_tokens_field === 'max_completion_tokens' ? 'max_completion_tokens' : 'max_tokens';
  return createOpenAICompatibleProvider({
    name: 'azure-openai',
    baseUrl,
    apiKey: credentialOf('azure-openai', config, 'api_key_env', env),
    authHeader: 'api-key',
    query: { 'api-version': stringSetting(config, 'api_version') ?? AZURE_OPENAI_DEFAULT_API_VERSION },
    path: (operation, model) =>
      `/openai/deployments/${encodeURIComponent(deployments[model] ?? model)}/${operation === 'chat' ? 'chat/completions' : 'embeddings'}`,
    maxTokensField,
  });
};

function isStringRecord(value: unknown): value is Record<string, string> {
  return typeof value === 'object' && value !== null && Object.values(value).every((item) => typeof item === 'string');
}
