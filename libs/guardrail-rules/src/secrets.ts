// Credentials found by their issuers' formats (as gitleaks' rules describe them): a fixed prefix, then
// a token of a known alphabet and length. A match starts only where a token starts (the lookbehinds).
import { patternDetector, type Detector, type Span } from './detector';

export const SECRET_ENTITIES = [
  'openai_key',
  'anthropic_key',
  'google_key',
  'aws_access_key',
  'aws_secret_key',
  'github_token',
  'slack_token',
  'stripe_key',
  'private_key',
  'jwt',
  'connection_password',
] as const;
export type SecretEntity = (typeof SECRET_ENTITIES)[number];

const TOKEN_START = '(?<![A-Za-z0-9_-])';

export const SECRET_PATTERNS: Record<Exclude<SecretEntity, 'private_key' | 'aws_secret_key'>, RegExp> = {
  openai_key: new RegExp(`${TOKEN_START}sk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}`, 'g'),
  anthropic_key: new RegExp(`${TOKEN_START}sk-ant-(?:api|admin)\\d\\d-[A-Za-z0-9_-]{20,}`, 'g'),
  google_key: new RegExp(`${TOKEN_START}AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])`, 'g'),
  aws_access_key: /(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])/g,
  github_token: new RegExp(`${TOKEN_START}(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,255})(?![A-Za-z0-9_])`, 'g'),
  slack_token: new RegExp(`${TOKEN_START}(?:xox[abposr]-[A-Za-z0-9-]{10,}|hooks\\.slack\\.com/services/T[A-Za-z0-9_]{4,}/B[A-Za-z0-9_]{4,}/[A-Za-z0-9_]{8,})`, 'g'),
  stripe_key: new RegExp(`${TOKEN_START}(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}|${TOKEN_START}whsec_[A-Za-z0-9]{24,}`, 'g'),
  jwt: new RegExp(`${TOKEN_START}eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]{10,}`, 'g'),
  // The password of scheme://user:password@host; the user and host stay.
  connection_password: /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,20}:\/\/[^\s:/@"'<>]{1,128}:(?<value>[^\s@/"'<>]{1,128})@/dg,
};

// A secret access key is 40 characters of base64; alone it is any hash, so it counts only after its
// name or within a few lines of an access key id (the pair).
export const AWS_SECRET_NAMED = /(?:aws_?secret_?access_?key|secret_?access_?key|aws_?secret)["']?\s{0,4}[:=]\s{0,4}["']?(?<value>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/dgi;
const AWS_SECRET_TOKEN = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;
const PAIR_DISTANCE = 200;

const PRIVATE_KEY_BEGIN = /-----BEGIN (?:[A-Z0-9]{1,12} ){0,3}PRIVATE KEY(?: BLOCK)?-----/g;
const PRIVATE_KEY_END = /-----END (?:[A-Z0-9]{1,12} ){0,3}PRIVATE KEY(?: BLOCK)?-----/g;

/** Where an unterminated private key block starts, if the text ends inside one. */
export function openPrivateKeyAt(text: string): number | undefined {
  const begin = text.lastIndexOf('-----BEGIN ');
  if (begin < 0 || !text.includes('PRIVATE KEY', begin)) return undefined;
  return text.includes('-----END ', begin) ? undefined : begin;
}

/**
 * From each BEGIN to its END; a block with no END runs to the end of the text (a truncated key is still
 * a key), and then no later BEGIN can find one either, which keeps this linear.
 */
export const privateKeyDetector: Detector = {
  entity: 'private_key',
  find(text) {
    const spans: Span[] = [];
    PRIVATE_KEY_BEGIN.lastIndex = 0;
    for (let begin = PRIVATE_KEY_BEGIN.exec(text); begin; begin = PRIVATE_KEY_BEGIN.exec(text)) {
      PRIVATE_KEY_END.lastIndex = begin.index + begin[0].length;
      const end = PRIVATE_KEY_END.exec(text);
      const to = end ? end.index + end[0].length : text.length;
      spans.push({ start: begin.index, end: to, entity: 'private_key' });
      if (!end) break;
      PRIVATE_KEY_BEGIN.lastIndex = to;
    }
    return spans;
  },
};

const awsAccessKey = patternDetector('aws_access_key', SECRET_PATTERNS.aws_access_key);
const awsSecretNamed = patternDetector('aws_secret_key', AWS_SECRET_NAMED);
const awsSecretToken = patternDetector('aws_secret_key', AWS_SECRET_TOKEN);

export const awsSecretDetector: Detector = {
  entity: 'aws_secret_key',
  find(text) {
    const spans = awsSecretNamed.find(text);
    const ids = awsAccessKey.find(text);
    if (ids.length === 0) return spans;
    for (const token of awsSecretToken.find(text)) {
      const paired = ids.some((id) => Math.abs(token.start - id.end) <= PAIR_DISTANCE || Math.abs(id.start - token.end) <= PAIR_DISTANCE);
      // Mixed case or a digit: a word of 40 letters is not a key.
      const value = text.slice(token.start, token.end);
      if (paired && /[a-z]/.test(value) && /[A-Z0-9]/.test(value) && !spans.some((span) => span.start === token.start)) spans.push(token);
    }
    return spans;
  },
};

export const SECRET_DETECTORS: Record<SecretEntity, Detector> = {
  ...(Object.fromEntries(Object.entries(SECRET_PATTERNS).map(([entity, pattern]) => [entity, patternDetector(entity, pattern)])) as Record<keyof typeof SECRET_PATTERNS, Detector>),
  aws_secret_key: awsSecretDetector,
  private_key: privateKeyDetector,
};
