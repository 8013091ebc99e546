// Provider credentials never leave this library in an error. Errors are made in dozens of places (HTTP
// statuses, transport failures, stream events that do not parse, providers' own error events), many of
// them quoting what the provider sent, and a provider or a proxy in front of it may quote the request's
// headers, URL or key. So no place scrubs for itself: every adapter is wrapped by scrubbingCredentials,
// through which each of its errors passes, and the registry refuses an adapter that is not.
import { GatewayError } from '@switchyard/contracts';
import { transportError } from './http';
import type { CallOptions, ProviderAdapter } from './provider';

export const REDACTED = '[REDACTED]';

/** Any run of this many characters of a credential is hidden: a message cut at a length limit can end partway into a key. */
const PIECE = 8;
/** Shorter values hide too much ordinary text to be treated as credentials. */
const SHORTEST = 4;

/** Names of query parameters whose values are credentials (Gemini's ?key=, presigned AWS URLs...). */
const CREDENTIAL_PARAMETERS = 'key|api[-_]?key|access[-_]?token|token|auth|sig|signature|password|secret|x-amz-(?:credential|signature|security-token)';
const CREDENTIAL_PARAMETER = new RegExp(`^(?:${CREDENTIAL_PARAMETERS})$`, 'i');

/**
 * Things that look like credentials whatever the call's own are, as a second line: a proxy's key, or
 * a credential of another call quoted back.
 */
const LOOKS_LIKE_A_CREDENTIAL: [RegExp, string][] = [
  // user:password@ (or a bare key@) in a URL
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@]+@/gi, `$1${REDACTED}@`],
  [new RegExp(`([?&](?:${CREDENTIAL_PARAMETERS})=)[^&#\\s"'<>]+`, 'gi'), `$1${REDACTED}`],
  // Key headers as an error body may echo them: `api-key: ...`, `"x-goog-api-key":"..."`.
  [/\b((?:x-)?api-key|x-goog-api-key|x-amz-security-token)(["']?\s*[:=]\s*["']?)[^\s"',;&}]+/gi, `$1$2${REDACTED}`],
  [/\b(Bearer|Basic)\s+(?=[A-Za-z0-9._~+/=-]*\d)[A-Za-z0-9._~+/=-]{8,}/g, `$1 ${REDACTED}`],
  // SigV4: Credential=AKIA.../date/region/service/aws4_request, Signature=hex
  [/\b(Signature=)[0-9a-f]{64}\b/g, `$1${REDACTED}`],
  [/\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g, REDACTED],
  // OpenAI, Anthropic (sk-ant-), OpenRouter (sk-or-), DeepSeek; Google; Groq, xAI, Perplexity, Fireworks.
  [/\bsk-[A-Za-z0-9_-]{16,}/g, REDACTED],
  [/\bAIza[0-9A-Za-z_-]{35}\b/g, REDACTED],
  [/\b(?:gsk_|xai-|pplx-|fw_)[A-Za-z0-9]{20,}/g, REDACTED],
];

/**
 * The credentials of an adapter's calls: its keys, and those its base URL carries: user info (which
 * travels as a Basic authorization header, so its base64 form is one too) and key-like query parameters.
 */
export function credentialsOf(baseUrl: string, ...keys: (string | undefined)[]): string[] {
  const found = keys.filter((key): key is string => key !== undefined);
  let url: URL | undefined;
  try {
    url = new URL(baseUrl);
  } catch {
    // A base URL that does not parse fails every call, with an error that does not quote it.
  }
  if (url?.username || url?.password) {
    const user = decodeURIComponent(url.username);
    const password = decodeURIComponent(url.password);
    found.push(user, password, Buffer.from(`${user}:${password}`).toString('base64'));
  }
  for (const [name, value] of url?.searchParams ?? []) if (CREDENTIAL_PARAMETER.test(name)) found.push(value);
  return found.filter((credential) => credential.length >= SHORTEST);
}

/** The text with every credential hidden, whole or in part, in the forms it travels in (as is, URL-encoded, JSON-escaped), and with anything else that looks like a credential. */
export function scrub(text: string, credentials: readonly string[] = []): string {
  let out = text;
  const pieces = new Set<string>();
  for (const credential of credentials) {
    for (const form of new Set([credential, encodeURIComponent(credential), JSON.stringify(credential).slice(1, -1), credential.replaceAll('/', '\\/')])) {
      if (form.length < SHORTEST) continue;
      if (form.length < PIECE) out = out.split(form).join(REDACTED);
      else for (let start = 0; start + PIECE <= form.length; start++) pieces.add(form.slice(start, start + PIECE));
    }
  }
  if (pieces.size > 0) out = hidePieces(out, pieces);
  for (const [pattern, replacement] of LOOKS_LIKE_A_CREDENTIAL) out = out.replace(pattern, replacement);
  return out;
}

/** Replaces each run of text covered by the pieces with one REDACTED. */
function hidePieces(text: string, pieces: Set<string>): string {
  const hidden = new Uint8Array(text.length);
  let any = false;
  for (let start = 0; start + PIECE <= text.length; start++) {
    if (!pieces.has(text.slice(start, start + PIECE))) continue;
    hidden.fill(1, start, start + PIECE);
    any = true;
  }
  if (!any) return text;
  let out = '';
  for (let index = 0; index < text.length; index++) {
    if (!hidden[index]) out += text[index];
    else if (index === 0 || !hidden[index - 1]) out += REDACTED;
  }
  return out;
}

/**
 * A failure as it may leave the library: a GatewayError (other errors mapped as transport failures)
 * whose message has no credential, and without a cause, which can hold the failing request's URL and
 * headers; the field an adapter refused stays named.
 */
export function scrubbedError(provider: string, credentials: readonly string[], options: CallOptions, error: unknown): GatewayError {
  const failure = transportError({ provider, signal: options.signal }, error);
  return new GatewayError(failure.code, scrub(failure.message, credentials), { providerStatus: failure.providerStatus, retryAfterMs: failure.retryAfterMs, param: failure.param });
}

const scrubbing = new WeakSet<ProviderAdapter>();

/** The adapter with every error of its calls passed through scrubbedError, `credentials` being all it sends. */
export function scrubbingCredentials(adapter: ProviderAdapter, credentials: readonly string[]): ProviderAdapter {
  const fail = (options: CallOptions, error: unknown) => scrubbedError(adapter.name, credentials, options, error);
  const failingScrubbed =
    <Request, Result>(method: (request: Request, options: CallOptions) => Promise<Result>) =>
    async (request: Request, options: CallOptions): Promise<Result> => {
      try {
        return await method.call(adapter, request, options);
      } catch (error) {
        throw fail(options, error);
      }
    };
  const { chat, chatStream, embed, moderate, rerank, generateImage, transcribe } = adapter;
  const wrapped: ProviderAdapter = { name: adapter.name };
  if (chat) wrapped.chat = failingScrubbed(chat);
  if (embed) wrapped.embed = failingScrubbed(embed);
  if (moderate) wrapped.moderate = failingScrubbed(moderate);
  if (rerank) wrapped.rerank = failingScrubbed(rerank);
  if (generateImage) wrapped.generateImage = failingScrubbed(generateImage);
  if (transcribe) wrapped.transcribe = failingScrubbed(transcribe);
  if (chatStream) {
    wrapped.chatStream = async function* (request, options) {
      try {
        yield* chatStream.call(adapter, request, options);
      } catch (error) {
        throw fail(options, error);
      }
    };
  }
  scrubbing.add(wrapped);
  return wrapped;
}

/** Whether the adapter's errors pass through scrubbingCredentials. */
export function scrubsCredentials(adapter: ProviderAdapter): boolean {
  return scrubbing.has(adapter);
}
