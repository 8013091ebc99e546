import { GatewayError } from '@switchyard/contracts';
import { credentialsOf, REDACTED, scrub, scrubbingCredentials, scrubsCredentials } from './credentials';
import type { ChatStreamEvent, ProviderAdapter } from './provider';

const KEY = 'k3y-0f-the-call-5b2e8c1d9a';
const options = () => ({ signal: new AbortController().signal });

describe('scrub', () => {
  it('hides a credential of the call wherever it is, as often as it is', () => {
    expect(scrub(`key ${KEY} and again "${KEY}".`, [KEY])).toBe(`key ${REDACTED} and again "${REDACTED}".`);
  });

  it('hides a piece of a credential, as a message cut at a length limit leaves it', () => {
    expect(scrub(`invalid key ${KEY.slice(0, 9)}`, [KEY])).toBe(`invalid key ${REDACTED}`);
    expect(scrub(`...${KEY.slice(-12)} is revoked`, [KEY])).toBe(`...${REDACTED} is revoked`);
  });

  it('hides a credential URL-encoded and JSON-escaped', () => {
    const secret = 'wJalr/XUtnFEMI+K7MDENG/bPxRfiCY';
    expect(scrub(`?s=${encodeURIComponent(secret)}`, [secret])).toBe(`?s=${REDACTED}`);
    // JSON may escape "/" as "\/", as PHP's json_encode does.
    expect(scrub(`{"echoed":"${secret.replaceAll('/', '\\/')}"}`, [secret])).toBe(`{"echoed":"${REDACTED}"}`);
  });

  it('hides a short credential only whole', () => {
    expect(scrub('pin 4821, 482', ['4821'])).toBe(`pin ${REDACTED}, 482`);
  });

  it('leaves text without credentials as it is', () => {
    const text = 'openai returned 429: Rate limit reached for gpt-4o-mini in organization org-123 on tokens per min. Limit 30000.';
    expect(scrub(text, [KEY])).toBe(text);
  });

  it.each([
    ['a key in a URL query', 'GET https://generativelanguage.googleapis.com/v1beta/models?key=AIzaSyD-abc&alt=sse', `GET https://generativelanguage.googleapis.com/v1beta/models?key=${REDACTED}&alt=sse`],
    ['user info in a URL', 'connect to http://admin:hunter2@10.0.0.5:11434/v1 failed', `connect to http://${REDACTED}@10.0.0.5:11434/v1 failed`],
    ['an api-key header echoed as JSON', '{"api-key":"3f9c2e71b8d04a6f","host":"x"}', `{"api-key":"${REDACTED}","host":"x"}`],
    ['an x-goog-api-key header echoed as text', 'x-goog-api-key: ya29-whatever', `x-goog-api-key: ${REDACTED}`],
    ['a Bearer token', 'authorization: Bearer abc123def456ghi', `authorization: Bearer ${REDACTED}`],
    ['Basic credentials', 'Authorization: Basic dXNlcjpwYXNzd29yZDE=', `Authorization: Basic ${REDACTED}`],
    ['an OpenAI-style key', 'Incorrect API key provided: sk-proj-abcdefghijklmnop1234.', `Incorrect API key provided: ${REDACTED}.`],
    ['an AWS access key id and a SigV4 signature', `Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/bedrock/aws4_request, Signature=${'a1'.repeat(32)}`,
      `Credential=${REDACTED}/20240101/us-east-1/bedrock/aws4_request, Signature=${REDACTED}`],
    ['a Google API key', 'key AIzaSyA1234567890abcdefghijklmnopqrstuv is invalid', `key ${REDACTED} is invalid`],
  ])('hides what looks like a credential even when the call did not register it: %s', (_name, text, expected) => {
    expect(scrub(text)).toBe(expected);
  });

  it('leaves words after Bearer or Basic that are no token', () => {
    expect(scrub('Bearer authentication is required')).toBe('Bearer authentication is required');
  });
});

describe('credentialsOf', () => {
  it('takes the keys given, and the user info and key parameters of the base URL, with the Basic form they travel in', () => {
    expect(credentialsOf('http://ollama-user:s3cret-pass@127.0.0.1:11434/v1?api-version=2024-10-21&key=url-key-123', KEY, undefined)).toEqual([
      KEY,
      'ollama-user',
      's3cret-pass',
      Buffer.from('ollama-user:s3cret-pass').toString('base64'),
      'url-key-123',
    ]);
  });

  it('takes nothing from a plain base URL, and nothing from one that does not parse', () => {
    expect(credentialsOf('https://api.openai.com/v1')).toEqual([]);
    expect(credentialsOf('not a url', KEY)).toEqual([KEY]);
  });
});

describe('scrubbingCredentials', () => {
  const leaking: ProviderAdapter = {
    name: 'leaky',
    async chat() {
      throw new GatewayError('provider_auth_failed', `leaky returned 401: bad key ${KEY}`, { providerStatus: 401, retryAfterMs: 5, cause: new Error(KEY) });
    },
    async *chatStream() {
      yield { index: 0, content: 'Hel' } satisfies ChatStreamEvent;
      throw new GatewayError('provider_bad_response', `leaky sent a stream event that is not JSON: {"k": "${KEY.slice(0, 15)}`);
    },
    async embed() {
      throw new TypeError(`fetch to http://u:${KEY}@host failed`);
    },
    async generateImage() {
      throw new GatewayError('invalid_request', 'dall-e-2 makes images of quality standard; quality hd is not one', { param: 'quality' });
    },
  };
  const adapter = scrubbingCredentials(leaking, [KEY]);

  it('hides the credentials in the message of a failed call, keeping its code, status and delay, dropping its cause', async () => {
    const error = (await adapter.chat!({ model: 'm', messages: [] }, options()).catch((thrown: unknown) => thrown)) as GatewayError;
    expect(error).toBeInstanceOf(GatewayError);
    expect({ ...error.toBody(), cause: error.cause }).toEqual({
      code: 'provider_auth_failed',
      message: `leaky returned 401: bad key ${REDACTED}`,
      provider_status: 401,
      retry_after_ms: 5,
      cause: undefined,
    });
  });

  it('passes a stream through and hides the credentials in the error that ends it', async () => {
    const seen: ChatStreamEvent[] = [];
    const error = await (async () => {
      for await (const event of adapter.chatStream!({ model: 'm', messages: [] }, options())) seen.push(event);
    })().catch((thrown: unknown) => thrown as GatewayError);
    expect(seen).toEqual([{ index: 0, content: 'Hel' }]);
    expect(error!.toBody()).toEqual({ code: 'provider_bad_response', message: `leaky sent a stream event that is not JSON: {"k": "${REDACTED}` });
  });

  it('maps an error that is no GatewayError as a transport failure, hidden the same way', async () => {
    const error = (await adapter.embed!({ model: 'm', input: ['x'] }, options()).catch((thrown: unknown) => thrown)) as GatewayError;
    expect(error.toBody()).toEqual({ code: 'provider_unavailable', message: `leaky could not be reached: fetch to http://${REDACTED}@host failed` });
  });

  it('keeps the field an adapter refused named, which the caller\'s error carries as its param', async () => {
    const error = (await adapter.generateImage!({ model: 'dall-e-2', prompt: 'p', quality: 'hd' }, options()).catch((thrown: unknown) => thrown)) as GatewayError;
    expect(error.toBody()).toEqual({ code: 'invalid_request', message: 'dall-e-2 makes images of quality standard; quality hd is not one', param: 'quality' });
  });

  it('marks the adapters it wraps, which the registry requires', () => {
    expect([scrubsCredentials(adapter), scrubsCredentials(leaking)]).toEqual([true, false]);
  });
});
