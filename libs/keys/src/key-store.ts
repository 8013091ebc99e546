// Where virtual keys and teams are kept: Postgres (PGlite in embedded mode), behind KeyStore so the
// admin logic does not depend on the engine. The schema is versioned (keys_schema_migrations); each
// migration runs once, under an advisory lock, so instances starting together do not race.
import { GatewayError, budgetPeriodAt, type KeyInput, type KeyUsage, type Team, type TeamInput, type VirtualKey } from '@switchyard/contracts';
import { applyVersionedMigrations, type SqlClient } from '@switchyard/storage';
import type { KeyChangeEvent, KeyRecord, TeamRecord } from './records';

export interface KeyStore {
  /** Creates or upgrades the schema; safe at every start. */
  migrate(): Promise<void>;
  createKey(id: string, secretHash: string, input: KeyInput & { name: string }): Promise<KeyRecord>;
  updateKey(id: string, input: KeyInput): Promise<KeyRecord>;
  revokeKey(id: string): Promise<KeyRecord>;
  getKey(id: string): Promise<KeyRecord | undefined>;
  listKeys(filter: { team?: string; limit: number }): Promise<KeyRecord[]>;
  createTeam(id: string, input: TeamInput & { name: string }): Promise<TeamRecord>;
  updateTeam(idOrName: string, input: TeamInput): Promise<TeamRecord>;
  revokeTeam(idOrName: string): Promise<TeamRecord>;
  getTeam(idOrName: string): Promise<TeamRecord | undefined>;
  listTeams(limit: number): Promise<TeamRecord[]>;
  /** Every key and team as a change, for a snapshot to start from. */
  snapshot(): Promise<KeyChangeEvent[]>;
  /** A key's spend and use in the usage rows since `since`, and in its budget's current period. */
  usage(key: KeyRecord, since: Date, now: Date): Promise<KeyUsage>;
}

// Each entry runs once, in order; a new schema change is a new entry, never an edit of an old one.
const MIGRATIONS: string[] = [
  `CREATE TABLE teams (
     id            text PRIMARY KEY,
     name          text NOT NULL UNIQUE,
     rpm           bigint,
     tpm           bigint,
     budget_usd    numeric(20, 10),
     budget_period text,
     metadata      jsonb NOT NULL DEFAULT '{}'::jsonb,
     status        text NOT NULL DEFAULT 'active',
     version       bigint NOT NULL DEFAULT 1,
     created_at    timestamptz NOT NULL DEFAULT now(),
     updated_at    timestamptz NOT NULL DEFAULT now(),
     CONSTRAINT teams_budget_has_period CHECK ((budget_usd IS NULL) = (budget_period IS NULL))
   );
   CREATE TABLE virtual_keys (
     id             text PRIMARY KEY,
     secret_hash    text NOT NULL UNIQUE,
     name           text NOT NULL,
     team           text REFERENCES teams (name),
     models         text[] NOT NULL DEFAULT '{}',
     rpm            bigint,
     tpm            bigint,
     max_concurrent bigint,
     budget_usd     numeric(20, 10),
     budget_period  text,
     expires_at     timestamptz,
     metadata       jsonb NOT NULL DEFAULT '{}'::jsonb,
     status         text NOT NULL DEFAULT 'active',
     version        bigint NOT NULL DEFAULT 1,
     created_at     timestamptz NOT NULL DEFAULT now(),
     updated_at     timestamptz NOT NULL DEFAULT now(),
     CONSTRAINT virtual_keys_budget_has_period CHECK ((budget_usd IS NULL) = (budget_period IS NULL))
   );
   CREATE INDEX virtual_keys_team_idx ON virtual_keys (team);`,
  // The budgets' ledger (spend-ledger.ts): a settled request's cost, once per request.
  `CREATE TABLE spend_ledger (
     request_id text PRIMARY KEY,
     key_id     text NOT NULL,
     team_id    text,
     ts         timestamptz NOT NULL,
     cost_usd   numeric(20, 10) NOT NULL
   );
   CREATE INDEX spend_ledger_key_idx ON spend_ledger (key_id, ts);
   CREATE INDEX spend_ledger_team_idx ON spend_ledger (team_id, ts) WHERE team_id IS NOT NULL;`,
];

// An arbitrary constant: the advisory lock the migrations of this schema hold.
const MIGRATION_LOCK = 7_150_150;

const LIMIT_COLUMNS = ['rpm', 'tpm', 'budget_usd', 'budget_period'] as const;
const KEY_COLUMNS = ['name', 'team', 'models', ...LIMIT_COLUMNS, 'max_concurrent', 'expires_at', 'metadata'] as const;
const TEAM_COLUMNS = [...LIMIT_COLUMNS, 'metadata'] as const;

const epochMs = (column: string) => `(extract(epoch from ${column}) * 1000)::float8 AS ${column}`;
const LIMITS_SELECT = `rpm::float8 AS rpm, tpm::float8 AS tpm, budget_usd::float8 AS budget_usd, budget_period, metadata, status, version::float8 AS version, ${epochMs('created_at')}, ${epochMs('updated_at')}`;
const KEY_SELECT = `id, secret_hash, name, team, models, max_concurrent::float8 AS max_concurrent, ${epochMs('expires_at')}, ${LIMITS_SELECT}`;
const TEAM_SELECT = `id, name, ${LIMITS_SELECT}`;

type Row = Record<string, unknown>;

export class SqlKeyStore implements KeyStore {
  constructor(private readonly db: SqlClient) {}

  async migrate(): Promise<void> {
    await applyVersionedMigrations(this.db, { table: 'keys_schema_migrations', lock: MIGRATION_LOCK, migrations: MIGRATIONS });
  }

  async createKey(id: string, secretHash: string, input: KeyInput & { name: string }): Promise<KeyRecord> {
    const fields = given(input, KEY_COLUMNS, 3);
    const rows = await this.run(
      `INSERT INTO virtual_keys (id, secret_hash, ${fields.names.join(', ')}) VALUES ($1, $2, ${fields.placeholders.join(', ')}) RETURNING ${KEY_SELECT}`,
      [id, secretHash, ...fields.values],
    );
    return keyOf(rows[0]);
  }

  async updateKey(id: string, input: KeyInput): Promise<KeyRecord> {
    return keyOf(await this.update('key', id, input, KEY_COLUMNS));
  }

  async revokeKey(id: string): Promise<KeyRecord> {
    const rows = await this.run(`UPDATE virtual_keys SET status = 'revoked', version = version + 1, updated_at = now() WHERE id = $1 RETURNING ${KEY_SELECT}`, [id]);
    if (rows.length === 0) throw notFound('key', id);
    return keyOf(rows[0]);
  }

  async getKey(id: string): Promise<KeyRecord | undefined> {
    const rows = await this.run(`SELECT ${KEY_SELECT} FROM virtual_keys WHERE id = $1`, [id]);
    return rows[0] ? keyOf(rows[0]) : undefined;
  }

  async listKeys(filter: { team?: string; limit: number }): Promise<KeyRecord[]> {
    const rows = filter.team
      ? await this.run(`SELECT ${KEY_SELECT} FROM virtual_keys WHERE team = $1 ORDER BY created_at, id LIMIT $2`, [filter.team, filter.limit])
      : await this.run(`SELECT ${KEY_SELECT} FROM virtual_keys ORDER BY created_at, id LIMIT $1`, [filter.limit]);
    return rows.map(keyOf);
  }

  async createTeam(id: string, input: TeamInput & { name: string }): Promise<TeamRecord> {
    const fields = given(input, ['name', ...TEAM_COLUMNS], 2);
    const rows = await this.run(`INSERT INTO teams (id, ${fields.names.join(', ')}) VALUES ($1, ${fields.placeholders.join(', ')}) RETURNING ${TEAM_SELECT}`, [id, ...fields.values]);
    return teamOf(rows[0]);
  }

  async updateTeam(idOrName: string, input: TeamInput): Promise<TeamRecord> {
    return teamOf(await this.update('team', idOrName, input, TEAM_COLUMNS));
  }

  async revokeTeam(idOrName: string): Promise<TeamRecord> {
    const rows = await this.run(`UPDATE teams SET status = 'revoked', version = version + 1, updated_at = now() WHERE id = $1 OR name = $1 RETURNING ${TEAM_SELECT}`, [idOrName]);
    if (rows.length === 0) throw notFound('team', idOrName);
    return teamOf(rows[0]);
  }

  async getTeam(idOrName: string): Promise<TeamRecord | undefined> {
    const rows = await this.run(`SELECT ${TEAM_SELECT} FROM teams WHERE id = $1 OR name = $1`, [idOrName]);
    return rows[0] ? teamOf(rows[0]) : undefined;
  }

  async listTeams(limit: number): Promise<TeamRecord[]> {
    return (await this.run(`SELECT ${TEAM_SELECT} FROM teams ORDER BY created_at, id LIMIT $1`, [limit])).map(teamOf);
  }

  async snapshot(): Promise<KeyChangeEvent[]> {
    const teams = (await this.run(`SELECT ${TEAM_SELECT} FROM teams`)).map((row): KeyChangeEvent => ({ type: 'team', team: teamOf(row) }));
    const keys = (await this.run(`SELECT ${KEY_SELECT} FROM virtual_keys`)).map((row): KeyChangeEvent => ({ type: 'key', key: keyOf(row) }));
    return [...teams, ...keys];
  }

  async usage(key: KeyRecord, since: Date, now: Date): Promise<KeyUsage> {
    const period = key.budget_period ? budgetPeriodAt(key.budget_period, now) : undefined;
    const minuteAgo = new Date(now.getTime() - 60_000);
    let totals: Row = {};
    try {
      [totals] = await this.run(
        `SELECT count(*) FILTER (WHERE ts >= $2)::float8 AS requests,
                coalesce(sum(prompt_tokens) FILTER (WHERE ts >= $2), 0)::float8 AS prompt_tokens,
                coalesce(sum(completion_tokens) FILTER (WHERE ts >= $2), 0)::float8 AS completion_tokens,
                coalesce(sum(cost_usd) FILTER (WHERE ts >= $2), 0)::float8 AS cost_usd,
                coalesce(sum(cost_usd) FILTER (WHERE ts >= $3), 0)::float8 AS period_cost_usd,
                count(*) FILTER (WHERE ts >= $4)::float8 AS minute_requests,
                coalesce(sum(prompt_tokens + completion_tokens) FILTER (WHERE ts >= $4), 0)::float8 AS minute_tokens
         FROM usage_events WHERE api_key_id = $1 AND ts >= least($2, $3, $4)`,
        [key.id, since.toISOString(), (period?.start ?? now).toISOString(), minuteAgo.toISOString()],
      );
    } catch (error) {
      // No usage rows yet: analytics has not made its table.
      if ((error as { code?: unknown }).code !== UNDEFINED_TABLE) throw error;
    }
    const number = (name: string) => Number(totals[name] ?? 0);
    return {
      key_id: key.id,
      key_name: key.name,
      team: key.team,
      since: since.toISOString(),
      requests: number('requests'),
      prompt_tokens: number('prompt_tokens'),
      completion_tokens: number('completion_tokens'),
      cost_usd: number('cost_usd'),
      budget:
        key.budget_usd !== null && key.budget_period && period
          ? {
              budget_usd: key.budget_usd,
              period: key.budget_period,
              spent_usd: number('period_cost_usd'),
              remaining_usd: Math.max(0, key.budget_usd - number('period_cost_usd')),
              resets_at: period.resets_at?.toISOString() ?? null,
            }
          : null,
      last_minute: { requests: number('minute_requests'), tokens: number('minute_tokens') },
    };
  }

  /** Sets the given fields of an active key or team, a version further on; a revoked one cannot change. */
  private async update(what: 'key' | 'team', id: string, input: KeyInput | TeamInput, columns: readonly string[]): Promise<Row> {
    const fields = given(input, columns, 2);
    const sets = [...fields.names.map((name, i) => `${name} = ${fields.placeholders[i]}`), 'version = version + 1', 'updated_at = now()'];
    const [table, select, match] = what === 'key' ? ['virtual_keys', KEY_SELECT, 'id = $1'] : ['teams', TEAM_SELECT, '(id = $1 OR name = $1)'];
    const rows = await this.run(`UPDATE ${table} SET ${sets.join(', ')} WHERE ${match} AND status = 'active' RETURNING ${select}`, [id, ...fields.values]);
    if (rows.length === 0) throw await this.notChangeable(what, id);
    return rows[0];
  }

  /** Runs a statement; the database's refusals of a value become invalid_request, in the admin API's words. */
  private async run(text: string, params?: unknown[]): Promise<Row[]> {
    try {
      return (await this.db.query<Row>(text, params)).rows;
    } catch (error) {
      throw refusalOf(error) ?? error;
    }
  }

  private async notChangeable(what: 'key' | 'team', id: string): Promise<GatewayError> {
    const exists = what === 'key' ? await this.getKey(id) : await this.getTeam(id);
    return exists ? new GatewayError('invalid_request', `the ${what} ${id} is revoked; a revoked ${what} cannot change`) : notFound(what, id);
  }
}

const UNDEFINED_TABLE = '42P01';

function notFound(what: 'key' | 'team', id: string): GatewayError {
  return new GatewayError('not_found', `there is no ${what} ${id}`);
}

function refusalOf(error: unknown): GatewayError | undefined {
  const { code, constraint, detail } = error as { code?: string; constraint?: string; detail?: string };
  if (code === '23503') return new GatewayError('invalid_request', `the team does not exist; create it first (POST /admin/v1/teams)`, { param: 'team' });
  if (code === '23505' && /name/.test(`${constraint} ${detail}`)) return new GatewayError('invalid_request', 'a team of that name exists already', { param: 'name' });
  if (code === '23514') return new GatewayError('invalid_request', 'budget_usd and budget_period go together: set both, or clear both with null', { param: 'budget_period' });
  return undefined;
}

/** The fields `input` sets among `columns`: their names, placeholders from $`first` on, and values. */
function given(input: object, columns: readonly string[], first: number): { names: string[]; placeholders: string[]; values: unknown[] } {
  const fields = input as Record<string, unknown>;
  const names = columns.filter((column) => fields[column] !== undefined);
  return { names, placeholders: names.map((name, i) => `$${first + i}${cast(name)}`), values: names.map((name) => sqlValue(name, fields[name])) };
}

function cast(column: string): string {
  if (column === 'models') return '::text[]';
  if (column === 'metadata') return '::jsonb';
  if (column === 'expires_at') return '::timestamptz';
  return '';
}

function sqlValue(column: string, value: unknown): unknown {
  return column === 'metadata' ? JSON.stringify(value) : value;
}

function iso(value: unknown): string {
  return new Date(Number(value)).toISOString();
}

function nullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function limitsOf(row: Row) {
  return {
    rpm: nullableNumber(row.rpm),
    tpm: nullableNumber(row.tpm),
    budget_usd: nullableNumber(row.budget_usd),
    budget_period: (row.budget_period ?? null) as VirtualKey['budget_period'],
    metadata: (row.metadata ?? {}) as Record<string, string>,
    status: row.status as VirtualKey['status'],
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    version: Number(row.version),
  };
}

function keyOf(row: Row): KeyRecord {
  return {
    id: row.id as string,
    secret_hash: row.secret_hash as string,
    name: row.name as string,
    team: (row.team ?? null) as string | null,
    models: (row.models ?? []) as string[],
    max_concurrent: nullableNumber(row.max_concurrent),
    expires_at: row.expires_at === null || row.expires_at === undefined ? null : iso(row.expires_at),
    ...limitsOf(row),
  };
}

function teamOf(row: Row): TeamRecord {
  return { id: row.id as string, name: row.name as string, ...limitsOf(row) } satisfies Team & { version: number };
}
