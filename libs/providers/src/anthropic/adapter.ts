// Anthropic's Messages API over HTTP. Translation lives in translate.ts; this file only calls.
// Anthropic offers no embeddings API, so the adapter has no embed method.
import { credentialOf } from '@switchyard/config';
import { GatewayError } from '@switchyard/contracts';
import { scrubbingCredentials, credentialsOf } from '../credentials';
import { parseEventJson, sendForEvents, sendJson, type HttpCall } from '../http';
import type { ProviderAdapter, ProviderFactory } from '../provider';
import { ANTHROPIC_DEFAULT_MAX_TOKENS, AnthropicStreamTranslator, fromAnthropicResponse, toAnthropicRequest } from './translate';
import type { AnthropicResponse, AnthropicStreamEvent } from './wire';

export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com/v1';
export const ANTHROPIC_VERSION = '2023-06-01';

export interface AnthropicOptions {
  name?: string;
  baseUrl?: string;
  apiKey?: string;
  defaultMaxTokens?: number;
}

export function createAnthropicProvider(options: AnthropicOptions): ProviderAdapter {
  const name = options.name ?? 'anthropic';
  const url = `${(options.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL).replace(/\/+$/, '')}/messages`;
  const headers: Record<string, string> = { 'anthropic-version': ANTHROPIC_VERSION };
  if (options.apiKey) headers['x-api-key'] = options.apiKey;
  const translate = { defaultMaxTokens: options.defaultMaxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS };
  const call = (body: unknown, signal: AbortSignal): HttpCall => ({
    provider: name,
    url,
    headers,
    body,
    signal,
  });

  return scrubbingCredentials({
    name,

    async chat(request, { signal }) {
      const response = await sendJson<AnthropicResponse>(call(toAnthropicRequest(request, false, translate), signal));
      return fromAnthropicResponse(name, response);
    },

    async *chatStream(request, { signal }) {
      const translator = new AnthropicStreamTranslator(name);
      for await (const message of sendForEvents(call(toAnthropicRequest(request, true, translate), signal))) {
        yield* translator.translate(parseEventJson<AnthropicStreamEvent>(name, message.data));
        if (translator.finished) return;
      }
      throw new GatewayError('provider_bad_response', `${name} ended the stream before message_stop`);
    },
  }, credentialsOf(url, options.apiKey));
}

export const anthropicProviderFactory: ProviderFactory = (config, env) => {
  return createAnthropicProvider({
    baseUrl: config.base_url as string | undefined,
    apiKey: credentialOf('anthropic', config, 'api_key_env', env),
    defaultMaxTokens: typeof config.default_max_tokens === 'number' ? config.default_max_tokens : undefined,
  });
};
