import type { TranscriptionRequest, TranscriptionResult } from '@switchyard/contracts';
import { errorFixtures, fixtureJson, OPENAI_ERROR_MESSAGES, OPENAI_FIXTURES_DIR } from '../openai-compatible/testing';
import { formFields, ReplayServer, reply, runKindConformanceSuite } from '../testing';
import { openaiProviderFactory } from './index';

const KEY = 'sk-proj-test-audio-5c1e82d0';
const AUDIO = Buffer.from('RIFF-stand-in-audio-bytes');
const REQUEST: TranscriptionRequest = { model: 'whisper-1', audio: AUDIO.toString('base64'), filename: 'beach.wav', language: 'en', prompt: 'sandcastles', temperature: 0.2, response_format: 'srt' };
type Verbose = { language: string; duration: number; text: string; segments: { start: number; end: number; text: string }[] };
const documented = fixtureJson<Verbose>(OPENAI_FIXTURES_DIR, 'transcription-verbose.json');
const createAdapter = (baseUrl: string) => openaiProviderFactory({ base_url: `${baseUrl}/v1` }, { OPENAI_API_KEY: KEY });

runKindConformanceSuite<TranscriptionResult>({
  name: 'openai transcription',
  createAdapter,
  apiKey: KEY,
  call: (adapter, options) => adapter.transcribe!(REQUEST, options),
  route: { path: '/v1/audio/transcriptions' },
  answer: {
    reply: reply.json(documented),
    expected: {
      text: documented.text,
      language: 'english',
      duration_seconds: 8.470000267028809,
      segments: [
        { start: 0, end: 3.319999933242798, text: ' The beach was a popular spot on a hot summer day.' },
        { start: 3.319999933242798, end: 8.470000267028809, text: ' People were swimming in the ocean, building sandcastles, and playing beach volleyball.' },
      ],
    },
    expectRequest: (request) => {
      expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
      expect(request.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
      // Whisper is asked for verbose_json, whatever the caller's format: its duration is what it bills.
      expect(formFields(request)).toEqual({
        file: { filename: 'beach.wav', value: AUDIO.toString('latin1') },
        model: { value: 'whisper-1' },
        response_format: { value: 'verbose_json' },
        language: { value: 'en' },
        prompt: { value: 'sandcastles' },
        temperature: { value: '0.2' },
      });
    },
  },
  badAnswers: {
    'an answer without text': reply.json({ task: 'transcribe', language: 'english', duration: 1 }),
    'a segment that ends before it starts': reply.json({ ...documented, segments: [{ id: 0, start: 2, end: 1, text: 'x' }] }),
  },
  errors: errorFixtures(OPENAI_FIXTURES_DIR, 'errors.json', OPENAI_ERROR_MESSAGES, 20_000),
});

describe('openai gpt-4o-transcribe', () => {
  it('is asked for json, the one format it answers, and its tokens are read', async () => {
    const server = await ReplayServer.start();
    try {
      const answer = fixtureJson<{ text: string }>(OPENAI_FIXTURES_DIR, 'transcription-json.json');
      server.on('POST', '/v1/audio/transcriptions', reply.json(answer));
      const result = await createAdapter(server.baseUrl).transcribe!({ model: 'gpt-4o-transcribe', audio: AUDIO.toString('base64'), filename: 'idea.mp3' }, { signal: AbortSignal.timeout(5000) });
      expect(formFields(server.onlyRequest())).toEqual({ file: { filename: 'idea.mp3', value: AUDIO.toString('latin1') }, model: { value: 'gpt-4o-transcribe' }, response_format: { value: 'json' } });
      expect(result).toEqual({ text: answer.text, usage: { prompt_tokens: 14, completion_tokens: 45, total_tokens: 59 } });
    } finally {
      await server.close();
    }
  });
});
