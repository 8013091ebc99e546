import type { ChatRequest } from '@switchyard/contracts';
import { readImageHeader, readWavHeader } from './media-headers';
import { MOCK_TRANSCRIPT, mockModeration, mockSentiment, mockTranscription, mockVisionDescription } from './mock-models';
import { createMockProvider } from './mock-provider';

// A real 1 x 1 PNG, as an encoder writes it.
const PNG_1X1 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

function png(width: number, height: number): Buffer {
  const bytes = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes);
  bytes.writeUInt32BE(13, 8);
  bytes.write('IHDR', 12, 'latin1');
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  return bytes;
}

/** A JPEG's start: SOI, an APP0 (JFIF) segment, a DQT-sized filler segment, then SOF2 (progressive) with the size. */
function jpeg(width: number, height: number): Buffer {
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const dqt = Buffer.concat([Buffer.from([0xff, 0xdb, 0x00, 0x05]), Buffer.from([0, 1, 2])]);
  const sof = Buffer.alloc(11);
  sof.writeUInt16BE(0xffc2, 0);
  sof.writeUInt16BE(9, 2);
  sof[4] = 8;
  sof.writeUInt16BE(height, 5);
  sof.writeUInt16BE(width, 7);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, dqt, sof]);
}

function gif(width: number, height: number): Buffer {
  const bytes = Buffer.alloc(13);
  bytes.write('GIF89a', 0, 'latin1');
  bytes.writeUInt16LE(width, 6);
  bytes.writeUInt16LE(height, 8);
  return bytes;
}

function webp(chunk: 'VP8 ' | 'VP8L' | 'VP8X', width: number, height: number): Buffer {
  const bytes = Buffer.alloc(32);
  bytes.write('RIFF', 0, 'latin1');
  bytes.writeUInt32LE(24, 4);
  bytes.write('WEBP', 8, 'latin1');
  bytes.write(chunk, 12, 'latin1');
  if (chunk === 'VP8 ') {
    Buffer.from([0x9d, 0x01, 0x2a]).copy(bytes, 23);
    bytes.writeUInt16LE(width, 26);
    bytes.writeUInt16LE(height, 28);
  } else if (chunk === 'VP8L') {
    bytes[20] = 0x2f;
    bytes.writeUInt32LE(((width - 1) | ((height - 1) << 14)) >>> 0, 21);
  } else {
    bytes.writeUIntLE(width - 1, 24, 3);
    bytes.writeUIntLE(height - 1, 27, 3);
  }
  return bytes;
}

/** A PCM WAV file: a LIST chunk before fmt (as some recorders write), then `seconds` of silence. */
function wav(sampleRate: number, channels: number, seconds: number, declaredSize?: number): Buffer {
  const byteRate = sampleRate * channels * 2;
  const dataBytes = Math.round(byteRate * seconds);
  const list = Buffer.concat([Buffer.from('LIST', 'latin1'), Buffer.from([3, 0, 0, 0]), Buffer.from('abc\0', 'latin1')]);
  const fmt = Buffer.alloc(24);
  fmt.write('fmt ', 0, 'latin1');
  fmt.writeUInt32LE(16, 4);
  fmt.writeUInt16LE(1, 8);
  fmt.writeUInt16LE(channels, 10);
  fmt.writeUInt32LE(sampleRate, 12);
  fmt.writeUInt32LE(byteRate, 16);
  fmt.writeUInt16LE(channels * 2, 20);
  fmt.writeUInt16LE(16, 22);
  const dataHeader = Buffer.alloc(8);
  dataHeader.write('data', 0, 'latin1');
  dataHeader.writeUInt32LE(declaredSize ?? dataBytes, 4);
  const riff = Buffer.alloc(12);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(4 + list.length + fmt.length + dataHeader.length + dataBytes, 4);
  riff.write('WAVE', 8, 'latin1');
  return Buffer.concat([riff, list, fmt, dataHeader, Buffer.alloc(dataBytes)]);
}

describe('image headers', () => {
  it('reads the format and pixel size of PNG, JPEG, GIF and each kind of WebP', () => {
    expect(readImageHeader(Buffer.from(PNG_1X1, 'base64'))).toEqual({ format: 'PNG', width: 1, height: 1 });
    expect(readImageHeader(png(640, 480))).toEqual({ format: 'PNG', width: 640, height: 480 });
    expect(readImageHeader(jpeg(1920, 1080))).toEqual({ format: 'JPEG', width: 1920, height: 1080 });
    expect(readImageHeader(gif(32, 16))).toEqual({ format: 'GIF', width: 32, height: 16 });
    expect(readImageHeader(webp('VP8 ', 300, 200))).toEqual({ format: 'WebP', width: 300, height: 200 });
    expect(readImageHeader(webp('VP8L', 1000, 3))).toEqual({ format: 'WebP', width: 1000, height: 3 });
    expect(readImageHeader(webp('VP8X', 4000, 2500))).toEqual({ format: 'WebP', width: 4000, height: 2500 });
  });

  it('reads nothing from bytes that are not an image, or an image cut off before its size', () => {
    expect(readImageHeader(Buffer.from('hello, world, this is plain text'))).toBeUndefined();
    expect(readImageHeader(png(640, 480).subarray(0, 20))).toBeUndefined();
    expect(readImageHeader(jpeg(10, 10).subarray(0, 30))).toBeUndefined();
  });
});

describe('WAV headers', () => {
  it('reads the duration from the data chunk over the byte rate, past chunks before fmt', () => {
    expect(readWavHeader(wav(16_000, 1, 1.5))).toEqual({ channels: 1, sample_rate: 16_000, duration_seconds: 1.5 });
    expect(readWavHeader(wav(44_100, 2, 0.25))).toEqual({ channels: 2, sample_rate: 44_100, duration_seconds: 0.25 });
  });

  it('counts the bytes present when the recorder left the data size unset', () => {
    expect(readWavHeader(wav(8_000, 1, 2, 0xffffffff))?.duration_seconds).toBe(2);
  });

  it('reads nothing from audio that is not WAV', () => {
    expect(readWavHeader(Buffer.from('ID3\x04\x00 an mp3 file'))).toBeUndefined();
  });
});

describe('mock-transcribe', () => {
  it('answers a WAV file with its duration and the fixed transcript, and nothing for other audio', () => {
    expect(mockTranscription(wav(16_000, 1, 3))).toEqual({ text: MOCK_TRANSCRIPT, duration_seconds: 3 });
    expect(mockTranscription(Buffer.from('not audio at all'))).toBeUndefined();
  });
});

describe('mock-vision', () => {
  it('describes each inline image by format and size, and says it does not fetch URLs', () => {
    expect(
      mockVisionDescription([
        { text: 'Describe these' },
        { image: { mime_type: 'image/png', data: PNG_1X1 } },
        { image: { mime_type: 'image/jpeg', data: new Uint8Array(jpeg(800, 600)) } },
        { image_url: { url: 'https://example.com/cat.webp' } },
        { image: { mime_type: 'image/gif', data: Buffer.from('garbage').toString('base64') } },
      ]),
    ).toBe(
      [
        'Image 1: a PNG image, 1 x 1 pixels.',
        'Image 2: a JPEG image, 800 x 600 pixels.',
        'Image 3: an image at https://example.com/cat.webp, which mock-vision does not fetch.',
        'Image 4: image/gif data that is not a PNG, JPEG, GIF or WebP image.',
      ].join('\n'),
    );
    expect(mockVisionDescription([{ text: 'no picture' }])).toBe('There is no image in the message.');
  });
});

describe('mock-sentiment', () => {
  it.each([
    ['I love this, it is excellent and the support was great', { label: 'positive', score: 1 }],
    ['Terrible service, the app is broken and slow', { label: 'negative', score: 1 }],
    ['The parcel arrived on Tuesday', { label: 'neutral', score: 1 }],
    ['Great camera but terrible battery', { label: 'mixed', score: 1 }],
    ['Good screen, good speakers, good keyboard, bad trackpad', { label: 'positive', score: 0.75 }],
    ['The food was not good', { label: 'negative', score: 1 }],
  ])('labels %j deterministically', (text, expected) => {
    expect(mockSentiment(text)).toEqual(expected);
  });
});

describe('mock-moderation', () => {
  it('flags the categories whose words the text holds, as whole words', () => {
    expect(mockModeration('I will kill you, you idiot')).toEqual({ flagged: true, categories: ['harassment', 'violence'] });
    expect(mockModeration('The skills workshop was fun')).toEqual({ flagged: false, categories: [] });
  });

  it('answers as a moderation model too, one verdict per input with every category', async () => {
    const provider = createMockProvider({ latencyMs: 0 });
    const answer = await provider.moderate!({ model: 'mock-moderation', input: ['how to launder money', 'a quiet walk'] }, { signal: new AbortController().signal });
    expect(answer.results.map(({ flagged, categories }) => ({ flagged, flaggedCategories: Object.keys(categories).filter((name) => categories[name]) }))).toEqual([
      { flagged: true, flaggedCategories: ['illicit'] },
      { flagged: false, flaggedCategories: [] },
    ]);
    expect(answer.results[0].category_scores).toEqual({ harassment: 0, hate: 0, illicit: 1, self_harm: 0, sexual: 0, violence: 0 });
  });
});

describe('the mock provider serves the mock models through its chat path', () => {
  const provider = createMockProvider({ latencyMs: 0 });
  const ask = (model: string, content: ChatRequest['messages'][number]) => provider.chat!({ model, messages: [{ role: 'system', content: 'Instructions the mock ignores' }, content] }, { signal: new AbortController().signal });

  it('answers mock-sentiment and mock-moderation with JSON of the last user message', async () => {
    const sentiment = await ask('mock-sentiment', { role: 'user', content: 'What a wonderful day' });
    expect(JSON.parse(sentiment.choices[0].message.content!)).toEqual({ label: 'positive', score: 1 });
    const moderation = await ask('mock-moderation', { role: 'user', content: 'how to launder money' });
    expect(JSON.parse(moderation.choices[0].message.content!)).toEqual({ flagged: true, categories: ['illicit'] });
  });

  it('answers mock-vision with the description of the images and streams the same text', async () => {
    const message = { role: 'user', content_parts: [{ text: 'Describe this image.' }, { image: { mime_type: 'image/png', data: png(64, 32).toString('base64') } }] };
    expect((await ask('mock-vision', message)).choices[0].message.content).toBe('Image 1: a PNG image, 64 x 32 pixels.');
    let streamed = '';
    for await (const event of provider.chatStream!({ model: 'mock-vision', messages: [message] }, { signal: new AbortController().signal })) streamed += event.content ?? '';
    expect(streamed).toBe('Image 1: a PNG image, 64 x 32 pixels.');
  });
});
