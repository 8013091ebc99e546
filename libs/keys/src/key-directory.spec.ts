import { KeyDirectory } from './key-directory';
import type { KeyRecord } from './records';
import { keyRecordOf, teamRecordOf } from './records.fixtures';
import { newSecret, secretHash } from './secret';

const NOW = Date.parse('2030-01-01T00:00:00Z');

function keyRecord(secret: string, overrides: Partial<KeyRecord> = {}): KeyRecord {
  return keyRecordOf({ secret_hash: secretHash(secret), ...overrides });
}

const teamRecord = teamRecordOf;

describe('KeyDirectory', () => {
  const secret = newSecret();

  it('finds a key by its secret and names its caller by id, name and team', () => {
    const directory = new KeyDirectory();
    directory.apply({ type: 'key', key: keyRecord(secret, { team: 'search', models: ['gpt-4o*'] }) });
    const found = directory.lookup(secret, NOW);
    expect(found && 'caller' in found ? { ...found.caller, allows: undefined } : found).toEqual({ api_key_id: 'vk_0123456789abcdef', key_name: 'app', team: 'search', allows: undefined });
    expect(found && 'caller' in found && [found.caller.allows('gpt-4o-mini'), found.caller.allows('claude')]).toEqual([true, false]);
    expect(directory.lookup(newSecret(), NOW)).toBeUndefined();
  });

  it('forgets a revoked key at once, and keeps the newest version whatever order versions arrive in', () => {
    const directory = new KeyDirectory();
    const revoked = keyRecord(secret, { status: 'revoked', version: 3 });
    expect(directory.apply({ type: 'key', key: revoked })).toBe(true);
    expect(directory.apply({ type: 'key', key: keyRecord(secret, { version: 2 }) })).toBe(false);
    expect(directory.lookup(secret, NOW)).toBeUndefined();
    expect(directory.key(revoked.id)?.status).toBe('revoked');
  });

  it('refuses an expired key and a key of a revoked team, saying which key and never the secret', () => {
    const directory = new KeyDirectory();
    directory.apply({ type: 'key', key: keyRecord(secret, { expires_at: '2029-12-31T23:59:59.000Z' }) });
    expect(directory.lookup(secret, NOW)).toEqual({ refused: 'the virtual key vk_0123456789abcdef (app) expired at 2029-12-31T23:59:59.000Z' });
    directory.apply({ type: 'key', key: keyRecord(secret, { expires_at: null, team: 'search', version: 2 }) });
    directory.apply({ type: 'team', team: teamRecord({ status: 'revoked' }) });
    expect(directory.lookup(secret, NOW)).toEqual({ refused: 'the team search of the virtual key vk_0123456789abcdef (app) is revoked' });
  });

  it('moves a key to its new secret hash when its record changes', () => {
    const directory = new KeyDirectory();
    const other = newSecret();
    directory.apply({ type: 'key', key: keyRecord(secret) });
    directory.apply({ type: 'key', key: keyRecord(other, { version: 2 }) });
    expect(directory.lookup(secret, NOW)).toBeUndefined();
    expect(directory.lookup(other, NOW)).toMatchObject({ caller: { api_key_id: 'vk_0123456789abcdef' } });
  });
});
