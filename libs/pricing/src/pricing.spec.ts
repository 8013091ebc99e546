import { buildPriceTable, costOf, priceKey } from './pricing';

describe('pricing', () => {
  it('charges plain, cached, cache-written and output tokens at their own prices', () => {
    const price = { input_per_mtok: 3, output_per_mtok: 15, cached_input_per_mtok: 0.3, cache_write_per_mtok: 3.75 };
    const usage = { prompt_tokens: 1_000_000, completion_tokens: 100_000, total_tokens: 1_100_000, cached_prompt_tokens: 200_000, cache_creation_prompt_tokens: 100_000 };
    // 700k plain * 3 + 200k cached * 0.3 + 100k written * 3.75 + 100k output * 15, per million.
    expect(costOf(usage, price)).toEqual({ cost_usd: 2.1 + 0.06 + 0.375 + 1.5, priced: true });
  });

  it('falls back to the input price when no cache price is given', () => {
    const usage = { prompt_tokens: 10, completion_tokens: 0, total_tokens: 10, cached_prompt_tokens: 10 };
    expect(costOf(usage, { input_per_mtok: 1, output_per_mtok: 0 }).cost_usd).toBeCloseTo(0.00001, 12);
  });

  it('charges search units and images at their own prices, beside the tokens', () => {
    const price = { input_per_mtok: 0.05, output_per_mtok: 0, per_search_unit: 0.002, per_image: 0.04 };
    expect(costOf({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, search_units: 3 }, price).cost_usd).toBe(0.006);
    expect(costOf({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, images: 2 }, price).cost_usd).toBe(0.08);
    // Units without a unit price cost nothing; tokens keep their price.
    expect(costOf({ prompt_tokens: 1_000_000, completion_tokens: 0, total_tokens: 1_000_000, search_units: 5, images: 5 }, { input_per_mtok: 0.05, output_per_mtok: 0 }).cost_usd).toBe(0.05);
    expect(buildPriceTable()['cohere/rerank-v3.5'].per_search_unit).toBe(0.002);
    expect(buildPriceTable()['openai/dall-e-3'].per_image).toBe(0.04);
  });

  it('charges a DALL-E image the price of the size and quality it was asked for', () => {
    const images = (n: number) => ({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, images: n });
    const dallE3 = buildPriceTable()['openai/dall-e-3'];
    const dallE2 = buildPriceTable()['openai/dall-e-2'];
    expect(costOf(images(1), dallE3, { size: '1024x1024', quality: 'standard' }).cost_usd).toBe(0.04);
    expect(costOf(images(1), dallE3, { size: '1024x1792', quality: 'standard' }).cost_usd).toBe(0.08);
    expect(costOf(images(2), dallE3, { size: '1792x1024', quality: 'standard' }).cost_usd).toBe(0.16);
    expect(costOf(images(1), dallE3, { size: '1024x1024', quality: 'hd' }).cost_usd).toBe(0.08);
    expect(costOf(images(1), dallE3, { size: '1792x1024', quality: 'hd' }).cost_usd).toBe(0.12);
    expect(costOf(images(3), dallE3, { size: '1024x1792', quality: 'hd' }).cost_usd).toBe(0.36);
    expect(costOf(images(1), dallE2, { size: '256x256', quality: 'standard' }).cost_usd).toBe(0.016);
    expect(costOf(images(2), dallE2, { size: '512x512', quality: 'standard' }).cost_usd).toBe(0.036);
    expect(costOf(images(1), dallE2, { size: '1024x1024', quality: 'standard' }).cost_usd).toBe(0.02);
  });

  it('charges per_image for an image whose size or quality its price does not list, or that says neither', () => {
    const images = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, images: 2 };
    const price = { input_per_mtok: 0, output_per_mtok: 0, per_image: 0.05, per_image_by_quality: { hd: { '1024x1024': 0.09 } } };
    expect(costOf(images, price, { size: '1024x1024', quality: 'hd' }).cost_usd).toBe(0.18);
    expect(costOf(images, price, { size: '512x512', quality: 'hd' }).cost_usd).toBe(0.1);
    expect(costOf(images, price, { size: '1024x1024', quality: 'standard' }).cost_usd).toBe(0.1);
    expect(costOf(images, price, { size: '1024x1024' }).cost_usd).toBe(0.1);
    expect(costOf(images, price).cost_usd).toBe(0.1);
    // Imagen's price is one per image, whatever the size.
    expect(costOf(images, buildPriceTable()['gemini/imagen-4.0-generate-001'], { size: '1024x1792' }).cost_usd).toBe(0.08);
    // Without per_image, an unlisted size costs nothing rather than a guess.
    expect(costOf(images, { input_per_mtok: 0, output_per_mtok: 0, per_image_by_quality: { hd: { '1024x1024': 0.09 } } }, { size: '512x512', quality: 'hd' }).cost_usd).toBe(0);
  });

  it('charges audio by the minute, a part of one at its share', () => {
    expect(costOf({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, audio_seconds: 90 }, { input_per_mtok: 0, output_per_mtok: 0, per_audio_minute: 0.006 }).cost_usd).toBe(0.009);
    expect(costOf({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, audio_seconds: 25.933313 }, buildPriceTable()['deepgram/nova-3']).cost_usd).toBe(0.0018585541);
    expect(costOf({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, audio_seconds: 60 }, { input_per_mtok: 1, output_per_mtok: 1 }).cost_usd).toBe(0);
    expect(buildPriceTable()['openai/whisper-1'].per_audio_minute).toBe(0.006);
  });

  it('reports an unpriced model instead of guessing', () => {
    expect(costOf({ prompt_tokens: 5, completion_tokens: 5, total_tokens: 10 }, undefined)).toEqual({ cost_usd: 0, priced: false });
  });

  it('lets configuration override the built-in table', () => {
    const table = buildPriceTable({ [priceKey('openai', 'gpt-4o-mini')]: { input_per_mtok: 9, output_per_mtok: 9 } });
    expect(table['openai/gpt-4o-mini']).toEqual({ input_per_mtok: 9, output_per_mtok: 9 });
    expect(table['openai/gpt-4o']).toBeDefined();
    expect(Object.keys(table).some((key) => key.startsWith('$'))).toBe(false);
  });

  it('prices every model of the default configuration', () => {
     
    const { loadGatewayConfig } = require('@switchyard/config');
    const table = buildPriceTable();
    const missing = loadGatewayConfig()
      .models.map((model: { provider: string; name: string; upstream_model?: string }) => priceKey(model.provider, model.upstream_model ?? model.name))
      .filter((key: string) => !table[key]);
    expect(missing).toEqual([]);
  });
});
