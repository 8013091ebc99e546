// OpenAI's audio transcriptions API (POST /v1/audio/transcriptions, multipart/form-data), as its API
// reference documents it; Groq serves the same at /openai/v1/audio/transcriptions. Pure translators.
// Whisper models are asked for verbose_json, whose duration is what they bill; gpt-4o-transcribe and
// gpt-4o-mini-transcribe take json only, and report tokens instead.
import { GatewayError, type TranscriptSegment, type TranscriptionRequest, type TranscriptionResult } from '@switchyard/contracts';

export interface OpenAITranscriptionResponse {
  text?: unknown;
  language?: unknown;
  duration?: unknown;
  segments?: { start?: unknown; end?: unknown; text?: unknown }[];
  usage?: { type?: string; seconds?: number; input_tokens?: number; output_tokens?: number; total_tokens?: number };
}

/** The models that answer json only (OpenAI's gpt-4o transcription models). */
function answersJsonOnly(model: string): boolean {
  return model.startsWith('gpt-4o');
}

export function toOpenAITranscriptionForm(request: TranscriptionRequest): FormData {
  const form = new FormData();
  form.append('file', new Blob([Buffer.from(request.audio, 'base64')]), request.filename);
  form.append('model', request.model);
  form.append('response_format', answersJsonOnly(request.model) ? 'json' : 'verbose_json');
  if (request.language) form.append('language', request.language);
  if (request.prompt) form.append('prompt', request.prompt);
  if (request.temperature !== undefined) form.append('temperature', String(request.temperature));
  return form;
}

export function fromOpenAITranscriptionResponse(provider: string, response: OpenAITranscriptionResponse | null): TranscriptionResult {
  if (typeof response?.text !== 'string') throw new GatewayError('provider_bad_response', `${provider} returned a transcription without text`);
  const result: TranscriptionResult = { text: response.text };
  if (typeof response.language === 'string' && response.language) result.language = response.language;
  const usage = response.usage;
  const duration = typeof response.duration === 'number' ? response.duration : usage?.type === 'duration' && typeof usage.seconds === 'number' ? usage.seconds : undefined;
  if (duration !== undefined) result.duration_seconds = duration;
  if (Array.isArray(response.segments)) result.segments = response.segments.map((segment) => checkedSegment(provider, segment));
  if (usage?.type === 'tokens') {
    const prompt = usage.input_tokens ?? 0;
    const completion = usage.output_tokens ?? 0;
    result.usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: usage.total_tokens ?? prompt + completion };
  }
  return result;
}

export function checkedSegment(provider: string, segment: { start?: unknown; end?: unknown; text?: unknown } | null): TranscriptSegment {
  if (typeof segment?.start !== 'number' || typeof segment.end !== 'number' || typeof segment.text !== 'string' || segment.end < segment.start) {
    throw new GatewayError('provider_bad_response', `${provider} returned a transcript segment without a start, an end at or after it, and text`);
  }
  return { start: segment.start, end: segment.end, text: segment.text };
}

/** A form as the bytes and content-type (with its boundary) of a multipart/form-data body. */
export async function multipartBody(form: FormData): Promise<{ body: Uint8Array; contentType: string }> {
  const encoded = new Response(form);
  return { body: new Uint8Array(await encoded.arrayBuffer()), contentType: encoded.headers.get('content-type')! };
}
