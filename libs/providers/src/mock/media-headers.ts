// What the mock models read from media without decoding it: an image's format and pixel size, and a
// WAV file's duration, from their headers alone. Pure functions of the bytes.

export type ImageFormat = 'PNG' | 'JPEG' | 'GIF' | 'WebP';

export interface ImageHeader {
  format: ImageFormat;
  width: number;
  height: number;
}

/** The format and pixel size of a PNG, JPEG, GIF or WebP image; undefined for other bytes or a header cut short. */
export function readImageHeader(bytes: Uint8Array): ImageHeader | undefined {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (data.length >= 24 && data.readUInt32BE(0) === 0x89504e47 && data.readUInt32BE(4) === 0x0d0a1a0a && data.toString('latin1', 12, 16) === 'IHDR') {
    return { format: 'PNG', width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
  }
  if (data.length >= 10 && /^GIF8[79]a$/.test(data.toString('latin1', 0, 6))) {
    return { format: 'GIF', width: data.readUInt16LE(6), height: data.readUInt16LE(8) };
  }
  if (data.length >= 4 && data[0] === 0xff && data[1] === 0xd8) return jpegHeader(data);
  if (data.length >= 30 && data.toString('latin1', 0, 4) === 'RIFF' && data.toString('latin1', 8, 12) === 'WEBP') return webpHeader(data);
  return undefined;
}

// Start-of-frame markers (SOF0-SOF15) carry the size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not.
const isStartOfFrame = (marker: number) => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

function jpegHeader(data: Buffer): ImageHeader | undefined {
  let offset = 2;
  while (offset + 4 <= data.length) {
    if (data[offset] !== 0xff) return undefined;
    const marker = data[offset + 1];
    // Fill bytes, and markers without a length (TEM, RSTn).
    if (marker === 0xff) {
      offset++;
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    if (isStartOfFrame(marker)) {
      if (offset + 9 > data.length) return undefined;
      return { format: 'JPEG', height: data.readUInt16BE(offset + 5), width: data.readUInt16BE(offset + 7) };
    }
    offset += 2 + data.readUInt16BE(offset + 2);
  }
  return undefined;
}

function webpHeader(data: Buffer): ImageHeader | undefined {
  switch (data.toString('latin1', 12, 16)) {
    // Lossy: the VP8 frame header, after its 3-byte frame tag and 3-byte start code.
    case 'VP8 ':
      return { format: 'WebP', width: data.readUInt16LE(26) & 0x3fff, height: data.readUInt16LE(28) & 0x3fff };
    // Lossless: 14 bits of width - 1, then 14 of height - 1, after the signature byte 0x2f.
    case 'VP8L': {
      const bits = data.readUInt32LE(21);
      return { format: 'WebP', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
    }
    // Extended: canvas width - 1 and height - 1, 24 bits each.
    case 'VP8X':
      return { format: 'WebP', width: data.readUIntLE(24, 3) + 1, height: data.readUIntLE(27, 3) + 1 };
    default:
      return undefined;
  }
}

export interface WavHeader {
  channels: number;
  sample_rate: number;
  /** The audio's length: its data chunk's bytes over the format's bytes a second. */
  duration_seconds: number;
}

/** The format and duration of a RIFF WAVE file; undefined for other bytes or a header without fmt and data chunks. */
export function readWavHeader(bytes: Uint8Array): WavHeader | undefined {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (data.length < 12 || data.toString('latin1', 0, 4) !== 'RIFF' || data.toString('latin1', 8, 12) !== 'WAVE') return undefined;
  let format: { channels: number; sample_rate: number; byte_rate: number } | undefined;
  let offset = 12;
  while (offset + 8 <= data.length) {
    const id = data.toString('latin1', offset, offset + 4);
    const size = data.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ' && body + 16 <= data.length) {
      format = { channels: data.readUInt16LE(body + 2), sample_rate: data.readUInt32LE(body + 4), byte_rate: data.readUInt32LE(body + 8) };
    } else if (id === 'data') {
      if (!format || format.byte_rate === 0) return undefined;
      // A recorder that was still writing leaves the size unset (0 or 0xFFFFFFFF): the bytes that are there count.
      const length = size === 0 || body + size > data.length ? data.length - body : size;
      return { channels: format.channels, sample_rate: format.sample_rate, duration_seconds: Math.round((length / format.byte_rate) * 1000) / 1000 };
    }
    // Chunks are padded to an even length.
    offset = body + size + (size % 2);
  }
  return undefined;
}
