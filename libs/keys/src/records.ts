// What the keys topic carries (KEYS_TOPIC): the latest state of each virtual key and team, as the
// store holds it, with a version that grows with every change, so that a reader keeps the newest state
// whatever order it reads states in (a store's state published again after a newer one, say).
import type { Team, VirtualKey } from '@switchyard/contracts';

/** A key as every ingress holds it: the admin API's fields, the hash of its secret, and its version. */
export interface KeyRecord extends VirtualKey {
  /** SHA-256 of the secret, in hex (see secret.ts). */
  secret_hash: string;
  version: number;
}

export interface TeamRecord extends Team {
  version: number;
}

export type KeyChangeEvent = { type: 'key'; key: KeyRecord } | { type: 'team'; team: TeamRecord };

/** The topic's message key: one per key and team, so compaction keeps each one's latest state. */
export function changeKey(change: KeyChangeEvent): string {
  return change.type === 'key' ? `key:${change.key.id}` : `team:${change.team.id}`;
}

const HASH = /^[0-9a-f]{64}$/;

/** A change read off the topic, or the reason it is not one. */
export function parseKeyChange(value: unknown): KeyChangeEvent {
  const change = value as Partial<{ type: unknown; key: Partial<KeyRecord>; team: Partial<TeamRecord> }> | null;
  if (change?.type === 'key' && typeof change.key?.id === 'string' && typeof change.key.secret_hash === 'string' && HASH.test(change.key.secret_hash) && Number.isSafeInteger(change.key.version) && Array.isArray(change.key.models)) {
    return change as KeyChangeEvent;
  }
  if (change?.type === 'team' && typeof change.team?.id === 'string' && typeof change.team.name === 'string' && Number.isSafeInteger(change.team.version)) {
    return change as KeyChangeEvent;
  }
  throw new Error('not a key or team change (type key with id, secret_hash, version and models, or type team with id, name and version)');
}
