// OpenAI's audio transcriptions API (POST /v1/audio/transcriptions): the multipart form's fields to the
// unified request, and the answer in the response_format asked for. Pure translators; what the values
// may be is validateTranscriptionRequest's, which gRPC's Transcribe calls alike.
import { LIMITS, renderTranscript, type TranscriptionFormat, type TranscriptionRequest, type TranscriptionResponse } from '@switchyard/contracts';
import type { MultipartForm, MultipartLimits } from './multipart';

export const TRANSCRIPTION_PATH = '/v1/audio/transcriptions';

export const TRANSCRIPTION_FORM: MultipartLimits = {
  fileField: 'file',
  fileBytes: LIMITS.audioBytes,
  // model, language, prompt, response_format, temperature, user, and OpenAI's options the gateway ignores
  // (timestamp_granularities[], include[], chunking_strategy...).
  fields: 16,
  fieldBytes: LIMITS.transcriptionPromptChars * 4,
  expected: 'with the fields file and model',
};

/** The most a transcription's form may be: its file and its fields, with room for the parts' headers. */
export const TRANSCRIPTION_FORM_BYTES = TRANSCRIPTION_FORM.fileBytes + TRANSCRIPTION_FORM.fields * TRANSCRIPTION_FORM.fieldBytes + 64 * 1024;

export function fromOpenAITranscriptionForm(form: MultipartForm): TranscriptionRequest {
  const { fields, file } = form;
  const request: TranscriptionRequest = { model: fields.model ?? '', audio: file ? file.content.toString('base64') : '', filename: file?.filename || 'audio' };
  if (fields.language) request.language = fields.language;
  if (fields.prompt) request.prompt = fields.prompt;
  if (fields.response_format) request.response_format = fields.response_format as TranscriptionFormat;
  // Not a number is NaN, which validation refuses naming the field.
  if (fields.temperature) request.temperature = Number(fields.temperature);
  if (fields.user) request.user = fields.user;
  return request;
}

/** The answer as OpenAI gives it: JSON for json and verbose_json, plain text for text, srt and vtt. */
export function toOpenAITranscription(response: TranscriptionResponse, format: TranscriptionFormat = 'json'): { contentType: string; body: string } {
  if (format === 'text' || format === 'srt' || format === 'vtt') {
    const contentType = format === 'vtt' ? 'text/vtt; charset=utf-8' : 'text/plain; charset=utf-8';
    return { contentType, body: renderTranscript(response, format) };
  }
  const seconds = response.usage.audio_seconds;
  const usage =
    seconds !== undefined
      ? { type: 'duration', seconds }
      : { type: 'tokens', input_tokens: response.usage.prompt_tokens, output_tokens: response.usage.completion_tokens, total_tokens: response.usage.total_tokens };
  if (format === 'json') return { contentType: 'application/json', body: JSON.stringify({ text: response.text, usage }) };
  return {
    contentType: 'application/json',
    body: JSON.stringify({
      task: 'transcribe',
      language: response.language ?? '',
      duration: response.duration_seconds ?? 0,
      text: response.text,
      segments: (response.segments ?? []).map((segment, id) => ({ id, start: segment.start, end: segment.end, text: segment.text })),
      usage,
    }),
  };
}
