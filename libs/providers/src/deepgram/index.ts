// Deepgram (https://api.deepgram.com/v1): pre-recorded speech to text. Its own format, not OpenAI's:
// raw audio in, `Authorization: Token <key>`.
import { credentialOf } from '@switchyard/config';
import { credentialsOf, scrubbingCredentials } from '../credentials';
import { sendJson } from '../http';
import type { ProviderAdapter, ProviderFactory } from '../provider';
import { stringSetting } from '../openai-compatible';
import { audioContentType, fromDeepgramListenResponse, toDeepgramListenQuery, type DeepgramListenResponse } from './transcription';

export const DEEPGRAM_DEFAULT_BASE_URL = 'https://api.deepgram.com/v1';

export function createDeepgramProvider(options: { name: string; baseUrl: string; apiKey?: string }): ProviderAdapter {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const auth: Record<string, string> = options.apiKey ? { authorization: `Token ${options.apiKey}` } : {};
  return scrubbingCredentials(
    {
      name: options.name,
      async transcribe(request, { signal }) {
        const response = await sendJson<DeepgramListenResponse>({
          provider: options.name,
          url: `${baseUrl}/listen?${toDeepgramListenQuery(request)}`,
          headers: { ...auth, 'content-type': audioContentType(request.filename) },
          body: Buffer.from(request.audio, 'base64'),
          signal,
        });
        return fromDeepgramListenResponse(options.name, response, request);
      },
    },
    credentialsOf(baseUrl, options.apiKey),
  );
}

export const deepgramProviderFactory: ProviderFactory = (config, env) =>
  createDeepgramProvider({ name: 'deepgram', baseUrl: stringSetting(config, 'base_url') ?? DEEPGRAM_DEFAULT_BASE_URL, apiKey: credentialOf('deepgram', config, 'api_key_env', env) });
