// What the admin API does, whichever door it came in by (HTTP, gRPC): validate, change the store, apply
// the change to this instance's directory at once, and publish it for every other instance. Bodies and
// ids arrive as the caller sent them and are validated here, once.
import type { Bus } from '@switchyard/bus';
import {
  GatewayError,
  InvalidFieldError,
  checkEntityId,
  checkNumber,
  objectAt,
  parseListLimit,
  parseSince,
  validateKeyInput,
  validateTeamInput,
  type CreatedKey,
  type KeyUsage,
  type ProducerToken,
  type Team,
  type VirtualKey,
} from '@switchyard/contracts';
import type { Logger } from '@switchyard/telemetry';
import type { SqlClient } from '@switchyard/storage';
import { PRODUCER_TOKEN_MAX_TTL_MS, type EventSigner } from './event-auth';
import { KeyDirectory } from './key-directory';
import { followKeyChanges, publishKeyChanges } from './key-feed';
import { SqlKeyStore, type KeyStore } from './key-store';
import type { KeyChangeEvent, KeyRecord, TeamRecord } from './records';
import { newKeyId, newSecret, newTeamId, secretHash } from './secret';

export interface KeyAdminOptions {
  store: KeyStore;
  directory: KeyDirectory;
  bus: Bus;
  logger: Logger;
  /** Issues producer tokens; without it, the admin API issues none. */
  signer?: EventSigner;
}

const DEFAULT_PRODUCER_TOKEN_TTL_S = 86_400;

export class KeyAdmin {
  constructor(private readonly options: KeyAdminOptions) {}

  async createKey(body: unknown): Promise<CreatedKey> {
    const input = validateKeyInput(body, true);
    const secret = newSecret();
    const record = await this.options.store.createKey(newKeyId(), secretHash(secret), { ...input, name: input.name! });
    await this.changed({ type: 'key', key: record }, 'virtual key created');
    return { ...publicKey(record), key: secret };
  }

  async listKeys(query: { team?: unknown; limit?: unknown }): Promise<VirtualKey[]> {
    const team = query.team === undefined || query.team === '' ? undefined : validateKeyInput({ team: query.team }, false).team ?? undefined;
    return (await this.options.store.listKeys({ team, limit: parseListLimit(query.limit) })).map(publicKey);
  }

  async getKey(id: string): Promise<VirtualKey> {
    return publicKey(await this.existingKey(id));
  }

  async updateKey(id: string, body: unknown): Promise<VirtualKey> {
    checkEntityId(id, 'vk_');
    const input = validateKeyInput(body, false);
    const record = await this.options.store.updateKey(id, input);
    await this.changed({ type: 'key', key: record }, 'virtual key changed');
    return publicKey(record);
  }

  async revokeKey(id: string): Promise<VirtualKey> {
    checkEntityId(id, 'vk_');
    const record = await this.options.store.revokeKey(id);
    await this.changed({ type: 'key', key: record }, 'virtual key revoked');
    return publicKey(record);
  }

  async keyUsage(id: string, since: unknown): Promise<KeyUsage> {
    const now = new Date();
    const from = parseSince(since, now);
    return this.options.store.usage(await this.existingKey(id), from, now);
  }

  /** A token a Kafka producer puts on its requests instead of a key's secret, valid for `ttl_s` (a day by default, at most 30). */
  async producerToken(id: string, body: unknown): Promise<ProducerToken> {
    const fields = objectAt(body ?? {}, 'body');
    for (const field of Object.keys(fields)) if (field !== 'ttl_s') throw new InvalidFieldError(field, 'is not a field this takes; expected ttl_s');
    checkNumber(fields.ttl_s, 'ttl_s', 1, PRODUCER_TOKEN_MAX_TTL_MS / 1000, true);
    const record = await this.existingKey(id);
    if (record.status !== 'active') throw new GatewayError('invalid_request', `the key ${record.id} is revoked; a revoked key gets no producer token`);
    if (!this.options.signer) throw new GatewayError('internal', 'this instance has no GATEWAY_KEY_ID_SECRET to sign producer tokens with');
    const expiresAt = Date.now() + ((fields.ttl_s as number | undefined) ?? DEFAULT_PRODUCER_TOKEN_TTL_S) * 1000;
    this.options.logger.info('producer token issued', { key_id: record.id, key_name: record.name, expires_at: new Date(expiresAt).toISOString() });
    return { key_id: record.id, token: this.options.signer.producerToken(record.id, expiresAt), expires_at: new Date(expiresAt).toISOString() };
  }

  async createTeam(body: unknown): Promise<Team> {
    const input = validateTeamInput(body, true);
    const record = await this.options.store.createTeam(newTeamId(), { ...input, name: input.name! });
    await this.changed({ type: 'team', team: record }, 'team created');
    return publicTeam(record);
  }

  async listTeams(query: { limit?: unknown }): Promise<Team[]> {
    return (await this.options.store.listTeams(parseListLimit(query.limit))).map(publicTeam);
  }

  async getTeam(idOrName: string): Promise<Team> {
    const team = await this.options.store.getTeam(teamRef(idOrName));
    if (!team) throw new GatewayError('not_found', `there is no team ${idOrName}`);
    return publicTeam(team);
  }

  async updateTeam(idOrName: string, body: unknown): Promise<Team> {
    const input = validateTeamInput(body, false);
    const record = await this.options.store.updateTeam(teamRef(idOrName), input);
    await this.changed({ type: 'team', team: record }, 'team changed');
    return publicTeam(record);
  }

  async revokeTeam(idOrName: string): Promise<Team> {
    const record = await this.options.store.revokeTeam(teamRef(idOrName));
    await this.changed({ type: 'team', team: record }, 'team revoked');
    return publicTeam(record);
  }

  private async existingKey(id: string): Promise<KeyRecord> {
    const record = await this.options.store.getKey(checkEntityId(id, 'vk_'));
    if (!record) throw new GatewayError('not_found', `there is no key ${id}`);
    return record;
  }

  /**
   * This instance has the change at once; the others from the topic. The store holds it whatever
   * happens next: should the publish fail, the error says so, and the change reaches the other
   * instances when it is made again or when an ingress starts (each publishes the store's state).
   */
  private async changed(change: KeyChangeEvent, what: string): Promise<void> {
    this.options.directory.apply(change);
    const subject = change.type === 'key' ? { key_id: change.key.id, key_name: change.key.name, team: change.key.team } : { team_id: change.team.id, team: change.team.name };
    this.options.logger.info(what, subject);
    try {
      await publishKeyChanges(this.options.bus, [change]);
    } catch (error) {
      this.options.logger.error('could not publish a key change', { ...subject, error: (error as Error).message });
      throw new GatewayError('bus_unavailable', `the change is saved, but could not be sent to the other gateway instances (${(error as Error).message}); make it again to send it`);
    }
  }
}

/**
 * Virtual keys for one gateway instance, kept in `db`: migrates the store, loads its keys and teams
 * into a new directory, follows the keys topic from its beginning, and publishes the store's state to
 * it, so the topic holds whatever a failed publish left out.
 */
export async function startVirtualKeys(options: { db: SqlClient; bus: Bus; instanceId: string; logger: Logger; signer?: EventSigner }): Promise<{ directory: KeyDirectory; admin: KeyAdmin }> {
  const store = new SqlKeyStore(options.db);
  const directory = new KeyDirectory();
  await store.migrate();
  const snapshot = await store.snapshot();
  for (const change of snapshot) directory.apply(change);
  await followKeyChanges(options.bus, directory, options.instanceId, options.logger);
  await publishKeyChanges(options.bus, snapshot);
  options.logger.info('virtual keys loaded', { keys: directory.size });
  return { directory, admin: new KeyAdmin({ store, directory, bus: options.bus, logger: options.logger, signer: options.signer }) };
}

/** A team path names a team by id or by name (names never change). */
function teamRef(idOrName: string): string {
  return idOrName.startsWith('team_') ? checkEntityId(idOrName, 'team_') : validateTeamInput({ name: idOrName }, true).name!;
}

export function publicKey(record: KeyRecord): VirtualKey {
  const { secret_hash: _hash, version: _version, ...key } = record;
  return key;
}

function publicTeam(record: TeamRecord): Team {
  const { version: _version, ...team } = record;
  return team;
}
