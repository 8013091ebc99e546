// Personal data found by shape and checksum: e-mail, phone numbers, payment cards, IBANs, US social
// security numbers, IP addresses. Names of people and postal addresses are not found here (see
// docs/guardrails.md): no pattern finds them well, and no library that does is small enough to load.
import { isIPv6 } from 'node:net';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { patternDetector, type Detector, type Span } from './detector';

export const PII_ENTITIES = ['email', 'phone', 'card', 'iban', 'ssn', 'ip'] as const;
export type PiiEntity = (typeof PII_ENTITIES)[number];

// local@domain.tld. A match starts only where a run of address characters starts: without the
// lookbehind a long run with no @ in it was scanned again from each of its characters.
export const EMAIL_ADDRESS = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

// 13 to 19 digits, optionally grouped by single spaces or dashes, starting with a digit some card
// network issues (2-6), confirmed by the Luhn checksum: order numbers and millisecond times are left.
export const CARD_CANDIDATE = /(?<![\d-])[2-6](?:[ -]?\d){12,18}(?![\d])/g;

// Two letters, two check digits, then 11 to 30 letters or digits, in groups of four or not.
export const IBAN_CANDIDATE = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])/g;

// Dashed or spaced (the same separator twice); nine digits in a row are too often something else.
export const SSN_CANDIDATE = /(?<![\d-])(\d{3})([- ])(\d{2})\2(\d{4})(?![\d-])/g;

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
// Four octets, not part of a longer dotted run (a version 1.2.3.4.5, an OID).
export const IPV4_CANDIDATE = new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?![\\w-]|\\.\\d)`, 'g');
// Hex groups and colons (and a dotted tail, ::ffff:1.2.3.4), checked by node:net; the run is bounded.
// It starts only where a colon comes within a group's four hex digits: English words are full of a-f.
export const IPV6_CANDIDATE = /(?<![0-9A-Fa-f:.])(?=[0-9A-Fa-f]{0,4}:)[0-9A-Fa-f:]{2,39}(?:\.\d{1,3}){0,3}(?![0-9A-Za-z:])/g;

// A run of digits and phone punctuation, bounded, then parsed by libphonenumber (whose own text search
// is not linear: 42 s for a megabyte of "1 2-").
export const PHONE_CANDIDATE = /(?<![\w+])(?:\+|00)?\(?\d[\d \t().\-\u00a0]{5,20}\d(?!\w)/g;
const PHONE_CONTEXT = /(?:phone|\btel\b|call|mobile|cell|fax|whatsapp|sms|telefon|téléphone|teléfono|telefone|handy|電話|携帯)/i;

/**
 * libphonenumber takes 0.1-0.3 ms to parse a candidate: past this many in one text (a megabyte of
 * digits and dashes holds 45,000) the rest are not parsed, which bounds the time a text can cost.
 */
export const MAX_PHONE_CANDIDATES = 1000;

const VERSION_BEFORE = /(?:version|ver\.?|release|build|v)\s*$/i;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

// The length of an IBAN by country (ISO 13616 registry); a country not listed is not an IBAN.
const IBAN_LENGTHS: Record<string, number> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BR: 29, BY: 28, CH: 21, CR: 22, CY: 28, CZ: 24,
  DE: 22, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FO: 18, FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28,
  HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26, IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20,
  LV: 21, MC: 27, MD: 24, ME: 22, MK: 19, MR: 27, MT: 31, MU: 30, NL: 18, NO: 15, PK: 24, PL: 28, PS: 29, PT: 25, QA: 29,
  RO: 24, RS: 22, SA: 24, SC: 31, SE: 24, SI: 19, SK: 24, SM: 27, ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22,
  VG: 24, XK: 20,
};

export function ibanValid(candidate: string): boolean {
  const iban = candidate.replace(/ /g, '');
  if (IBAN_LENGTHS[iban.slice(0, 2)] !== iban.length) return false;
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    const value = code >= 65 ? String(code - 55) : char;
    for (const digit of value) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

function ssnValid(value: string): boolean {
  const area = Number(value.slice(0, 3));
  const group = value.slice(4, 6);
  const serial = value.slice(7);
  return area !== 0 && area !== 666 && area < 900 && group !== '00' && serial !== '0000';
}

const emailPattern = patternDetector('email', EMAIL_ADDRESS);
// Most text has no @: the pattern, which tries every run of address characters, is skipped.
export const emailDetector: Detector = { entity: 'email', find: (text) => (text.includes('@') ? emailPattern.find(text) : []) };
export const cardDetector = patternDetector('card', CARD_CANDIDATE, (value) => luhnValid(value.replace(/[ -]/g, '')));
export const ibanDetector = patternDetector('iban', IBAN_CANDIDATE, ibanValid);
export const ssnDetector = patternDetector('ssn', SSN_CANDIDATE, ssnValid);

const ipv4 = patternDetector('ip', IPV4_CANDIDATE, (_, text, at) => !VERSION_BEFORE.test(text.slice(Math.max(0, at - 12), at)));
// Two groups at least: a lone "::" or "d::" is C++ or a list, not an address.
const ipv6 = patternDetector('ip', IPV6_CANDIDATE, (value) => value.includes(':') && value.split(':').filter(Boolean).length >= 2 && isIPv6(value));

export const ipDetector: Detector = {
  entity: 'ip',
  find: (text) => {
    const v4 = ipv4.find(text);
    // Most text has no colon between hex digits: the second scan is skipped.
    return text.includes(':') ? [...v4, ...ipv6.find(text)] : v4;
  },
};

/**
 * Phone numbers: international ones (+ or 00) anywhere, national ones of `region` when written with
 * separators or next to a word such as "phone"; libphonenumber's metadata says which are valid.
 */
export function phoneDetector(region: CountryCode): Detector {
  const candidates = patternDetector('phone', PHONE_CANDIDATE);
  return {
    entity: 'phone',
    find(text) {
      const spans: Span[] = [];
      let parsed = 0;
      for (const span of candidates.find(text)) {
        const value = text.slice(span.start, span.end);
        const digits = value.replace(/\D/g, '').length;
        if (digits < 7 || digits > 15) continue;
        const international = value.startsWith('+') || value.startsWith('00');
        // Written numbers come in groups of two digits or more, but for a country code and a trunk or
        // area digit; a national number in groups of more than four digits is an order or a reference.
        const groups = value.split(/[^\d]+/).filter(Boolean);
        if (groups.length > 7 || groups.slice(2).some((group) => group.length < 2)) continue;
        if (!international && groups.length > 1 && groups.some((group) => group.length > 4)) continue;
        if (++parsed > MAX_PHONE_CANDIDATES) break;
        if (!international && !/[ ().\-\u00a0]/.test(value) && !PHONE_CONTEXT.test(text.slice(Math.max(0, span.start - 40), span.start))) continue;
        if (/^\d{4}-\d\d-\d\d/.test(value) || /^\d{1,3}(?:\.\d{1,3}){3}$/.test(value)) continue;
        const phone = parsePhoneNumberFromString(international && value.startsWith('00') ? '+' + value.slice(2) : value, region);
        if (phone?.isValid()) spans.push(span);
      }
      return spans;
    },
  };
}
