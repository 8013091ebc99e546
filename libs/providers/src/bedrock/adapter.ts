// AWS Bedrock Runtime over HTTP: Converse, ConverseStream (AWS event-stream framing) and, for Titan
// text embeddings, InvokeModel. Requests are signed with SigV4. Translation lives in translate.ts.
// Errors are read here rather than by http.ts's send, because Bedrock names them in x-amzn-ErrorType.
import { credentialOf, requiredCredentialVariables } from '@switchyard/config';
import { GatewayError } from '@switchyard/contracts';
import { credentialsOf, scrubbingCredentials } from '../credentials';
import { extractProviderMessage, parseRetryAfter, statusToErrorCode, transportError } from '../http';
import type { ProviderAdapter, ProviderFactory } from '../provider';
import { EventStreamDecoder } from './eventstream';
import { signAwsRequest, type AwsCredentials } from './sigv4';
import {
  ConverseStreamTranslator,
  bedrockErrorCode,
  bedrockErrorType,
  fromConverseResponse,
  fromTitanEmbedResponses,
  toConverseRequest,
  toTitanEmbedRequests,
} from './translate';
import type { ConverseResponse, TitanEmbedResponse } from './wire';

export const BEDROCK_SIGNING_SERVICE = 'bedrock';

export interface BedrockOptions {
  name?: string;
  region: string;
  /** Absent: the credentials are missing and every call fails with provider_auth_failed. */
  credentials?: AwsCredentials;
  /** The variables the credentials are read from, named when they are missing. */
  credentialVariables?: readonly string[];
  /** Defaults to https://bedrock-runtime.{region}.amazonaws.com. */
  baseUrl?: string;
}

interface Call {
  path: string;
  body: unknown;
  signal: AbortSignal;
  accept: string;
}

export function createBedrockProvider(options: BedrockOptions): ProviderAdapter {
  const name = options.name ?? 'bedrock';
  const baseUrl = (options.baseUrl ?? `https://bedrock-runtime.${options.region}.amazonaws.com`).replace(/\/+$/, '');
  const credentials = options.credentials;
  const missingCredentials = (options.credentialVariables ?? requiredCredentialVariables('bedrock', undefined)).join(' and ');
  const failure = { provider: name };

  async function post({ path, body, signal, accept }: Call): Promise<Response> {
    if (!credentials) throw new GatewayError('provider_auth_failed', `${name} has no AWS credentials: set ${missingCredentials}`);
    const url = `${baseUrl}${path}`;
    const text = JSON.stringify(body);
    const { host: _host, ...headers } = await signAwsRequest({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', accept },
      body: text,
      credentials,
      region: options.region,
      service: BEDROCK_SIGNING_SERVICE,
    });
    let response: Response;
    try {
      // fetch sets Host from the URL itself, to the value that was signed.
      response = await fetch(url, { method: 'POST', headers, body: text, signal });
    } catch (error) {
      throw transportError({ ...failure, signal }, error);
    }
    if (!response.ok) throw await httpError(response);
    return response;
  }

  async function httpError(response: Response): Promise<GatewayError> {
    const text = await response.text().catch(() => '');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const type = bedrockErrorType(response.headers.get('x-amzn-errortype'), body);
    const message = extractProviderMessage(text) || response.statusText || 'no message';
    return new GatewayError(bedrockErrorCode(type) ?? statusToErrorCode(response.status), `${name} returned ${response.status}${type ? ` ${type}` : ''}: ${message}`, {
      providerStatus: response.status,
      retryAfterMs: parseRetryAfter(response.headers),
    });
  }

  async function postJson<T>(call: Call): Promise<{ body: T; requestId?: string }> {
    const response = await post(call);
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw transportError({ ...failure, signal: call.signal }, error);
    }
    try {
      return { body: JSON.parse(text) as T, requestId: response.headers.get('x-amzn-requestid') ?? undefined };
    } catch {
      throw new GatewayError('provider_bad_response', `${name} returned a body that is not JSON: ${text.slice(0, 200)}`);
    }
  }

  const modelPath = (model: string, action: string) => `/model/${encodeURIComponent(model)}/${action}`;

  return scrubbingCredentials({
    name,

    async chat(request, { signal }) {
      const { body, requestId } = await postJson<ConverseResponse>({
        path: modelPath(request.model, 'converse'),
        body: toConverseRequest(request),
        signal,
        accept: 'application/json',
      });
      return fromConverseResponse(name, body, requestId);
    },

    async *chatStream(request, { signal }) {
      const response = await post({
        path: modelPath(request.model, 'converse-stream'),
        body: toConverseRequest(request),
        signal,
        accept: 'application/vnd.amazon.eventstream',
      });
      if (!response.body) throw new GatewayError('provider_bad_response', `${name} returned no stream body`);
      const translator = new ConverseStreamTranslator(name, response.headers.get('x-amzn-requestid') ?? undefined);
      const decoder = new EventStreamDecoder(name);
      const reader = response.body.getReader();
      try {
        for (;;) {
          let next: Awaited<ReturnType<typeof reader.read>>;
          try {
            next = await reader.read();
          } catch (error) {
            throw transportError({ ...failure, signal }, error);
          }
          if (next.done) break;
          for (const frame of decoder.push(next.value)) {
            if (frame.kind === 'event') {
              yield* translator.translate(frame.eventType, frame.payload);
              continue;
            }
            const type = frame.kind === 'exception' ? frame.exceptionType : frame.errorCode;
            throw new GatewayError(bedrockErrorCode(type) ?? 'provider_unavailable', `${name} reported an error mid-stream: ${type}: ${frame.message}`);
          }
        }
      } finally {
        reader.releaseLock();
        void response.body.cancel().catch(() => undefined);
      }
      if (decoder.pendingBytes > 0) throw new GatewayError('provider_bad_response', `${name} ended the stream in the middle of an event-stream frame`);
      if (!translator.finished) throw new GatewayError('provider_bad_response', `${name} ended the stream before messageStop`);
    },

    async embed(request, { signal }) {
      if (!request.model.startsWith('amazon.titan-embed-text-v2')) {
        throw new GatewayError('unsupported_capability', `${name} embeds with amazon.titan-embed-text-v2 models only, not ${request.model}`);
      }
      const answers: TitanEmbedResponse[] = [];
      // Titan takes one text per call; calls go one after another to stay inside the account's request rate.
      for (const body of toTitanEmbedRequests(request)) {
        answers.push((await postJson<TitanEmbedResponse>({ path: modelPath(request.model, 'invoke'), body, signal, accept: 'application/json' })).body);
      }
      return fromTitanEmbedResponses(name, answers);
    },
  }, credentialsOf(baseUrl, credentials?.accessKeyId, credentials?.secretAccessKey, credentials?.sessionToken));
}

export const bedrockProviderFactory: ProviderFactory = (config, env) => {
  const region = (config.region as string | undefined) ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const accessKeyId = credentialOf('bedrock', config, 'api_key_env', env);
  const secretAccessKey = credentialOf('bedrock', config, 'secret_key_env', env);
  const sessionToken = credentialOf('bedrock', config, 'session_token_env', env);
  return createBedrockProvider({
    region,
    baseUrl: config.base_url as string | undefined,
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) } : undefined,
    credentialVariables: requiredCredentialVariables('bedrock', config),
  });
};
