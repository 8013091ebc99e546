import { join } from 'node:path';
import type { TranscriptionRequest, TranscriptionResult } from '@switchyard/contracts';
import { errorFixtures, fixtureJson } from '../openai-compatible/testing';
import { ReplayServer, reply, runKindConformanceSuite } from '../testing';
import { deepgramProviderFactory } from './index';
import { audioContentType } from './transcription';

const KEY = 'dg_test_listen_7f3a09c2';
const DIR = join(__dirname, 'fixtures');
const AUDIO = Buffer.from([0x52, 0x49, 0x46, 0x46, 0x00, 0xff, 0x10, 0x80]);
const REQUEST: TranscriptionRequest = { model: 'nova-3', audio: AUDIO.toString('base64'), filename: 'spacewalk.wav', prompt: 'not sent', temperature: 0 };
const documented = fixtureJson<{ results: { channels: { alternatives: { transcript: string }[] }[] } }>(DIR, 'listen.json');
const createAdapter = (baseUrl: string) => deepgramProviderFactory({ base_url: `${baseUrl}/v1` }, { DEEPGRAM_API_KEY: KEY });

runKindConformanceSuite<TranscriptionResult>({
  name: 'deepgram transcription',
  createAdapter,
  apiKey: KEY,
  call: (adapter, options) => adapter.transcribe!(REQUEST, options),
  route: { path: '/v1/listen' },
  answer: {
    reply: reply.json(documented),
    expected: { text: documented.results.channels[0].alternatives[0].transcript, duration_seconds: 25.933313 },
    expectRequest: (request) => {
      expect(request.headers.authorization).toBe(`Token ${KEY}`);
      // The audio is the body itself, under its own type; options are the query.
      expect(request.headers['content-type']).toBe('audio/wav');
      expect(request.bytes).toEqual(AUDIO);
      expect(request.query).toEqual({ model: 'nova-3', smart_format: 'true', detect_language: 'true' });
    },
  },
  badAnswers: {
    'an answer without channels': reply.json({ metadata: { duration: 1 }, results: { channels: [] } }),
    'an answer without metadata.duration': reply.json({ results: documented.results }),
  },
  errors: errorFixtures(
    DIR,
    'errors.json',
    {
      '400': 'Bad Request: failed to process audio: corrupt or unsupported data',
      '401': 'Invalid credentials.',
      '403': 'Insufficient permissions.',
      '404': 'Project not found.',
      '408': 'The request timed out before the audio was received.',
      '413': 'Request body exceeded the maximum size.',
      '429': 'Too many requests. Please try again later',
      '500': 'An internal server error occurred.',
      '503': 'Service is temporarily unavailable.',
    },
    0,
  ),
});

describe('deepgram', () => {
  it('sends the language it is given rather than detecting one, and reads the detected language back otherwise', async () => {
    const server = await ReplayServer.start();
    try {
      server.on('POST', '/v1/listen', reply.json(documented), reply.json({ ...documented, results: { channels: [{ ...documented.results.channels[0], detected_language: 'en' }] } }));
      const adapter = createAdapter(server.baseUrl);
      const told = await adapter.transcribe!({ ...REQUEST, language: 'en-US', filename: 'call.mp3' }, { signal: AbortSignal.timeout(5000) });
      expect(server.requests[0].query).toEqual({ model: 'nova-3', smart_format: 'true', language: 'en-US' });
      expect(server.requests[0].headers['content-type']).toBe('audio/mpeg');
      expect(told.language).toBe('en-US');
      const detected = await adapter.transcribe!(REQUEST, { signal: AbortSignal.timeout(5000) });
      expect(detected.language).toBe('en');
    } finally {
      await server.close();
    }
  });

  it('names the audio type by the file extension, and leaves an unknown one to Deepgram to detect', () => {
    expect(['a.WAV', 'b.flac', 'c.webm', 'd.ogg', 'e', 'f.xyz'].map(audioContentType)).toEqual(['audio/wav', 'audio/flac', 'audio/webm', 'audio/ogg', 'application/octet-stream', 'application/octet-stream']);
  });
});
