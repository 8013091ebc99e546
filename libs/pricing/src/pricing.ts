import type { ImageGenerationResult, Usage } from '@switchyard/contracts';
import builtInPrices from './prices.json';

export interface ModelPrice {
  input_per_mtok: number;
  output_per_mtok: number;
  /** Price of prompt tokens read from the provider's cache; the input price when absent. */
  cached_input_per_mtok?: number;
  /** Price of prompt tokens written to the provider's cache; the input price when absent. */
  cache_write_per_mtok?: number;
  /** USD per search unit, for a rerank billed in them (Cohere); a search unit costs nothing when absent. */
  per_search_unit?: number;
  /** USD per image generated; an image costs nothing when absent. */
  per_image?: number;
  /** USD per image by quality, then size (WIDTHxHEIGHT), for a provider that prices them so (DALL-E); per_image for any other. */
  per_image_by_quality?: Record<string, Record<string, number>>;
  /** USD per minute of audio transcribed; audio costs nothing when absent. */
  per_audio_minute?: number;
}

export type PriceTable = Record<string, ModelPrice>;

export function priceKey(provider: string, upstreamModel: string): string {
  return `${provider}/${upstreamModel}`;
}

/** The built-in table with the configuration's overrides on top. */
export function buildPriceTable(overrides: PriceTable = {}): PriceTable {
  const table: PriceTable = {};
  for (const [key, value] of Object.entries(builtInPrices)) {
    if (!key.startsWith('$')) table[key] = value as ModelPrice;
  }
  return { ...table, ...overrides };
}

/** The size and quality an image was asked for, as the provider's adapter reports them. */
export type ImageAsked = Pick<ImageGenerationResult, 'size' | 'quality'>;

/** USD for one image: its quality and size's price where the entry lists them, per_image otherwise. */
function imagePrice(price: ModelPrice, image: ImageAsked = {}): number {
  const bySize = image.quality === undefined ? undefined : price.per_image_by_quality?.[image.quality];
  return (image.size === undefined ? undefined : bySize?.[image.size]) ?? price.per_image ?? 0;
}

/**
 * Cost in USD. Cached and cache-write prompt tokens are subsets of prompt_tokens and are charged at
 * their own prices, search units, images (at the price of the size and quality asked) and audio minutes
 * at theirs; a model missing from the table costs 0 and is reported by `priced: false`.
 */
export function costOf(usage: Usage, price: ModelPrice | undefined, image?: ImageAsked): { cost_usd: number; priced: boolean } {
  if (!price) return { cost_usd: 0, priced: false };
  const cached = usage.cached_prompt_tokens ?? 0;
  const written = usage.cache_creation_prompt_tokens ?? 0;
  const plain = Math.max(0, usage.prompt_tokens - cached - written);
  const micro =
    plain * price.input_per_mtok +
    cached * (price.cached_input_per_mtok ?? price.input_per_mtok) +
    written * (price.cache_write_per_mtok ?? price.input_per_mtok) +
    usage.completion_tokens * price.output_per_mtok +
    (usage.search_units ?? 0) * (price.per_search_unit ?? 0) * 1e6 +
    (usage.images ?? 0) * imagePrice(price, image) * 1e6 +
    ((usage.audio_seconds ?? 0) / 60) * (price.per_audio_minute ?? 0) * 1e6;
  // Rounded to 1e-10 USD so that sums in SQL are not littered with float noise.
  return { cost_usd: Math.round(micro * 1e4) / 1e10, priced: true };
}
