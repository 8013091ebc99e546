// Deepgram's pre-recorded speech to text (POST /v1/listen), as its API reference documents it: the
// audio is the raw request body under its own Content-Type, the options are query parameters, and
// the transcript is results.channels[0].alternatives[0].transcript. Pure translators.
import { GatewayError, type TranscriptionRequest, type TranscriptionResult } from '@switchyard/contracts';

export interface DeepgramListenResponse {
  metadata?: { request_id?: unknown; duration?: unknown };
  results?: { channels?: { detected_language?: unknown; alternatives?: { transcript?: unknown }[] }[] };
}

// By the file's extension, the formats Deepgram lists among those it reads; it detects others itself.
const AUDIO_TYPES: Record<string, string> = {
  wav: 'audio/wav',
  mp3: 'audio/mpeg',
  mpga: 'audio/mpeg',
  mpeg: 'audio/mpeg',
  m4a: 'audio/mp4',
  mp4: 'audio/mp4',
  flac: 'audio/flac',
  ogg: 'audio/ogg',
  opus: 'audio/ogg',
  webm: 'audio/webm',
  aac: 'audio/aac',
};

export function audioContentType(filename: string): string {
  const extension = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1]?.toLowerCase() ?? '';
  return AUDIO_TYPES[extension] ?? 'application/octet-stream';
}

/**
 * The query of a /v1/listen call: the model, smart formatting (punctuation and numbers as Whisper
 * writes them), and the language when given, else detected. Deepgram has no prompt or temperature:
 * those are not sent.
 */
export function toDeepgramListenQuery(request: TranscriptionRequest): URLSearchParams {
  const query = new URLSearchParams({ model: request.model, smart_format: 'true' });
  if (request.language) query.set('language', request.language);
  else query.set('detect_language', 'true');
  return query;
}

export function fromDeepgramListenResponse(provider: string, response: DeepgramListenResponse | null, request: TranscriptionRequest): TranscriptionResult {
  const channel = response?.results?.channels?.[0];
  const transcript = channel?.alternatives?.[0]?.transcript;
  if (typeof transcript !== 'string') throw new GatewayError('provider_bad_response', `${provider} returned no results.channels[0].alternatives[0].transcript`);
  const duration = response?.metadata?.duration;
  if (typeof duration !== 'number' || duration < 0) throw new GatewayError('provider_bad_response', `${provider} returned no metadata.duration, which a transcription is billed by`);
  const result: TranscriptionResult = { text: transcript, duration_seconds: duration };
  const language = request.language || channel?.detected_language;
  if (typeof language === 'string' && language) result.language = language;
  return result;
}
