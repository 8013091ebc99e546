// Jina AI (https://api.jina.ai/v1): its reranker. Bearer key, JSON in and out.
import { credentialOf } from '@switchyard/config';
import { credentialsOf, scrubbingCredentials } from '../credentials';
import { sendJson } from '../http';
import type { ProviderAdapter, ProviderFactory } from '../provider';
import { stringSetting } from '../openai-compatible';
import { fromJinaRerankResponse, toJinaRerankRequest, type JinaRerankResponse } from './rerank';

export const JINA_DEFAULT_BASE_URL = 'https://api.jina.ai/v1';

export function createJinaProvider(options: { name: string; baseUrl: string; apiKey?: string }): ProviderAdapter {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const headers: Record<string, string> = options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {};
  return scrubbingCredentials(
    {
      name: options.name,
      async rerank(request, { signal }) {
        const response = await sendJson<JinaRerankResponse>({ provider: options.name, url: `${baseUrl}/rerank`, headers, body: toJinaRerankRequest(request), signal });
        return fromJinaRerankResponse(options.name, response, request);
      },
    },
    credentialsOf(baseUrl, options.apiKey),
  );
}

export const jinaProviderFactory: ProviderFactory = (config, env) =>
  createJinaProvider({ name: 'jina', baseUrl: stringSetting(config, 'base_url') ?? JINA_DEFAULT_BASE_URL, apiKey: credentialOf('jina', config, 'api_key_env', env) });
