import { cleanString, sanitiseUsageRow, TEXT_BOUND_BYTES, truncateUtf8 } from './sanitise';
import { usageRowOf } from './usage-events';
import { usageEvent } from './usage-events.scenarios';

const meteredRow = (...overrides: Parameters<typeof usageEvent>) => usageRowOf(usageEvent(...overrides));

describe('cleanString', () => {
  it.each([
    ['plain text', 'hello é ✓ 🚀', 'hello é ✓ 🚀'],
    ['NUL removed', 'a\u0000b\u0000', 'ab'],
    ['a lone high surrogate replaced', 'a\ud800b', 'a\ufffdb'],
    ['a lone low surrogate replaced', '\udc00x', '\ufffdx'],
    ['a high surrogate at the end replaced', 'x\udbff', 'x\ufffd'],
    ['a surrogate pair kept', '\ud83d\ude80', '🚀'],
    ['two high surrogates then a low: the first replaced', '\ud800\ud83d\ude80', '\ufffd🚀'],
  ])('%s', (_name, input, expected) => {
    expect(cleanString(input)).toBe(expected);
  });
});

describe('truncateUtf8', () => {
  it.each([
    ['short ASCII kept', 'abc', 5, 'abc'],
    ['ASCII cut at the bound', 'abcdefgh', 5, 'abcde'],
    ['a two-byte character not split', 'aéé', 4, 'aé'],
    ['an emoji (four bytes) not split', 'ab🚀', 5, 'ab'],
    ['exactly the bound kept', 'ab🚀', 6, 'ab🚀'],
  ])('%s', (_name, input, bytes, expected) => {
    expect(truncateUtf8(input, bytes)).toBe(expected);
  });
});

describe('sanitiseUsageRow', () => {
  it('leaves a row that needs nothing as it is, marked as not sanitised', () => {
    expect(sanitiseUsageRow(meteredRow())).toEqual({ ...meteredRow(), sanitised: null });
  });

  it('regression: truncates a 9 KB model name (its index row was too large) and names the field', () => {
    const row = sanitiseUsageRow(meteredRow({ model: 'm'.repeat(9 * 1024) }));
    expect(row.model).toBe('m'.repeat(TEXT_BOUND_BYTES));
    expect(row.sanitised).toBe('model');
  });

  it('regression: removes NUL and replaces lone surrogates in metadata keys and values (jsonb refused them)', () => {
    const row = sanitiseUsageRow(meteredRow({ metadata: { team: 'a\u0000b', ['k\ud800']: 'v\udc00', fine: 'é' } }));
    expect(row.metadata).toEqual({ team: 'ab', 'k\ufffd': 'v\ufffd', fine: 'é' });
    expect(row.sanitised).toBe('metadata');
  });

  it('cleans every text column, and names each field it changed in column order', () => {
    const row = sanitiseUsageRow(meteredRow({ api_key_id: 'key\u0000', error_code: 'x\ud800', finish_reason: 'stop' }));
    expect([row.api_key_id, row.error_code, row.finish_reason]).toEqual(['key', 'x\ufffd', 'stop']);
    expect(row.sanitised).toBe('api_key_id,error_code');
  });

  it('brings numbers within their columns: integers rounded and clamped, cost clamped, non-numbers zero', () => {
    const row = sanitiseUsageRow(
      meteredRow({ prompt_tokens: 99_999_999_999, completion_tokens: 2.5, cached_prompt_tokens: 'many' as never, cost_usd: 1e12, latency_ms: Number.NaN }),
    );
    expect([row.prompt_tokens, row.completion_tokens, row.cached_prompt_tokens, row.cost_usd, row.latency_ms]).toEqual([2 ** 31 - 1, 3, 0, 9_999_999_999, Number.NaN]);
    expect(row.sanitised).toBe('prompt_tokens,completion_tokens,cached_prompt_tokens,cost_usd');
  });

  it('replaces metadata that is not a JSON object, or a circular one, with what can be stored', () => {
    const circular: Record<string, unknown> = { team: 'a' };
    circular.self = circular;
    expect(sanitiseUsageRow(meteredRow({ metadata: 'labels' as never }))).toMatchObject({ metadata: {}, sanitised: 'metadata' });
    const row = sanitiseUsageRow(meteredRow({ metadata: circular as never }));
    expect(row.sanitised).toBe('metadata');
    expect(() => JSON.stringify(row.metadata)).not.toThrow();
    expect(row.metadata.team).toBe('a');
  });

  it('replaces the metadata with {} when asked, the last resort', () => {
    expect(sanitiseUsageRow(meteredRow(), { replaceMetadata: true })).toMatchObject({ metadata: {}, sanitised: 'metadata' });
  });

  it('keeps null fields null', () => {
    const row = sanitiseUsageRow(meteredRow({ provider: null, time_to_first_chunk_ms: null, metadata: undefined as never }));
    expect([row.provider, row.time_to_first_chunk_ms, row.metadata, row.sanitised]).toEqual([null, null, undefined, null]);
  });
});
