import { fromOpenAITranscriptionForm, toOpenAITranscription } from './openai-transcriptions';

const response = {
  id: 'req-1',
  model: 'whisper-1',
  provider: 'openai',
  created: 1764726000,
  text: 'Hello there.',
  language: 'english',
  duration_seconds: 1.5,
  segments: [{ start: 0, end: 1.5, text: ' Hello there.' }],
  usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, audio_seconds: 1.5 },
  cost_usd: 0.00015,
};

describe('OpenAI audio transcriptions format', () => {
  it('takes the form\'s file as base64 and its fields, leaving out the options the gateway does not pass on', () => {
    const form = { fields: { model: 'whisper-1', language: 'en', prompt: 'p', response_format: 'srt', temperature: '0.3', user: 'u', 'timestamp_granularities[]': 'word' }, file: { filename: 'a.wav', mimeType: 'audio/wav', content: Buffer.from('RIFF') } };
    expect(fromOpenAITranscriptionForm(form)).toEqual({ model: 'whisper-1', audio: 'UklGRg==', filename: 'a.wav', language: 'en', prompt: 'p', response_format: 'srt', temperature: 0.3, user: 'u' });
  });

  it('leaves the audio empty when the form has no file, for validation to name the field', () => {
    expect(fromOpenAITranscriptionForm({ fields: { model: 'whisper-1', temperature: 'warm' } })).toEqual({ model: 'whisper-1', audio: '', filename: 'audio', temperature: NaN });
  });

  it('answers json with the text and the billed duration, verbose_json with language, duration and segments', () => {
    expect(toOpenAITranscription(response, 'json')).toEqual({ contentType: 'application/json', body: JSON.stringify({ text: 'Hello there.', usage: { type: 'duration', seconds: 1.5 } }) });
    expect(JSON.parse(toOpenAITranscription(response, 'verbose_json').body)).toEqual({
      task: 'transcribe',
      language: 'english',
      duration: 1.5,
      text: 'Hello there.',
      segments: [{ id: 0, start: 0, end: 1.5, text: ' Hello there.' }],
      usage: { type: 'duration', seconds: 1.5 },
    });
  });

  it('answers tokens as the usage of a model billed by them, and text, srt and vtt as text', () => {
    const tokens = { ...response, usage: { prompt_tokens: 14, completion_tokens: 45, total_tokens: 59 } };
    expect(JSON.parse(toOpenAITranscription(tokens).body).usage).toEqual({ type: 'tokens', input_tokens: 14, output_tokens: 45, total_tokens: 59 });
    expect(toOpenAITranscription(response, 'text')).toEqual({ contentType: 'text/plain; charset=utf-8', body: 'Hello there.\n' });
    expect(toOpenAITranscription(response, 'vtt')).toEqual({ contentType: 'text/vtt; charset=utf-8', body: 'WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nHello there.\n' });
  });
});
