// A usage row the database refused, made writable: the request it records was answered, so it must be
// billed, even when a field the caller sent cannot be stored as sent. Each field is replaced only if it
// is out of what its column takes, and the row names the fields replaced (the `sanitised` column).
import { USAGE_ROW_COLUMNS, type UsageRow } from './usage-events';

/**
 * The longest text a column takes from a refused row, in UTF-8 bytes. The indexed columns (request_id,
 * model, api_key_id) must fit a btree index entry (about 2.7 KB, less the timestamp beside them); no
 * column's value is legitimately longer.
 */
export const TEXT_BOUND_BYTES = 1024;
const INTEGER_BOUND = 2 ** 31 - 1;
// cost_usd is numeric(20, 10): ten digits before the point.
const NUMERIC_BOUND = 9_999_999_999;

export interface SanitiseOptions {
  /** Replaces the metadata with `{}` (the last resort, when even sanitised metadata was refused). */
  replaceMetadata?: boolean;
}

/**
 * The row with every field its column cannot take replaced: NUL removed and lone surrogates replaced
 * by U+FFFD in every string (metadata keys and values too), text truncated to TEXT_BOUND_BYTES,
 * numbers brought within their column's range. `sanitised` names the fields that changed, or is null
 * when none did.
 */
export function sanitiseUsageRow(usage: UsageRow, options: SanitiseOptions = {}): UsageRow {
  const row: Record<string, unknown> = { ...usage };
  const replaced: string[] = [];
  for (const [name, type] of USAGE_ROW_COLUMNS) {
    if (name === 'sanitised') continue;
    const value = row[name];
    const fixed = name !== 'metadata' ? fixValue(type, value) : options.replaceMetadata ? {} : value === undefined || value === null ? value : cleanJson(value);
    if (!sameValue(fixed, value)) {
      row[name] = fixed;
      replaced.push(name);
    }
  }
  return { ...(row as unknown as UsageRow), sanitised: replaced.length > 0 ? replaced.join(',') : null };
}

function fixValue(type: (typeof USAGE_ROW_COLUMNS)[number][1], value: unknown): unknown {
  if (value === null || value === undefined) return value;
  switch (type) {
    case 'text':
      return truncateUtf8(cleanString(typeof value === 'string' ? value : String(value)), TEXT_BOUND_BYTES);
    case 'integer':
      return typeof value === 'number' && Number.isFinite(value) ? Math.max(-INTEGER_BOUND, Math.min(INTEGER_BOUND, Math.round(value))) : 0;
    case 'numeric(20, 10)':
      return typeof value === 'number' && Number.isFinite(value) ? Math.max(-NUMERIC_BOUND, Math.min(NUMERIC_BOUND, value)) : 0;
    case 'double precision':
      return typeof value === 'number' ? value : 0;
    case 'boolean':
      return value === true;
    default:
      return value;
  }
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The string without NUL (Postgres text and jsonb take none) and with lone surrogates as U+FFFD. */
export function cleanString(value: string): string {
  return value.replaceAll('\u0000', '').replace(LONE_SURROGATE, '\ufffd');
}

/** At most `bytes` bytes of UTF-8, cut between characters. */
export function truncateUtf8(value: string, bytes: number): string {
  // Three bytes a UTF-16 unit at most: a string this short cannot be over.
  if (value.length * 3 <= bytes || Buffer.byteLength(value) <= bytes) return value;
  let used = 0;
  let end = 0;
  for (const char of value) {
    const size = Buffer.byteLength(char);
    if (used + size > bytes) break;
    used += size;
    end += char.length;
  }
  return value.slice(0, end);
}

/** Metadata with its strings cleaned; anything that is not a JSON object becomes `{}`. */
function cleanJson(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const clean = (item: unknown, depth: number): unknown => {
    if (typeof item === 'string') return cleanString(item);
    if (typeof item !== 'object' || item === null || depth > MAX_DEPTH) return typeof item === 'object' || typeof item === 'bigint' ? null : item;
    if (Array.isArray(item)) return item.map((entry) => clean(entry, depth + 1));
    return Object.fromEntries(Object.entries(item).map(([key, entry]) => [cleanString(key), clean(entry, depth + 1)]));
  };
  return clean(value, 0) as Record<string, unknown>;
}

// Metadata is flat labels; anything nested deeper than this is not worth keeping, and cutting it
// ends a circular object.
const MAX_DEPTH = 8;

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b || (Number.isNaN(a) && Number.isNaN(b))) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  try {
    return JSON.stringify(a) === JSON.stringify(b);
  } catch {
    return false;
  }
}
