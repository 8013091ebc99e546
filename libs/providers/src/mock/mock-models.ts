// The mock provider's deterministic models beyond mock-echo, so that every kind of Analyze task works
// offline: each answers as a model asked by the task's prompt would (docs/analyze.md), in the mock
// provider's chat format, so its answers go through the adapter path like any provider's.
import type { ContentPart } from '@switchyard/contracts';
import { readImageHeader, readWavHeader } from './media-headers';

/** mock-vision: the format and pixel size of each inline image, a line each; it fetches no URL. */
export function mockVisionDescription(parts: ContentPart[]): string {
  const images = parts.filter((part) => part.image || part.image_url);
  if (images.length === 0) return 'There is no image in the message.';
  return images.map((part, index) => `Image ${index + 1}: ${describeImage(part)}.`).join('\n');
}

function describeImage(part: ContentPart): string {
  if (part.image_url) return `an image at ${part.image_url.url.startsWith('data:') ? 'a data: URL' : part.image_url.url}, which mock-vision does not fetch`;
  const { mime_type, data } = part.image!;
  const header = readImageHeader(typeof data === 'string' ? Buffer.from(data, 'base64') : data);
  if (!header) return `${mime_type} data that is not a PNG, JPEG, GIF or WebP image`;
  return `a ${header.format} image, ${header.width} x ${header.height} pixels`;
}

const POSITIVE = new Set(
  'good great excellent love loved lovely like liked happy wonderful amazing fantastic best awesome nice enjoy enjoyed delighted pleased perfect brilliant beautiful recommend glad superb'.split(' '),
);
const NEGATIVE = new Set(
  'bad terrible awful hate hated poor worst sad angry horrible disappointing disappointed broken slow useless ugly annoying fail failed failure problem rude boring'.split(' '),
);
// A negation flips the next sentiment word: "not good" counts as negative.
const NEGATIONS = new Set(['not', 'no', 'never', "don't", "didn't", "isn't", "wasn't", "doesn't"]);

/**
 * mock-sentiment: counts the text's words from two small lexicons. No sentiment word: neutral, score 1.
 * When the smaller side is at least a third of the words found: mixed, with the score 2 x its share.
 * Otherwise the larger side's label, scored by its share of the words found.
 */
export function mockSentiment(text: string): { label: 'positive' | 'negative' | 'neutral' | 'mixed'; score: number } {
  let positive = 0;
  let negative = 0;
  const words = text.toLowerCase().match(/[a-z']+/g) ?? [];
  words.forEach((word, index) => {
    const sign = POSITIVE.has(word) ? 1 : NEGATIVE.has(word) ? -1 : 0;
    const flipped = index > 0 && NEGATIONS.has(words[index - 1]) ? -sign : sign;
    if (flipped > 0) positive++;
    else if (flipped < 0) negative++;
  });
  const total = positive + negative;
  if (total === 0) return { label: 'neutral', score: 1 };
  const minority = Math.min(positive, negative);
  if (minority / total >= 1 / 3) return { label: 'mixed', score: round2((2 * minority) / total) };
  return positive > negative ? { label: 'positive', score: round2(positive / total) } : { label: 'negative', score: round2(negative / total) };
}

// Words and phrases by category, matched whole; the categories are MODERATION_CATEGORIES of libs/analyze.
export const MODERATION_LEXICON: Record<string, string[]> = {
  harassment: ['idiot', 'moron', 'loser', 'shut up'],
  hate: ['subhuman', 'vermin'],
  illicit: ['counterfeit', 'launder', 'meth', 'shoplift'],
  self_harm: ['suicide', 'kill myself', 'hurt myself', 'self-harm'],
  sexual: ['nsfw', 'porn', 'explicit sex'],
  violence: ['kill', 'murder', 'shoot', 'stab', 'bomb'],
};

/** mock-moderation: the categories whose words the text holds, in the order of the lexicon. */
export function mockModeration(text: string): { flagged: boolean; categories: string[] } {
  const lower = text.toLowerCase();
  const categories = Object.entries(MODERATION_LEXICON)
    .filter(([, terms]) => terms.some((term) => new RegExp(`(^|[^a-z])${term.replace(/-/g, '\\-')}($|[^a-z])`).test(lower)))
    .map(([category]) => category);
  return { flagged: categories.length > 0, categories };
}

/** The fixed text mock-transcribe answers with. */
export const MOCK_TRANSCRIPT = 'This is the mock transcription of the audio.';

/**
 * mock-transcribe: a WAV file's duration from its header, and the fixed transcript; undefined for
 * audio that is not WAV. The mock provider's transcribe serves it.
 */
export function mockTranscription(audio: Uint8Array): { text: string; duration_seconds: number } | undefined {
  const header = readWavHeader(audio);
  return header && { text: MOCK_TRANSCRIPT, duration_seconds: header.duration_seconds };
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
