// Gemini API wire bytes for tests, in the shapes the API reference documents: GenerateContentResponse
// (candidates, usageMetadata, modelVersion, responseId), streamGenerateContent?alt=sse (one
// GenerateContentResponse per `data:` event, CRLF-separated, no end marker), BatchEmbedContentsResponse,
// and Google's error model {"error":{"code","message","status","details"}}. Texts and counts are chosen
// per test; ids and model versions are in the API's own style. Imagen's predict response too.
import { reply, type ErrorExchange } from '../testing';

export const GEMINI_MODEL_VERSION = 'gemini-2.5-flash';

/** A server-sent-event stream as the API writes it: `data: <json>` and a CRLF blank line per chunk. */
export function geminiSse(chunks: unknown[]): string {
  return chunks.map((chunk) => `data: ${JSON.stringify(chunk)}\r\n\r\n`).join('');
}

function response(responseId: string, parts: unknown[], finishReason: string | undefined, usageMetadata: Record<string, unknown>) {
  return {
    candidates: [{ content: { parts, role: 'model' }, ...(finishReason ? { finishReason } : {}), index: 0 }],
    usageMetadata,
    modelVersion: GEMINI_MODEL_VERSION,
    responseId,
  };
}

const textUsage = (prompt: number, candidates: number, thoughts = 0) => ({
  promptTokenCount: prompt,
  candidatesTokenCount: candidates,
  totalTokenCount: prompt + candidates + thoughts,
  promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }],
  ...(thoughts ? { thoughtsTokenCount: thoughts } : {}),
});

export const GEMINI_TEXT_RESPONSE = response('mZJmaMnUGpWpz7IP-5-lqAo', [{ text: 'The capital of France is Paris.' }], 'STOP', textUsage(8, 7, 21));

export const GEMINI_SYSTEM_RESPONSE = response('nJJmaKXSBJ-Oz7IPpZGC8Qo', [{ text: 'Paris is the capital of France.' }], 'STOP', textUsage(22, 7));

export const GEMINI_MULTI_TURN_RESPONSE = response('o5JmaJjcLeGiz7IPm4SxmQs', [{ text: 'The capital of Germany is Berlin.' }], 'STOP', textUsage(24, 7));

/** Two parallel calls; Gemini ends a turn that calls functions with STOP and gives the calls no ids. */
export const GEMINI_TOOL_CALL_RESPONSE = response(
  'p5JmaPXlMsmMz7IPsLf9wQ4',
  [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }, { functionCall: { name: 'get_weather', args: { city: 'Berlin' } } }],
  'STOP',
  textUsage(71, 36),
);

export const GEMINI_TOOL_RESULT_RESPONSE = response('q5JmaKvDOOKAz7IP-Ia0mA0', [{ text: 'It is sunny and 18°C in Paris today.' }], 'STOP', textUsage(95, 12));

export const GEMINI_IMAGE_RESPONSE = response(
  'r5JmaIHjFNeKz7IPwd2kkQw',
  [{ text: 'The image shows a small transparent square.' }],
  'STOP',
  { promptTokenCount: 265, candidatesTokenCount: 9, totalTokenCount: 274, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 7 }, { modality: 'IMAGE', tokenCount: 258 }] },
);

/** Implicit caching: cachedContentTokenCount is the part of promptTokenCount read from the cache. */
export const GEMINI_CACHED_USAGE = {
  promptTokenCount: 2152,
  cachedContentTokenCount: 2048,
  candidatesTokenCount: 7,
  thoughtsTokenCount: 30,
  totalTokenCount: 2189,
  promptTokensDetails: [{ modality: 'TEXT', tokenCount: 2152 }],
  cacheTokensDetails: [{ modality: 'TEXT', tokenCount: 2048 }],
};

export const GEMINI_CACHED_RESPONSE = response('s5JmaO7bH5yJz7IPraWmkAU', [{ text: 'The capital of France is Paris.' }], 'STOP', GEMINI_CACHED_USAGE);

/**
 * The streamed form of GEMINI_TEXT_RESPONSE: text in several chunks, each with the usage so far, the
 * finish reason on the last.
 */
export const GEMINI_TEXT_STREAM = geminiSse([
  response('mZJmaMnUGpWpz7IP-5-lqAo', [{ text: 'The capital' }], undefined, { promptTokenCount: 8, totalTokenCount: 29, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 8 }], thoughtsTokenCount: 21 }),
  response('mZJmaMnUGpWpz7IP-5-lqAo', [{ text: ' of France is' }], undefined, { promptTokenCount: 8, totalTokenCount: 29, promptTokensDetails: [{ modality: 'TEXT', tokenCount: 8 }], thoughtsTokenCount: 21 }),
  response('mZJmaMnUGpWpz7IP-5-lqAo', [{ text: ' Paris.' }], 'STOP', textUsage(8, 7, 21)),
]);

export const GEMINI_CACHED_STREAM = geminiSse([
  response('s5JmaO7bH5yJz7IPraWmkAU', [{ text: 'The capital of France' }], undefined, { ...GEMINI_CACHED_USAGE, candidatesTokenCount: 4, totalTokenCount: 2186 }),
  response('s5JmaO7bH5yJz7IPraWmkAU', [{ text: ' is Paris.' }], 'STOP', GEMINI_CACHED_USAGE),
]);

/** Streamed function calls: each call arrives whole, in one chunk. */
export const GEMINI_TOOL_CALL_STREAM = geminiSse([
  response('p5JmaPXlMsmMz7IPsLf9wQ4', [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }], undefined, textUsage(71, 18)),
  response('p5JmaPXlMsmMz7IPsLf9wQ4', [{ functionCall: { name: 'get_weather', args: { city: 'Berlin' } } }], 'STOP', textUsage(71, 36)),
]);

export const GEMINI_MALFORMED_STREAM =
  geminiSse([response('t5JmaLnVI7OUz7IP0ZSjmQ4', [{ text: 'The capital' }], undefined, textUsage(8, 2))]) +
  'data: {"candidates": [{"content": {"parts": [{"text": " of Fra\r\n\r\n';

/** A stream that fails after it started: Google's error body as an event. */
export const GEMINI_ERROR_MID_STREAM =
  geminiSse([response('u5JmaNzCKp2Kz7IPlceX2QE', [{ text: 'The capital' }], undefined, textUsage(8, 2))]) +
  geminiSse([{ error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } }]);

export const GEMINI_EMBED_RESPONSE = {
  embeddings: [{ values: [0.013168523, -0.008711934, -0.046782676, 0.000699695] }, { values: [-0.024879148, 0.015214561, -0.035412393, 0.012099456] }],
};

/** Google's error model, the body of every non-2xx answer. */
export function geminiError(code: number, status: string, message: string, details?: unknown[]) {
  return { error: { code, message, status, ...(details ? { details } : {}) } };
}

/**
 * Each error class. The Gemini troubleshooting guide lists 400, 403, 404, 429, 500, 503 and 504; the
 * 401, 408 and 413 come from Google's front end in the same error model. A 429 gives its delay in a
 * google.rpc.RetryInfo detail, not in a Retry-After header.
 */
export const GEMINI_ERRORS = {
  400: geminiError(400, 'INVALID_ARGUMENT', '* GenerateContentRequest.contents: contents is not specified\n'),
  401: geminiError(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.'),
  403: geminiError(403, 'PERMISSION_DENIED', 'Method doesn\'t allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.'),
  404: geminiError(404, 'NOT_FOUND', 'models/gemini-9.9-flash is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.'),
  408: geminiError(408, 'DEADLINE_EXCEEDED', 'The request timed out before the client sent it whole.'),
  413: geminiError(413, 'INVALID_ARGUMENT', 'Request payload size exceeds the limit: 20971520 bytes.'),
  429: geminiError(429, 'RESOURCE_EXHAUSTED', 'You exceeded your current quota, please check your plan and billing details.', [
    { '@type': 'type.googleapis.com/google.rpc.QuotaFailure', violations: [{ quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests', quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier' }] },
    { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '37s' },
  ]),
  500: geminiError(500, 'INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting'),
  503: geminiError(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.'),
} as const;

/** A documented error as a conformance exchange: its status, its body, and the message the gateway keeps. */
export function geminiErrorExchange(status: keyof typeof GEMINI_ERRORS): ErrorExchange {
  const body = GEMINI_ERRORS[status];
  return { reply: reply.error(status, body), message: body.error.message.trim() };
}

/** Every status of the conformance suites, as the Gemini API answers it. */
export function geminiErrors() {
  return {
    error_400: geminiErrorExchange(400),
    error_401: geminiErrorExchange(401),
    error_403: geminiErrorExchange(403),
    error_404: geminiErrorExchange(404),
    error_408: geminiErrorExchange(408),
    error_413: geminiErrorExchange(413),
    // No Retry-After header: the delay comes from the body's google.rpc.RetryInfo (retryDelay "37s").
    error_429: { ...geminiErrorExchange(429), retryAfterMs: 37_000 },
    error_500: geminiErrorExchange(500),
    error_503: geminiErrorExchange(503),
  };
}

/** Imagen's predict answer for two samples: base64 PNGs (1x1 here) and their MIME type. */
export const IMAGEN_PREDICT_RESPONSE = {
  predictions: [
    { bytesBase64Encoded: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', mimeType: 'image/png' },
    { bytesBase64Encoded: 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', mimeType: 'image/png' },
  ],
};
