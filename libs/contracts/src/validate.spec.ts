import { GatewayError, InvalidFieldError } from './errors';
import { LIMITS } from './limits';
import { parseCacheControl, validateChatRequest, validateEmbedRequest, validateImageGenerationRequest, validateModerationRequest, validateRerankRequest, validateTranscriptionRequest } from './validate';
import { renderTranscript } from './transcription';

const ok = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
const image = (url: string) => ({ ...ok, messages: [{ role: 'user', content_parts: [{ image_url: { url } }] }] });
const tool = (name: string) => ({ type: 'function', function: { name } });

function refusal(run: () => void): { param: string; message: string } {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidFieldError) return { param: error.param, message: error.message };
    throw error;
  }
  throw new Error('accepted');
}

describe('validateChatRequest refuses what no front door may pass on', () => {
  it.each([
    // A model name of kilobytes stopped analytics (its row's index entry was over Postgres' limit).
    ['a 9 KB model name', { ...ok, model: 'm'.repeat(9000) }, 'model', 'model is 9000 characters long; at most 256 are accepted'],
    ['NUL in metadata', { ...ok, metadata: { team: 'a\u0000b' } }, 'metadata.team', 'metadata.team must not hold control characters'],
    ['a lone surrogate in metadata', { ...ok, metadata: { team: '\ud800' } }, 'metadata.team', 'metadata.team is not well-formed Unicode (it holds a lone surrogate)'],
    ['a lone surrogate in a metadata key', { ...ok, metadata: { ['\udc00']: 'x' } }, 'metadata', 'metadata key "\\udc00" is not well-formed Unicode (it holds a lone surrogate)'],
    ['a metadata value of 10 KB', { ...ok, metadata: { team: 'x'.repeat(10_240) } }, 'metadata.team', 'metadata.team is 10240 characters long; at most 512 are accepted'],
    ['a metadata key of 65 characters', { ...ok, metadata: { ['k'.repeat(65)]: 'x' } }, 'metadata', `metadata key "${'k'.repeat(64)}" is 65 characters long; at most 64 are accepted`],
    ['65 metadata pairs', { ...ok, metadata: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) }, 'metadata', 'metadata holds 65 pairs; at most 64 are accepted'],
    ['metadata that is not an object', { ...ok, metadata: ['x'] }, 'metadata', 'metadata must be an object'],
    ['a metadata value that is not a string', { ...ok, metadata: { n: 1 } }, 'metadata.n', 'metadata.n must be a string'],
    ['a user of 1 MB', { ...ok, user: 'u'.repeat(1 << 20) }, 'user', `user is ${1 << 20} characters long; at most 256 are accepted`],
    ['a newline in user', { ...ok, user: 'a\nb' }, 'user', 'user must not hold control characters'],
    ['17 stop sequences', { ...ok, stop: Array.from({ length: 17 }, () => 'x') }, 'stop', 'stop holds 17 sequences; at most 16 are accepted'],
    ['an empty stop sequence', { ...ok, stop: [''] }, 'stop[0]', 'stop[0] must not be empty'],
    ['a stop sequence of 10 KB', { ...ok, stop: ['s'.repeat(10_240)] }, 'stop[0]', 'stop[0] is 10240 characters long; at most 256 are accepted'],
    ['NUL in a stop sequence', { ...ok, stop: ['\u0000'] }, 'stop[0]', 'stop[0] must not hold NUL (\\u0000)'],
    ['a tool name of 129 characters', { ...ok, tools: [tool('f'.repeat(129))] }, 'tools[0].function.name', 'tools[0].function.name is 129 characters long; at most 128 are accepted'],
    ['129 tools', { ...ok, tools: Array.from({ length: 129 }, (_, i) => tool(`f${i}`)) }, 'tools', 'tools holds 129 items; at most 128 are accepted'],
    ['a tool that is not a function', { ...ok, tools: [{ type: 'retrieval', function: { name: 'f' } }] }, 'tools[0].type', 'tools[0].type must be function (only function tools are supported)'],
    ['tool parameters that are not an object', { ...ok, tools: [{ type: 'function', function: { name: 'f', parameters_json: '[1]' } }] }, 'tools[0].function.parameters_json', 'tools[0].function.parameters_json must be a JSON object (a JSON Schema)'],
    ['a called function name of 10 KB', { ...ok, messages: [{ role: 'assistant', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f'.repeat(10_240), arguments: '{}' } }] }] }, 'messages[0].tool_calls[0].function.name', 'messages[0].tool_calls[0].function.name is 10240 characters long; at most 128 are accepted'],
    ['a made-up tool_choice', { ...ok, tool_choice: { mode: 'sometimes' } }, 'tool_choice.mode', 'tool_choice.mode is "sometimes"; expected one of auto, none, required, function'],
    ['a tool_choice naming no tool of the request', { ...ok, tools: [tool('f')], tool_choice: { mode: 'function', function_name: 'g' } }, 'tool_choice.function_name', 'tool_choice.function_name names "g", which is not one of the request\'s tools'],
    ['tool_choice required without tools', { ...ok, tool_choice: { mode: 'required' } }, 'tool_choice.mode', 'tool_choice.mode is required, but the request has no tools'],
    ['a made-up response_format', { ...ok, response_format: { type: 'yaml' } }, 'response_format.type', 'response_format.type is "yaml"; expected one of text, json_object, json_schema'],
    ['a NaN temperature', { ...ok, temperature: NaN }, 'temperature', 'temperature must be a finite number'],
    ['an infinite top_p', { ...ok, top_p: Infinity }, 'top_p', 'top_p must be a finite number'],
    ['a negative temperature', { ...ok, temperature: -1 }, 'temperature', 'temperature is -1; it must be between 0 and 2'],
    ['max_tokens of 1e308', { ...ok, max_tokens: 1e308 }, 'max_tokens', 'max_tokens is 1e+308; it must be between 1 and 1000000'],
    ['a fractional max_tokens', { ...ok, max_tokens: 1.5 }, 'max_tokens', 'max_tokens must be an integer'],
    ['max_tokens as text', { ...ok, max_tokens: '5' }, 'max_tokens', 'max_tokens must be a finite number'],
    ['a seed of 1e308', { ...ok, seed: 1e308 }, 'seed', 'seed is 1e+308; it must be between -9223372036854776000 and 9223372036854776000'],
    ['a lone surrogate in content', { ...ok, messages: [{ role: 'user', content: 'a\udfffb' }] }, 'messages[0].content', 'messages[0].content is not well-formed Unicode (it holds a lone surrogate)'],
    ['NUL in content', { ...ok, messages: [{ role: 'user', content: 'a\u0000b' }] }, 'messages[0].content', 'messages[0].content must not hold NUL (\\u0000)'],
    ['a message that is not an object', { ...ok, messages: ['hi'] }, 'messages[0]', 'messages[0] must be an object'],
    ['an author name with a control character', { ...ok, messages: [{ role: 'user', content: 'x', name: 'a\tb' }] }, 'messages[0].name', 'messages[0].name must not hold control characters'],
    ['a content part with two kinds', { ...ok, messages: [{ role: 'user', content_parts: [{ text: 'x', image_url: { url: 'https://example.com/a.png' } }] }] }, 'messages[0].content_parts[0]', 'messages[0].content_parts[0] must hold exactly one of text, image_url, image'],
    ['an inline image that is not an image', { ...ok, messages: [{ role: 'user', content_parts: [{ image: { mime_type: 'text/html', data: 'AAAA' } }] }] }, 'messages[0].content_parts[0].image.mime_type', 'messages[0].content_parts[0].image.mime_type is "text/html"; expected one of image/png, image/jpeg, image/gif, image/webp'],
    ['inline image data that is not base64', { ...ok, messages: [{ role: 'user', content_parts: [{ image: { mime_type: 'image/png', data: 'not base64!' } }] }] }, 'messages[0].content_parts[0].image.data', "messages[0].content_parts[0].image.data must be the image's bytes in base64"],
    ['an image detail that is made up', { ...ok, messages: [{ role: 'user', content_parts: [{ image_url: { url: 'https://example.com/a.png', detail: 'ultra' } }] }] }, 'messages[0].content_parts[0].image_url.detail', 'messages[0].content_parts[0].image_url.detail is "ultra"; expected one of auto, low, high'],
  ])('%s', (_name, request, param, message) => {
    expect(refusal(() => validateChatRequest(request as never))).toEqual({ param, message });
  });

  // A self-hosted model server would fetch these from inside the network it runs in.
  it.each([
    ['http://169.254.169.254/latest/meta-data/', 'must be an https:// URL (or, over HTTP, a base64 data: URL)'],
    ['file:///etc/passwd', 'must be an https:// URL (or, over HTTP, a base64 data: URL)'],
    ['gopher://example.com/', 'must be an https:// URL (or, over HTTP, a base64 data: URL)'],
    ['https://169.254.169.254/latest/meta-data/', 'must not point at a loopback, private or link-local address'],
    ['https://127.0.0.1/a.png', 'must not point at a loopback, private or link-local address'],
    ['https://10.1.2.3/a.png', 'must not point at a loopback, private or link-local address'],
    ['https://172.16.0.1/a.png', 'must not point at a loopback, private or link-local address'],
    ['https://192.168.1.1/a.png', 'must not point at a loopback, private or link-local address'],
    ['https://0.0.0.0/a.png', 'must not point at a loopback, private or link-local address'],
    ['https://2130706433/a.png', 'must not point at a loopback, private or link-local address'],
    ['https://0x7f000001/a.png', 'must not point at a loopback, private or link-local address'],
    ['https://localhost/a.png', 'must not point at a loopback, private or link-local address'],
    ['https://metadata.google.internal/computeMetadata/v1/', 'must not point at a loopback, private or link-local address'],
    ['https://[::1]/a.png', 'must not point at a loopback, private or link-local address'],
    ['https://[fd00::1]/a.png', 'must not point at a loopback, private or link-local address'],
    ['https://[fe80::1]/a.png', 'must not point at a loopback, private or link-local address'],
    ['https://[::ffff:127.0.0.1]/a.png', 'must not point at a loopback, private or link-local address'],
    ['https://user:secret@example.com/a.png', 'must not carry credentials'],
    ['not a url', 'is not a URL'],
  ])('refuses the image URL %s', (url, problem) => {
    const param = 'messages[0].content_parts[0].image_url.url';
    expect(refusal(() => validateChatRequest(image(url) as never))).toEqual({ param, message: `${param} ${problem}` });
  });

  it.each(['https://example.com/cat.png', 'https://8.8.8.8/cat.png', 'https://[2001:db8::1]/cat.png'])('accepts the public image URL %s', (url) => {
    expect(() => validateChatRequest(image(url) as never)).not.toThrow();
  });

  it('accepts every field at its bound', () => {
    const request = {
      model: 'm'.repeat(LIMITS.modelChars),
      messages: [
        { role: 'system', content: 'tabs\tand\nnewlines are prose' },
        { role: 'assistant', tool_calls: [{ id: 'c'.repeat(LIMITS.toolCallIdChars), type: 'function', function: { name: 'f'.repeat(LIMITS.functionNameChars), arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'c'.repeat(LIMITS.toolCallIdChars), content: 'done' },
      ],
      temperature: 2,
      top_p: 0,
      max_tokens: LIMITS.maxTokens,
      seed: -(2 ** 53),
      stop: Array.from({ length: LIMITS.stopSequences }, () => '\n'.repeat(LIMITS.stopSequenceChars)),
      user: 'u'.repeat(LIMITS.userChars),
      metadata: Object.fromEntries(Array.from({ length: LIMITS.metadataPairs }, (_, i) => [`${i}`.padEnd(LIMITS.metadataKeyChars, 'k'), 'v'.repeat(LIMITS.metadataValueChars)])),
      tools: Array.from({ length: LIMITS.tools }, (_, i) => tool(`f${i}`)),
      tool_choice: { mode: 'function', function_name: 'f7' },
      response_format: { type: 'json_schema', json_schema_name: 'answer', json_schema: '{"type":"object"}', strict: true },
    };
    expect(() => validateChatRequest(request as never)).not.toThrow();
  });
});

describe('validateEmbedRequest', () => {
  const embed = { model: 'e', input: ['hello'] };
  it.each([
    // dimensions 100,000,000 froze the gateway for minutes, then ran it out of memory.
    ['dimensions of 100,000,000', { ...embed, dimensions: 100_000_000 }, 'dimensions', 'dimensions is 100000000; it must be between 1 and 8192'],
    ['negative dimensions', { ...embed, dimensions: -1 }, 'dimensions', 'dimensions is -1; it must be between 1 and 8192'],
    ['NaN dimensions', { ...embed, dimensions: NaN }, 'dimensions', 'dimensions must be a finite number'],
    ['2,049 inputs', { ...embed, input: Array.from({ length: 2049 }, () => 'x') }, 'input', 'input holds 2049 strings; at most 2048 are accepted'],
    ['an empty input', { ...embed, input: [''] }, 'input[0]', 'input[0] must not be empty'],
    ['an input that is not text', { ...embed, input: [[1, 2]] }, 'input[0]', 'input[0] must be a string'],
    ['a 9 KB model name', { ...embed, model: 'e'.repeat(9000) }, 'model', 'model is 9000 characters long; at most 256 are accepted'],
    ['NUL in metadata', { ...embed, metadata: { a: '\u0000' } }, 'metadata.a', 'metadata.a must not hold control characters'],
  ])('refuses %s', (_name, request, param, message) => {
    expect(refusal(() => validateEmbedRequest(request as never))).toEqual({ param, message });
  });
});

describe('validateModerationRequest', () => {
  const moderation = { model: 'omni-moderation-latest', input: ['hello'] };
  it.each([
    ['no input', { ...moderation, input: [] }, 'input', 'input must contain at least one string'],
    ['2,049 inputs', { ...moderation, input: Array.from({ length: 2049 }, () => 'x') }, 'input', 'input holds 2049 strings; at most 2048 are accepted'],
    ['an empty input', { ...moderation, input: ['ok', ''] }, 'input[1]', 'input[1] must not be empty'],
    ['an input that is not text', { ...moderation, input: [{ type: 'text' }] }, 'input[0]', 'input[0] must be a string'],
    ['no model', { ...moderation, model: '' }, 'model', 'model is required'],
  ])('refuses %s', (_name, request, param, message) => {
    expect(refusal(() => validateModerationRequest(request as never))).toEqual({ param, message });
  });

  it('accepts texts with a user and metadata', () => {
    expect(() => validateModerationRequest({ ...moderation, user: 'u-1', metadata: { team: 'trust' } })).not.toThrow();
  });
});

describe('validateRerankRequest', () => {
  const rerank = { model: 'rerank-v3.5', query: 'capital?', documents: ['Paris', 'Berlin'] };
  it.each([
    ['an empty query', { ...rerank, query: '' }, 'query', 'query must not be empty'],
    ['no documents', { ...rerank, documents: [] }, 'documents', 'documents must contain at least one string'],
    ['1,001 documents', { ...rerank, documents: Array.from({ length: 1001 }, () => 'd') }, 'documents', 'documents holds 1001 documents; at most 1000 are accepted'],
    ['an empty document', { ...rerank, documents: ['Paris', ''] }, 'documents[1]', 'documents[1] must not be empty'],
    ['top_n of 0', { ...rerank, top_n: 0 }, 'top_n', 'top_n is 0; it must be between 1 and 1000'],
    ['a fractional top_n', { ...rerank, top_n: 1.5 }, 'top_n', 'top_n must be an integer'],
  ])('refuses %s', (_name, request, param, message) => {
    expect(refusal(() => validateRerankRequest(request as never))).toEqual({ param, message });
  });
});

describe('validateImageGenerationRequest', () => {
  const image = { model: 'dall-e-3', prompt: 'a lighthouse' };
  it.each([
    ['an empty prompt', { ...image, prompt: '' }, 'prompt', 'prompt must not be empty'],
    ['a prompt of 32,001 characters', { ...image, prompt: 'x'.repeat(32_001) }, 'prompt', 'prompt is 32001 characters long; at most 32000 are accepted'],
    ['11 images', { ...image, n: 11 }, 'n', 'n is 11; it must be between 1 and 10'],
    ['a size in words', { ...image, size: 'large' }, 'size', 'size is "large"; expected WIDTHxHEIGHT, each side at most 4096 pixels, e.g. 1024x1024'],
    ['a side of 5,000 pixels', { ...image, size: '5000x1024' }, 'size', 'size is "5000x1024"; expected WIDTHxHEIGHT, each side at most 4096 pixels, e.g. 1024x1024'],
    ['a quality OpenAI does not name', { ...image, quality: 'ultra' }, 'quality', 'quality is "ultra"; expected one of standard, hd, low, medium, high'],
    ['a quality in capitals', { ...image, quality: 'HD' }, 'quality', 'quality is "HD"; expected one of standard, hd, low, medium, high'],
    ['a quality that is no string', { ...image, quality: 2 }, 'quality', 'quality is 2; expected one of standard, hd, low, medium, high'],
    ['a style OpenAI does not name', { ...image, style: 'cartoon' }, 'style', 'style is "cartoon"; expected one of vivid, natural'],
  ])('refuses %s', (_name, request, param, message) => {
    expect(refusal(() => validateImageGenerationRequest(request as never))).toEqual({ param, message });
  });

  it('accepts a count and a size within bounds', () => {
    expect(() => validateImageGenerationRequest({ ...image, n: 10, size: '1792x1024' })).not.toThrow();
  });

  it.each(['standard', 'hd', 'low', 'medium', 'high'])('accepts the quality %s', (quality) => {
    expect(() => validateImageGenerationRequest({ ...image, quality } as never)).not.toThrow();
  });

  it.each(['vivid', 'natural'])('accepts the style %s', (style) => {
    expect(() => validateImageGenerationRequest({ ...image, style } as never)).not.toThrow();
  });
});

describe('the caller\'s cache directive', () => {
  it.each<[string | undefined, string | undefined]>([
    [undefined, undefined],
    ['', undefined],
    ['no-cache', 'no-cache'],
    ['No-Store', 'no-store'],
    ['no-cache, no-store', 'no-store'],
    ['max-age=0, no-cache', 'no-cache'],
    ['max-age=0', undefined],
  ])('reads %j as %j', (header, directive) => {
    expect(parseCacheControl(header)).toBe(directive);
  });

  it('refuses one too long to be a cache directive, or holding control characters', () => {
    expect(refusal(() => parseCacheControl('x'.repeat(LIMITS.cacheControlChars + 1)))).toEqual({ param: 'cache-control', message: `cache-control is ${LIMITS.cacheControlChars + 1} characters long; at most ${LIMITS.cacheControlChars} are accepted` });
    expect(refusal(() => parseCacheControl('no-cache\u0000'))).toEqual({ param: 'cache-control', message: 'cache-control must not hold control characters' });
  });
});

describe('validateTranscriptionRequest', () => {
  const audio = { model: 'whisper-1', audio: Buffer.from('RIFF....WAVE').toString('base64'), filename: 'a.wav' };
  it.each([
    ['no audio', { ...audio, audio: '' }, 'file', "file is required: the audio file's bytes"],
    ['audio that is not base64', { ...audio, audio: 'not base64!' }, 'file', "file is required: the audio file's bytes"],
    ['no file name', { ...audio, filename: '' }, 'filename', 'filename must not be empty'],
    ['a format OpenAI has not', { ...audio, response_format: 'xml' }, 'response_format', 'response_format is "xml"; expected one of json, text, verbose_json, srt, vtt'],
    ['a language that is no tag', { ...audio, language: 'english please' }, 'language', 'language is "english please"; expected an ISO-639-1 code such as en, or a BCP-47 tag such as en-US'],
    ['a temperature over 1', { ...audio, temperature: 1.5 }, 'temperature', 'temperature is 1.5; it must be between 0 and 1'],
    ['a temperature that is not a number', { ...audio, temperature: Number('warm') }, 'temperature', 'temperature must be a finite number'],
    ['a prompt of 8,193 characters', { ...audio, prompt: 'x'.repeat(8193) }, 'prompt', 'prompt is 8193 characters long; at most 8192 are accepted'],
  ])('refuses %s', (_name, request, param, message) => {
    expect(refusal(() => validateTranscriptionRequest(request as never))).toEqual({ param, message });
  });

  it('refuses audio over 25 MB as too large, counting its decoded bytes', () => {
    const justOver = Buffer.alloc(LIMITS.audioBytes + 1).toString('base64');
    expect(() => validateTranscriptionRequest({ ...audio, audio: justOver })).toThrow(new GatewayError('request_too_large', `the audio file is ${LIMITS.audioBytes + 1} bytes; at most ${LIMITS.audioBytes} (25 MB) are accepted`));
    expect(() => validateTranscriptionRequest({ ...audio, audio: Buffer.alloc(LIMITS.audioBytes).toString('base64') })).not.toThrow();
  });

  it('accepts every option within bounds', () => {
    expect(() => validateTranscriptionRequest({ ...audio, language: 'en-US', prompt: 'names', response_format: 'vtt', temperature: 0, user: 'u', metadata: { app: 'x' } })).not.toThrow();
  });
});

describe('renderTranscript', () => {
  const response = { text: 'Hello there. General Kenobi.', duration_seconds: 3725.5, segments: [{ start: 0, end: 1.5, text: ' Hello there.' }, { start: 1.5, end: 3725.5, text: ' General Kenobi.' }] };
  it('writes SRT and WebVTT cues from the segments, and text as a line', () => {
    expect(renderTranscript(response, 'srt')).toBe('1\n00:00:00,000 --> 00:00:01,500\nHello there.\n\n2\n00:00:01,500 --> 01:02:05,500\nGeneral Kenobi.\n');
    expect(renderTranscript(response, 'vtt')).toBe('WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nHello there.\n\n00:00:01.500 --> 01:02:05.500\nGeneral Kenobi.\n');
    expect(renderTranscript(response, 'text')).toBe('Hello there. General Kenobi.\n');
  });

  it('gives one cue over the whole audio when the provider timed no segments', () => {
    expect(renderTranscript({ text: 'All of it.', duration_seconds: 2 }, 'srt')).toBe('1\n00:00:00,000 --> 00:00:02,000\nAll of it.\n');
  });
});
