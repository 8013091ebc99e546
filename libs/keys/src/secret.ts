// Virtual key secrets: `sk-sy-` and 32 random bytes in base64url, shown once. Only their SHA-256 is
// kept. A slow, salted hash (bcrypt, scrypt, argon2) protects guessable passwords; a secret of 256
// random bits cannot be guessed, so it gains nothing there, while it would cost milliseconds of CPU on
// every request and, salted, rule out finding a key by its hash. The hash is the lookup key of a hash
// map: how long a lookup takes depends on the digest, which no caller can steer towards a stored one.
import { createHash, randomBytes } from 'node:crypto';

export const SECRET_PREFIX = 'sk-sy-';
const SECRET_BYTES = 32;

export function newSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64url');
}

/** The stored form of a secret: its SHA-256, in hex. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function newKeyId(): string {
  return 'vk_' + randomBytes(8).toString('hex');
}

export function newTeamId(): string {
  return 'team_' + randomBytes(8).toString('hex');
}
