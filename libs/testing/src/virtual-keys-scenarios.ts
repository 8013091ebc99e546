// Virtual keys end to end, the same scenarios in both modes: the admin API over HTTP, gRPC and the CLI,
// keys that work until revoked, allowed models, and, last, no secret anywhere the gateway wrote.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { createAdminClient, createGatewayClient, type AdminClient, type AiGatewayClient } from '@switchyard/client';
import type { CreatedKey, KeyUsage, Team, VirtualKey } from '@switchyard/contracts';
import { findCredentialLeaks } from './credential-scan';
import { WORKSPACE_ROOT } from './infrastructure';
import { eventually } from './waiting';

export interface VirtualKeysTarget {
  /** e.g. http://127.0.0.1:8080 */
  httpUrl: string;
  grpcAddress: string;
  adminKey: string;
  /** A key of the environment's list (auth.api_keys_env). */
  envKey: string;
  /** Rows of a query on the analytics database. */
  query(sql: string, params?: unknown[]): Promise<Record<string, unknown>[]>;
  /** What the gateway wrote, to scan for secrets: its logs, its topics' events, named by where they are. */
  written(): Promise<[where: string, text: string][]>;
}

/**
 * The gateway's configuration these scenarios and the limits' (limits-scenarios.ts) need; GATEWAY_KEYS
 * holds the environment's key. mock-priced costs 1 USD a token, so that budgets run out in a few requests;
 * mock-unpriced has no price.
 */
export const VIRTUAL_KEYS_CONFIG = `
models:
  - { name: mock-echo, provider: mock, capabilities: [chat, streaming] }
  - { name: mock-embed, provider: mock, capabilities: [embeddings] }
  - { name: mock-priced, provider: mock, upstream_model: mock-priced, capabilities: [chat, streaming] }
  - { name: mock-unpriced, provider: mock, upstream_model: mock-unpriced, capabilities: [chat] }
pricing:
  mock/mock-priced: { input_per_mtok: 1000000, output_per_mtok: 1000000 }
auth:
  api_keys_env: GATEWAY_KEYS
`;

export interface HttpAnswer {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

export async function httpCall(url: string, method: string, credential: string | undefined, body?: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  const response = await fetch(url, {
    method,
    headers: { ...(credential ? { authorization: `Bearer ${credential}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined, text };
}

function bearer(credential: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${credential}`);
  return metadata;
}

function unary<Req, Res>(client: any, method: string, request: Req, credential?: string): Promise<Res> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((resolve, reject) =>
    client[method](request, credential ? bearer(credential) : new grpc.Metadata(), { deadline: Date.now() + 20_000 }, (error: grpc.ServiceError | null, response: Res) => (error ? reject(error) : resolve(response))),
  );
}

/** Runs `npx switchyard` (bin/switchyard.mjs) as a user would. */
export function runSwitchyardCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(WORKSPACE_ROOT, 'bin/switchyard.mjs'), ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

export function describeVirtualKeyScenarios(mode: string, target: () => VirtualKeysTarget): void {
  describe(`virtual keys, ${mode}`, () => {
    // Every secret the suite sees, and every error message it got, for the scan at the end.
    const secrets: string[] = [];
    const errors: [string, string][] = [];
    // Team names are unique in the store, which a distributed run shares with earlier runs.
    const run = `${mode}-${randomBytes(3).toString('hex')}`;
    let admin: AdminClient;
    let gateway: AiGatewayClient;
    const t = () => target();
    // '' sends no key.
    const adminHttp = (method: string, route: string, body?: unknown, credential = t().adminKey) => httpCall(`${t().httpUrl}/admin/v1/${route}`, method, credential, body);
    const created = async (body: object): Promise<CreatedKey> => {
      const answer = await adminHttp('POST', 'keys', body);
      expect(answer.status).toBe(201);
      secrets.push(answer.body.key);
      return answer.body;
    };
    const chatOver = async (credential: string, model = 'mock-echo', format: 'openai' | 'anthropic' = 'openai'): Promise<HttpAnswer> => {
      const answer =
        format === 'openai'
          ? await httpCall(`${t().httpUrl}/v1/chat/completions`, 'POST', credential, { model, messages: [{ role: 'user', content: 'hello keys' }] })
          : await httpCall(`${t().httpUrl}/v1/messages`, 'POST', credential, { model, max_tokens: 16, messages: [{ role: 'user', content: 'hello keys' }] }, { 'anthropic-version': '2023-06-01' });
      if (answer.status >= 400) errors.push([`${format} error ${answer.status}`, answer.text]);
      return answer;
    };

    beforeAll(() => {
      secrets.push(t().adminKey, t().envKey);
      admin = createAdminClient(t().grpcAddress);
      gateway = createGatewayClient(t().grpcAddress);
    });
    afterAll(() => {
      admin?.close();
      gateway?.close();
    });

    it('refuses the admin API without a key (401), and to an ordinary or a virtual key (403), over HTTP and gRPC', async () => {
      const virtual = await created({ name: 'not-an-admin' });
      const none = await adminHttp('GET', 'keys', undefined, '');
      const ordinary = await adminHttp('GET', 'keys', undefined, t().envKey);
      const asVirtual = await adminHttp('POST', 'keys', { name: 'sneaky' }, virtual.key);
      const wrong = await adminHttp('GET', 'keys', undefined, 'sk-sy-not-a-key-at-all');
      for (const answer of [none, ordinary, asVirtual, wrong]) errors.push(['admin refusal', answer.text]);
      expect([none.status, none.body.error.code]).toEqual([401, 'unauthenticated']);
      expect([ordinary.status, ordinary.body.error.code]).toEqual([403, 'permission_denied']);
      expect([asVirtual.status, asVirtual.body.error.code]).toEqual([403, 'permission_denied']);
      expect([wrong.status, wrong.body.error.code]).toEqual([401, 'unauthenticated']);
      await expect(unary(admin, 'ListKeys', {})).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
      await expect(unary(admin, 'ListKeys', {}, t().envKey)).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED });
      await expect(unary(admin, 'CreateKey', { key: { name: 'sneaky' } }, virtual.key)).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED });
      const listed = (await adminHttp('GET', 'keys')).body.data as VirtualKey[];
      expect(listed.map((key) => key.name)).not.toContain('sneaky');
    });

    it('creates, lists, shows, changes and revokes a key over HTTP; the key works until revoked, and its usage rows name it', async () => {
      await adminHttp('POST', 'teams', { name: `search-${run}`, rpm: 600 });
      const key = await created({ name: 'app', team: `search-${run}`, models: ['mock-*'], rpm: 60, tpm: 100000, budget_usd: 25, budget_period: 'month', metadata: { owner: 'search' } });
      expect(key).toMatchObject({ name: 'app', team: `search-${run}`, models: ['mock-*'], rpm: 60, tpm: 100000, max_concurrent: null, budget_usd: 25, budget_period: 'month', expires_at: null, metadata: { owner: 'search' }, status: 'active' });
      expect(key.id).toMatch(/^vk_[0-9a-f]{16}$/);
      expect(key.key).toMatch(/^sk-sy-[A-Za-z0-9_-]{43}$/);

      const shown = (await adminHttp('GET', `keys/${key.id}`)).body;
      expect(shown).toEqual(Object.fromEntries(Object.entries(key).filter(([field]) => field !== 'key')));
      const listed = (await adminHttp('GET', `keys?team=search-${run}`)).body.data as VirtualKey[];
      expect(listed.map((listedKey) => listedKey.id)).toEqual([key.id]);

      const answer = await chatOver(key.key);
      expect(answer.status).toBe(200);
      const row = await eventually(async () => (await t().query('SELECT api_key_id, key_name, team FROM usage_events WHERE request_id = $1', [answer.body.id]))[0], 'the usage row');
      expect(row).toEqual({ api_key_id: key.id, key_name: 'app', team: `search-${run}` });

      const changed = await adminHttp('PATCH', `keys/${key.id}`, { name: 'app-renamed', rpm: null, metadata: null });
      expect(changed.body).toMatchObject({ name: 'app-renamed', rpm: null, tpm: 100000, metadata: {} });
      const usage = (await adminHttp('GET', `keys/${key.id}/usage?since=7d`)).body as KeyUsage;
      expect(usage).toMatchObject({ key_id: key.id, key_name: 'app-renamed', requests: 1, budget: { budget_usd: 25, period: 'month' } });
      expect(usage.budget!.remaining_usd).toBe(25 - usage.budget!.spent_usd);

      const revoked = await adminHttp('DELETE', `keys/${key.id}`);
      expect(revoked.body.status).toBe('revoked');
      const refused = await chatOver(key.key);
      expect([refused.status, refused.body.error.code]).toEqual([401, 'unauthenticated']);
      const patchRevoked = await adminHttp('PATCH', `keys/${key.id}`, { rpm: 5 });
      expect([patchRevoked.status, patchRevoked.body.error.message]).toEqual([400, `the key ${key.id} is revoked; a revoked key cannot change`]);
    });

    it('creates, lists, shows, changes and revokes a key over gRPC', async () => {
      const response = await unary<object, { virtual_key: VirtualKey; key: string }>(admin, 'CreateKey', { key: { name: 'grpc-app', models: ['mock-echo'], rpm: 10 } }, t().adminKey);
      secrets.push(response.key);
      expect(response.virtual_key).toMatchObject({ name: 'grpc-app', models: ['mock-echo'], rpm: 10, status: 'active' });
      const id = response.virtual_key.id;
      const listed = await unary<object, { keys: VirtualKey[] }>(admin, 'ListKeys', {}, t().adminKey);
      expect(listed.keys.map((key) => key.id)).toContain(id);
      expect(await unary(admin, 'GetKey', { id }, t().adminKey)).toMatchObject({ id, name: 'grpc-app', rpm: 10 });
      const updated = await unary<object, VirtualKey>(admin, 'UpdateKey', { id, key: { tpm: 50000 }, update_mask: ['tpm', 'rpm'] }, t().adminKey);
      expect(updated.tpm).toBe(50000);
      // An unset optional field: no limit.
      expect(updated.rpm).toBeUndefined();
      expect((await chatOver(response.key)).status).toBe(200);
      expect(await unary(admin, 'RevokeKey', { id }, t().adminKey)).toMatchObject({ id, status: 'revoked' });
      expect((await chatOver(response.key)).status).toBe(401);
      await expect(unary(admin, 'GetKey', { id: 'vk_0000000000000000' }, t().adminKey)).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
      await expect(unary(admin, 'CreateKey', { key: { name: 'x', rpm: 0 } }, t().adminKey)).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: 'rpm is 0; it must be between 1 and 1000000000000' });
      const team = await unary<object, Team>(admin, 'CreateTeam', { team: { name: `grpc-team-${run}`, tpm: 1000 } }, t().adminKey);
      expect(await unary(admin, 'GetTeam', { id: team.name }, t().adminKey)).toMatchObject({ id: team.id, tpm: 1000 });
      expect(await unary(admin, 'RevokeTeam', { id: team.id }, t().adminKey)).toMatchObject({ status: 'revoked' });
    });

    it('creates, lists, shows and revokes keys and teams with the CLI, in tables and JSON', async () => {
      const env = { SWITCHYARD_ADMIN_KEY: t().adminKey, SWITCHYARD_URL: t().httpUrl };
      const team = await runSwitchyardCli(['teams', 'create', '--name', `cli-team-${run}`, '--tpm', '5000'], env);
      expect([team.code, team.stderr]).toEqual([0, '']);
      expect(team.stdout).toContain(`cli-team-${run}`);
      const made = await runSwitchyardCli(['--json', 'keys', 'create', '--name', 'cli-app', '--team', `cli-team-${run}`, '--models', 'mock-e*', '--rpm', '60', '--tpm', '100000', '--budget', '25/month'], env);
      expect(made.code).toBe(0);
      const key = JSON.parse(made.stdout) as CreatedKey;
      secrets.push(key.key);
      expect(key).toMatchObject({ name: 'cli-app', team: `cli-team-${run}`, models: ['mock-e*'], rpm: 60, tpm: 100000, budget_usd: 25, budget_period: 'month' });
      const listed = await runSwitchyardCli(['keys', 'list', '--team', `cli-team-${run}`], env);
      expect(listed.stdout).toMatch(new RegExp(`${key.id}.*cli-app.*cli-team-${run}.*mock-e\\*.*60.*100000.*\\$25/month.*active`));
      const shown = await runSwitchyardCli(['keys', 'show', key.id], env);
      expect(shown.stdout).toMatch(/name\s*│\s*cli-app/);
      expect(shown.stdout).not.toContain(key.key);
      expect((await chatOver(key.key)).status).toBe(200);
      // The answer reaches the caller before analytics writes its row (regression: CI ran the usage command in between).
      await eventually(async () => ((await t().query('SELECT 1 FROM usage_events WHERE api_key_id = $1', [key.id])).length === 1 ? true : undefined), "the request's usage row", 20_000, 50);
      const usage = await runSwitchyardCli(['usage', '--key', key.id, '--since', '7d'], env);
      expect(usage.stdout).toMatch(/requests\s*│\s*1\b/);
      const revoked = await runSwitchyardCli(['keys', 'revoke', key.id], env);
      expect(revoked.stdout).toMatch(new RegExp(`${key.id}.*revoked`));
      const missing = await runSwitchyardCli(['keys', 'show', 'vk_0000000000000000'], env);
      expect([missing.code, missing.stderr]).toEqual([1, 'error: there is no key vk_0000000000000000 (not_found)\n']);
      const badBudget = await runSwitchyardCli(['keys', 'create', '--name', 'x', '--budget', '25'], env);
      expect(badBudget.code).toBe(1);
      expect(badBudget.stderr).toContain('expected USD/period, such as 25/month');
      const noAdmin = await runSwitchyardCli(['keys', 'list'], { SWITCHYARD_ADMIN_KEY: '', SWITCHYARD_URL: t().httpUrl });
      expect([noAdmin.code, noAdmin.stderr]).toEqual([2, "error: set SWITCHYARD_ADMIN_KEY to the gateway's admin key\n"]);
    });

    it('refuses a model outside a key\'s allowed models with 403 model_not_allowed in each API\'s shape, and lists only the models it may use', async () => {
      const key = await created({ name: 'echo-only', models: ['mock-e?ho'] });
      expect((await chatOver(key.key)).status).toBe(200);
      const openai = await chatOver(key.key, 'mock-embed');
      expect([openai.status, openai.body.error.type, openai.body.error.code]).toEqual([403, 'permission_error', 'model_not_allowed']);
      const anthropic = await chatOver(key.key, 'mock-embed', 'anthropic');
      expect([anthropic.status, anthropic.body.type, anthropic.body.error.type]).toEqual([403, 'error', 'permission_error']);
      const embed = await httpCall(`${t().httpUrl}/v1/embeddings`, 'POST', key.key, { model: 'mock-embed', input: ['x'] });
      expect([embed.status, embed.body.error.code]).toEqual([403, 'model_not_allowed']);
      const models = await httpCall(`${t().httpUrl}/v1/models`, 'GET', key.key);
      expect(models.body.data.map((model: { id: string }) => model.id)).toEqual(['mock-echo']);
      const grpcRefusal = await new Promise<grpc.ServiceError>((resolve) =>
        gateway.Chat({ model: 'mock-embed', messages: [{ role: 'user', content: 'x' }] }, bearer(key.key), (error) => resolve(error!)),
      );
      expect([grpcRefusal.code, grpcRefusal.metadata.get('switchyard-error-code')[0]]).toEqual([grpc.status.PERMISSION_DENIED, 'model_not_allowed']);
      errors.push(['gRPC model refusal', grpcRefusal.details]);
      const listed = await new Promise<{ models: { id: string }[] }>((resolve, reject) => gateway.ListModels({}, bearer(key.key), (error, response) => (error ? reject(error) : resolve(response as never))));
      expect(listed.models.map((model) => model.id)).toEqual(['mock-echo']);
      const everything = await httpCall(`${t().httpUrl}/v1/models`, 'GET', t().envKey);
      expect(everything.body.data.map((model: { id: string }) => model.id)).toEqual(['mock-echo', 'mock-embed', 'mock-priced', 'mock-unpriced']);
    });

    it('refuses the keys of a revoked team, and input out of bounds with a clear error', async () => {
      const team = (await adminHttp('POST', 'teams', { name: `doomed-${run}` })).body as Team;
      const key = await created({ name: 'member', team: team.name });
      expect((await chatOver(key.key)).status).toBe(200);
      expect((await adminHttp('DELETE', `teams/${team.id}`)).body.status).toBe('revoked');
      const refused = await chatOver(key.key);
      expect([refused.status, refused.body.error.message]).toEqual([401, `the team doomed-${run} of the virtual key ${key.id} (member) is revoked`]);
      const bad = [
        [await adminHttp('POST', 'keys', { name: 'x', team: 'no-such-team' }), 'the team does not exist; create it first (POST /admin/v1/teams)'],
        [await adminHttp('POST', 'keys', { name: 'x'.repeat(65) }), 'name is 65 characters long; at most 64 are accepted'],
        [await adminHttp('POST', 'keys', { name: 'x', budget_usd: 5 }), 'budget_period is required with budget_usd (periods: day, week, month, total)'],
        [await adminHttp('POST', 'keys', { name: 'x', secret: 'mine' }), 'secret is not a field this takes; expected name, team, models, rpm, tpm, max_concurrent, budget_usd, budget_period, expires_at, metadata'],
        [await adminHttp('POST', 'keys', { name: 'x', expires_at: '2001-01-01T00:00:00Z' }), 'expires_at is in the past'],
        [await adminHttp('GET', 'keys/not-an-id'), 'id is not a key id (vk_ and 16 hex digits)'],
        [await adminHttp('POST', 'teams', { name: `doomed-${run}` }), 'a team of that name exists already'],
      ] as const;
      for (const [answer, message] of bad) {
        errors.push(['admin validation', answer.text]);
        expect([answer.status, answer.body.error.message]).toEqual([400, message]);
      }
    });

    it('writes no secret to its logs, topics, rows or error messages', async () => {
      const rows = await t().query(`SELECT row_to_json(u)::text AS text FROM usage_events u WHERE api_key_id LIKE 'vk_%'
        UNION ALL SELECT row_to_json(k)::text FROM virtual_keys k UNION ALL SELECT row_to_json(t)::text FROM teams t`);
      expect(rows.length).toBeGreaterThan(10);
      const texts: [string, string][] = [...(await t().written()), ...rows.map((row, i): [string, string] => [`row ${i}`, row.text as string]), ...errors];
      expect(secrets.length).toBeGreaterThan(6);
      expect(findCredentialLeaks(texts, secrets)).toEqual([]);
    });
  });
}
