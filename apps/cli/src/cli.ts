// `npx switchyard`: virtual keys, teams and their usage, through the gateway's admin HTTP API. Tables for
// people, --json for scripts. The admin key comes from SWITCHYARD_ADMIN_KEY only: an option's value
// would show in the process list and the shell's history.
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import Table from 'cli-table3';
import type { CreatedKey, KeyUsage, ProducerToken, Team, VirtualKey } from '@switchyard/contracts';
import { AdminApiError, AdminHttp } from './admin-http';
import { addBatchCommands, type BatchIo } from './batch-commands';

export interface CliIo extends BatchIo {
  stderr(text: string): void;
}

const DEFAULT_URL = 'http://127.0.0.1:8080';

/** Runs one command line (without `node` and the script); resolves with the exit code. */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof AdminApiError) {
      io.stderr(`error: ${error.message}${error.code ? ` (${error.code})` : ''}\n`);
      return 1;
    }
    if (error instanceof UsageError) {
      io.stderr(`error: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

class UsageError extends Error {}

function buildProgram(io: CliIo): Command {
  const program = new Command('switchyard')
    .description('Manage the virtual keys and teams of a Switchyard gateway (docs/keys.md), and run batch jobs on it (docs/batch.md).')
    .addOption(new Option('--url <url>', "the gateway's HTTP address").env('SWITCHYARD_URL').default(DEFAULT_URL))
    .option('--json', 'print JSON instead of tables')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  const api = () => {
    const adminKey = io.env.SWITCHYARD_ADMIN_KEY;
    if (!adminKey) throw new UsageError('set SWITCHYARD_ADMIN_KEY to the gateway\'s admin key');
    return new AdminHttp({ url: program.opts().url, adminKey, fetch: io.fetch });
  };
  const print = (value: unknown, table: () => string) => io.stdout(program.opts().json ? `${JSON.stringify(value, null, 2)}\n` : `${table()}\n`);

  const keys = program.command('keys').description('virtual keys').exitOverride();
  limitOptions(keyOptions(keys.command('create').description('create a key; its secret is shown this once')))
    .requiredOption('--name <name>', 'the key\'s name')
    .action(async (options) => {
      const created = await api().request<CreatedKey>('POST', 'keys', keyBody(options));
      print(created, () => `${keyTable([created])}\nkey: ${created.key}\nThe secret is shown this once: store it now.`);
    });
  keys
    .command('list')
    .description('list keys')
    .option('--team <team>', 'only the keys of this team')
    .action(async (options) => {
      const query = options.team ? `?team=${encodeURIComponent(options.team)}` : '';
      const { data } = await api().request<{ data: VirtualKey[] }>('GET', `keys${query}`);
      print(data, () => keyTable(data));
    });
  showCommand(keys, 'keys', '<id>', 'show one key');
  limitOptions(keyOptions(keys.command('update <id>').description('change a key\'s settings')))
    .option('--name <name>', 'a new name')
    .addOption(clearOption(['team', 'models', 'rpm', 'tpm', 'max_concurrent', 'budget', 'expires_at', 'metadata']))
    .action(async (id: string, options) => {
      const key = await api().request<VirtualKey>('PATCH', `keys/${encodeURIComponent(id)}`, changeBody(keyBody(options), options.clear));
      print(key, () => detailTable(key));
    });
  revokeCommand(keys, 'keys', '<id>', 'revoke a key for good; every gateway instance refuses it within a second', keyTable);
  keys
    .command('producer-token <id>')
    .description('a token with which a Kafka producer sends requests to switchyard.requests as this key (docs/keys.md)')
    .option('--ttl <seconds>', 'how long it is valid, in seconds (default a day, at most 30 days)', positiveInteger)
    .action(async (id: string, options) => {
      const issued = await api().request<ProducerToken>('POST', `keys/${encodeURIComponent(id)}/producer-token`, options.ttl === undefined ? {} : { ttl_s: options.ttl });
      print(issued, () => `key: ${issued.key_id}\nexpires: ${issued.expires_at}\ntoken: ${issued.token}`);
    });

  const teams = program.command('teams').description('teams, whose limits bound their keys').exitOverride();
  limitOptions(teams.command('create').description('create a team'))
    .requiredOption('--name <name>', 'the team\'s name, which keys give as --team')
    .option('--metadata <pair...>', 'tags, as name=value')
    .action(async (options) => {
      const team = await api().request<Team>('POST', 'teams', teamBody(options));
      print(team, () => teamTable([team]));
    });
  teams.command('list').description('list teams').action(async () => {
    const { data } = await api().request<{ data: Team[] }>('GET', 'teams');
    print(data, () => teamTable(data));
  });
  showCommand(teams, 'teams', '<team>', 'show one team, by id or name');
  limitOptions(teams.command('update <team>').description('change a team\'s limits'))
    .option('--metadata <pair...>', 'tags, as name=value')
    .addOption(clearOption(['rpm', 'tpm', 'budget', 'metadata']))
    .action(async (team: string, options) => {
      const changed = await api().request<Team>('PATCH', `teams/${encodeURIComponent(team)}`, changeBody(teamBody(options), options.clear));
      print(changed, () => detailTable(changed));
    });
  revokeCommand(teams, 'teams', '<team>', 'revoke a team for good: its keys are refused', teamTable);

  program
    .command('usage')
    .description('a key\'s requests, tokens and spend, and what is left of its budget')
    .requiredOption('--key <id>', 'the key\'s id')
    .option('--since <span>', 'a span back from now (30m, 24h, 7d) or an ISO 8601 time', '30d')
    .action(async (options) => {
      const usage = await api().request<KeyUsage>('GET', `keys/${encodeURIComponent(options.key)}/usage?since=${encodeURIComponent(options.since)}`);
      print(usage, () => usageTable(usage));
    });
  addBatchCommands(program, io);
  return program;

  function showCommand(group: Command, collection: 'keys' | 'teams', argument: string, description: string): void {
    group
      .command(`show ${argument}`)
      .description(description)
      .action(async (id: string) => {
        const found = await api().request<VirtualKey | Team>('GET', `${collection}/${encodeURIComponent(id)}`);
        print(found, () => detailTable(found));
      });
  }

  function revokeCommand<T>(group: Command, collection: 'keys' | 'teams', argument: string, description: string, tableOf: (rows: T[]) => string): void {
    group
      .command(`revoke ${argument}`)
      .description(description)
      .action(async (id: string) => {
        const revoked = await api().request<T>('DELETE', `${collection}/${encodeURIComponent(id)}`);
        print(revoked, () => tableOf([revoked]));
      });
  }
}

function keyOptions(command: Command): Command {
  return command
    .option('--team <team>', 'the team whose limits also bound the key')
    .option('--models <globs...>', "model names or globs (e.g. 'gpt-4o*') the key may use; default: every model")
    .option('--max-concurrent <n>', 'requests in flight at once', positiveInteger)
    .option('--expires <time>', 'when the key stops working: an ISO 8601 time, or a span from now (30d, 12h)')
    .option('--metadata <pair...>', 'tags, as name=value');
}

function limitOptions(command: Command): Command {
  return command
    .option('--rpm <n>', 'requests per minute', positiveInteger)
    .option('--tpm <n>', 'tokens per minute', positiveInteger)
    .option('--budget <usd/period>', 'a spend limit in USD and its period (day, week, month, total), e.g. 25/month', budgetOf);
}

function clearOption(fields: string[]): Option {
  return new Option('--clear <field...>', 'remove these settings').choices(fields);
}

function positiveInteger(value: string): number {
  if (!/^\d{1,13}$/.test(value) || Number(value) === 0) throw new InvalidArgumentError('expected a whole number above 0');
  return Number(value);
}

function budgetOf(value: string): { budget_usd: number; budget_period: string } {
  const match = /^(\d+(?:\.\d+)?)\/([a-z]+)$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected USD/period, such as 25/month (periods: day, week, month, total)');
  return { budget_usd: Number(match[1]), budget_period: match[2] };
}

function metadataOf(pairs: string[] | undefined): Record<string, string> | undefined {
  if (!pairs) return undefined;
  const metadata: Record<string, string> = {};
  for (const pair of pairs) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new UsageError(`--metadata ${pair} is not name=value`);
    metadata[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return metadata;
}

const SPAN_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

function expiryOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const span = /^(\d+)([mhd])$/.exec(value);
  return span ? new Date(Date.now() + Number(span[1]) * SPAN_MS[span[2]]).toISOString() : value;
}

type Options = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function limitsBody(options: Options): Record<string, unknown> {
  return { name: options.name, rpm: options.rpm, tpm: options.tpm, ...(options.budget ?? {}), metadata: metadataOf(options.metadata) };
}

function keyBody(options: Options): Record<string, unknown> {
  return { ...limitsBody(options), team: options.team, models: options.models, max_concurrent: options.maxConcurrent, expires_at: expiryOf(options.expires) };
}

function teamBody(options: Options): Record<string, unknown> {
  return limitsBody(options);
}

/** A PATCH body: what was given, and null for each field --clear names (a budget is its amount and period). */
function changeBody(body: Record<string, unknown>, clear: string[] | undefined): Record<string, unknown> {
  const change: Record<string, unknown> = Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
  for (const field of clear ?? []) {
    if (field === 'budget') Object.assign(change, { budget_usd: null, budget_period: null });
    else change[field] = null;
  }
  if (Object.keys(change).length === 0) throw new UsageError('nothing to change: give the settings to change, or --clear');
  return change;
}

const none = (value: unknown) => (value === null || value === undefined || (Array.isArray(value) && value.length === 0) ? '-' : String(value));
const budget = (entity: { budget_usd: number | null; budget_period: string | null }) => (entity.budget_usd === null ? '-' : `$${entity.budget_usd}/${entity.budget_period}`);

function table(head: string[], rows: string[][]): string {
  const out = new Table({ head, style: { head: [], border: [] } });
  out.push(...rows);
  return out.toString();
}

function keyTable(keys: VirtualKey[]): string {
  return table(
    ['ID', 'NAME', 'TEAM', 'MODELS', 'RPM', 'TPM', 'BUDGET', 'EXPIRES', 'STATUS'],
    keys.map((key) => [key.id, key.name, none(key.team), key.models.length ? key.models.join(', ') : 'all', none(key.rpm), none(key.tpm), budget(key), none(key.expires_at), key.status]),
  );
}

function teamTable(teams: Team[]): string {
  return table(['ID', 'NAME', 'RPM', 'TPM', 'BUDGET', 'STATUS'], teams.map((team) => [team.id, team.name, none(team.rpm), none(team.tpm), budget(team), team.status]));
}

function detailTable(entity: VirtualKey | Team): string {
  const out = new Table({ style: { head: [], border: [] } });
  for (const [field, value] of Object.entries(entity)) {
    out.push({ [field]: typeof value === 'object' && value !== null && !Array.isArray(value) ? JSON.stringify(value) : none(value) });
  }
  return out.toString();
}

function usageTable(usage: KeyUsage): string {
  const out = new Table({ style: { head: [], border: [] } });
  out.push(
    { key: `${usage.key_id} (${usage.key_name})` },
    { team: none(usage.team) },
    { since: usage.since },
    { requests: String(usage.requests) },
    { 'prompt tokens': String(usage.prompt_tokens) },
    { 'completion tokens': String(usage.completion_tokens) },
    { 'cost (USD)': usage.cost_usd.toFixed(6) },
    { budget: usage.budget ? `$${usage.budget.spent_usd.toFixed(6)} of $${usage.budget.budget_usd} this ${usage.budget.period}; $${usage.budget.remaining_usd.toFixed(6)} left${usage.budget.resets_at ? `, resets ${usage.budget.resets_at}` : ''}` : '-' },
    { 'last minute': `${usage.last_minute.requests} requests, ${usage.last_minute.tokens} tokens` },
  );
  return out.toString();
}
