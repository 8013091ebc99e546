// The unified speech-to-text request and answer (POST /v1/audio/transcriptions in OpenAI's format, gRPC
// Transcribe): an audio file in, its transcript out. The audio travels in the pipeline's events as
// base64, within LIMITS.audioBytes (and, in distributed mode, Kafka's message size: docs/kinds.md).
import type { Usage } from './chat';

/** The formats a caller may ask the transcript in, as OpenAI's API names them. */
export type TranscriptionFormat = 'json' | 'text' | 'verbose_json' | 'srt' | 'vtt';
export const TRANSCRIPTION_FORMATS: readonly TranscriptionFormat[] = ['json', 'text', 'verbose_json', 'srt', 'vtt'];

export interface TranscriptionRequest {
  model: string;
  /** The audio file's bytes as base64. */
  audio: string;
  /** The file's name as the caller sent it; its extension tells providers the audio's format. */
  filename: string;
  /** The audio's language, ISO-639-1 (e.g. en) or a BCP-47 tag (en-US); detected when absent. */
  language?: string;
  /** Text to guide the model's style or spelling of words. */
  prompt?: string;
  /** json when absent. */
  response_format?: TranscriptionFormat;
  /** Sampling temperature, 0 to 1. */
  temperature?: number;
  user?: string;
  metadata?: Record<string, string>;
}

/** A stretch of the transcript with its times in seconds from the start of the audio. */
export interface TranscriptSegment {
  start: number;
  end: number;
  text: string;
}

export interface TranscriptionResponse {
  id: string;
  model: string;
  provider: string;
  created: number;
  text: string;
  /** The audio's language as the provider detected or was told it; absent where it says none. */
  language?: string;
  /** The audio's length in seconds (usage.audio_seconds), where the provider reports it. */
  duration_seconds?: number;
  /** Where the provider timed the transcript. */
  segments?: TranscriptSegment[];
  usage: Usage;
  cost_usd: number;
}

/**
 * The transcript as plain text, SRT or WebVTT subtitles. A provider that timed no segments gives one
 * cue over the whole audio (or of no length, when it reported no duration either).
 */
export function renderTranscript(response: Pick<TranscriptionResponse, 'text' | 'segments' | 'duration_seconds'>, format: 'text' | 'srt' | 'vtt'): string {
  if (format === 'text') return `${response.text}\n`;
  const cues = response.segments && response.segments.length > 0 ? response.segments : [{ start: 0, end: response.duration_seconds ?? 0, text: response.text }];
  const separator = format === 'srt' ? ',' : '.';
  const body = cues.map((cue, index) => `${format === 'srt' ? `${index + 1}\n` : ''}${timestamp(cue.start, separator)} --> ${timestamp(cue.end, separator)}\n${cue.text.trim()}\n`).join('\n');
  return format === 'vtt' ? `WEBVTT\n\n${body}` : body;
}

/** HH:MM:SS,mmm (SRT) or HH:MM:SS.mmm (WebVTT). */
function timestamp(seconds: number, separator: string): string {
  const millis = Math.round(Math.max(0, seconds) * 1000);
  const pad = (value: number, width: number) => String(value).padStart(width, '0');
  return `${pad(Math.floor(millis / 3_600_000), 2)}:${pad(Math.floor(millis / 60_000) % 60, 2)}:${pad(Math.floor(millis / 1000) % 60, 2)}${separator}${pad(millis % 1000, 3)}`;
}
