// The snapshot of virtual keys and teams each ingress instance holds, to authenticate a call without a
// database round trip: a map from the hash of a secret to its key. Kept current from the store at start
// and from the keys topic after (see key-feed.ts); a change applies only over an older version.
import type { LimitHolder, RequestLimits } from '@switchyard/contracts';
import { modelMatcher } from './model-globs';
import type { KeyChangeEvent, KeyRecord, TeamRecord } from './records';
import { secretHash } from './secret';

/** Who a call comes from, when it presents a virtual key: what its events and usage rows say. */
export interface VirtualKeyCaller {
  api_key_id: string;
  key_name: string;
  team?: string;
  /** Whether the key may use the model (its allowed models). */
  allows(model: string): boolean;
  /** The key's and its team's limits, when either has any. */
  limits?: RequestLimits;
}

/** A secret's key, or why it is refused (the message says which key, never the secret). */
export type KeyLookup = { caller: VirtualKeyCaller } | { refused: string } | undefined;

interface Entry {
  record: KeyRecord;
  caller: VirtualKeyCaller;
  expiresAt: number;
}

export class KeyDirectory {
  private readonly keys = new Map<string, Entry>();
  private readonly byHash = new Map<string, Entry>();
  private readonly teams = new Map<string, TeamRecord>();
  private readonly teamIds = new Map<string, string>();

  /** Applies a change unless what is held is as new or newer; says whether it applied. */
  apply(change: KeyChangeEvent): boolean {
    if (change.type === 'team') {
      const held = this.teams.get(change.team.name);
      if (held && held.version >= change.team.version) return false;
      this.teams.set(change.team.name, change.team);
      this.teamIds.set(change.team.id, change.team.name);
      return true;
    }
    const record = change.key;
    const held = this.keys.get(record.id);
    if (held && held.record.version >= record.version) return false;
    if (held) this.byHash.delete(held.record.secret_hash);
    const allows = modelMatcher(record.models);
    const entry: Entry = {
      record,
      caller: { api_key_id: record.id, key_name: record.name, ...(record.team ? { team: record.team } : {}), allows },
      expiresAt: record.expires_at ? Date.parse(record.expires_at) : Infinity,
    };
    this.keys.set(record.id, entry);
    if (record.status === 'active') this.byHash.set(record.secret_hash, entry);
    return true;
  }

  /** The key a secret belongs to: undefined when it is no virtual key's; refused when revoked or expired. */
  lookup(secret: string, now = Date.now()): KeyLookup {
    const entry = this.byHash.get(secretHash(secret));
    return entry ? this.callerOf(entry, now) : undefined;
  }

  /** The key of an id (a producer token names one): undefined when there is none; refused when revoked or expired. */
  callerById(id: string, now = Date.now()): KeyLookup {
    const entry = this.keys.get(id);
    if (!entry) return undefined;
    if (entry.record.status !== 'active') return { refused: `the virtual key ${entry.record.id} (${entry.record.name}) is revoked` };
    return this.callerOf(entry, now);
  }

  private callerOf(entry: Entry, now: number): KeyLookup {
    const { record } = entry;
    if (now >= entry.expiresAt) return { refused: `the virtual key ${record.id} (${record.name}) expired at ${record.expires_at}` };
    if (record.team && this.teams.get(record.team)?.status === 'revoked') return { refused: `the team ${record.team} of the virtual key ${record.id} (${record.name}) is revoked` };
    const limits = this.limitsOf(record);
    return { caller: limits ? { ...entry.caller, limits } : entry.caller };
  }

  /** The key's limits and its team's, as they stand: a team's change applies to its keys at once. */
  private limitsOf(record: KeyRecord): RequestLimits | undefined {
    const team = record.team ? this.teams.get(record.team) : undefined;
    const keyLimited = record.rpm !== null || record.tpm !== null || record.max_concurrent !== null || record.budget_usd !== null;
    const teamLimited = team !== undefined && (team.rpm !== null || team.tpm !== null || team.budget_usd !== null);
    if (!keyLimited && !teamLimited) return undefined;
    const holder = (of: { id: string; rpm: number | null; tpm: number | null; budget_usd: number | null; budget_period: LimitHolder['budget_period'] }): LimitHolder => ({
      id: of.id,
      rpm: of.rpm,
      tpm: of.tpm,
      budget_usd: of.budget_usd,
      budget_period: of.budget_period,
    });
    return { owner: team ? team.id : record.id, key: { ...holder(record), max_concurrent: record.max_concurrent }, ...(team ? { team: holder(team) } : {}) };
  }

  /** The state held of a key, by id; a revoked key's hash has left the map its lookups use. */
  key(id: string): KeyRecord | undefined {
    return this.keys.get(id)?.record;
  }

  team(idOrName: string): TeamRecord | undefined {
    return this.teams.get(this.teamIds.get(idOrName) ?? idOrName);
  }

  get size(): number {
    return this.keys.size;
  }
}
