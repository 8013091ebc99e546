import { join } from 'node:path';
import type { TranscriptionRequest, TranscriptionResult } from '@switchyard/contracts';
import { errorFixtures, fixtureJson, OPENAI_ERROR_MESSAGES, OPENAI_FIXTURES_DIR } from '../openai-compatible/testing';
import { formFields, reply, runKindConformanceSuite } from '../testing';
import { groqProviderFactory } from './index';

const KEY = 'gsk_test_audio_0d4e7a61';
const AUDIO = Buffer.from('RIFF-stand-in-audio-bytes');
const REQUEST: TranscriptionRequest = { model: 'whisper-large-v3', audio: AUDIO.toString('base64'), filename: 'note.m4a' };
const documented = fixtureJson<{ text: string }>(join(__dirname, 'fixtures'), 'transcription-verbose.json');

// Groq's audio API is OpenAI's at /openai/v1/audio/transcriptions, its errors OpenAI's shape.
runKindConformanceSuite<TranscriptionResult>({
  name: 'groq transcription',
  createAdapter: (baseUrl) => groqProviderFactory({ base_url: `${baseUrl}/openai/v1` }, { GROQ_API_KEY: KEY }),
  apiKey: KEY,
  call: (adapter, options) => adapter.transcribe!(REQUEST, options),
  route: { path: '/openai/v1/audio/transcriptions' },
  answer: {
    reply: reply.json(documented),
    expected: { text: documented.text, language: 'English', duration_seconds: 10.24, segments: [{ start: 0, end: 10.24, text: documented.text }] },
    expectRequest: (request) => {
      expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
      expect(formFields(request)).toEqual({ file: { filename: 'note.m4a', value: AUDIO.toString('latin1') }, model: { value: 'whisper-large-v3' }, response_format: { value: 'verbose_json' } });
    },
  },
  badAnswers: {
    'an answer whose text is not a string': reply.json({ ...documented, text: null }),
    'a segment without times': reply.json({ ...documented, segments: [{ id: 0, text: 'x' }] }),
  },
  errors: errorFixtures(OPENAI_FIXTURES_DIR, 'errors.json', OPENAI_ERROR_MESSAGES, 20_000),
});
