// An embedded gateway with an admin key and two models behind a local OpenAI-format upstream, and a
// known set of requests through it: what the usage API and the dashboard's tests read back.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseGatewayConfig } from '@switchyard/config';
import { createLogger } from '@switchyard/telemetry';
import { E2E_UPSTREAM_KEY, eventually, httpCall, startOpenAIUpstream, type OpenAIUpstream } from '@switchyard/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway';

export interface UsageGateway {
  gateway: EmbeddedGateway;
  httpUrl: string;
  adminKey: string;
  envKey: string;
  stop(): Promise<void>;
}

export async function startUsageGateway(name: string): Promise<UsageGateway> {
  const upstream: OpenAIUpstream = await startOpenAIUpstream();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `switchyard-${name}-`));
  const adminKey = randomBytes(32).toString('hex');
  const envKey = `sk-env-${randomBytes(16).toString('hex')}`;
  const gateway = await startEmbeddedGateway({
    config: parseGatewayConfig(`
models:
  - { name: alpha, provider: upstream, upstream_model: gpt-alpha, capabilities: [chat, streaming] }
  - { name: beta, provider: upstream, upstream_model: gpt-beta, capabilities: [chat, streaming] }
providers:
  upstream: { kind: openai, base_url: "${upstream.baseUrl}", api_key_env: UPSTREAM_KEY }
pricing:
  upstream/gpt-alpha: { input_per_mtok: 1.0, output_per_mtok: 2.0, cached_input_per_mtok: 0.5 }
  upstream/gpt-beta: { input_per_mtok: 10.0, output_per_mtok: 20.0, cached_input_per_mtok: 5.0 }
auth:
  api_keys_env: GATEWAY_KEYS
`),
    grpcAddress: '127.0.0.1:0',
    httpAddress: '127.0.0.1:0',
    dataDir,
    logger: createLogger(`${name}-test`, 'error'),
    env: { UPSTREAM_KEY: E2E_UPSTREAM_KEY, GATEWAY_KEYS: envKey, SWITCHYARD_ADMIN_KEY: adminKey },
  });
  return {
    gateway,
    httpUrl: gateway.httpUrl!,
    adminKey,
    envKey,
    async stop() {
      await gateway.stop();
      await upstream.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** What sendKnownRequests sent, as its usage rows hold it. */
export interface SentRequests {
  /** The virtual key the alpha requests used. */
  virtualKey: { id: string; name: string };
  /** api_key_id of the environment key the beta and gamma requests used. */
  envKeyId: string;
  /** Per model: requests, tokens and cost, summed from the rows by SQL. */
  byModel: Record<'alpha' | 'beta' | 'gamma', { requests: number; prompt_tokens: number; completion_tokens: number; cached_prompt_tokens: number; cost_usd: number }>;
}

/**
 * Three requests to alpha with a virtual key of team `search`, two to beta (one streamed) and one to
 * gamma, which the gateway does not serve (model_not_found), with the environment key; resolves once
 * their six rows are written, with what the rows say.
 */
export async function sendKnownRequests(target: UsageGateway): Promise<SentRequests> {
  const keyName = `dashboard-${randomBytes(3).toString('hex')}`;
  const team = await httpCall(`${target.httpUrl}/admin/v1/teams`, 'POST', target.adminKey, { name: 'search' });
  if (team.status !== 201) throw new Error(`could not create a team: ${team.text}`);
  const created = await httpCall(`${target.httpUrl}/admin/v1/keys`, 'POST', target.adminKey, { name: keyName, team: 'search' });
  if (created.status !== 201) throw new Error(`could not create a virtual key: ${created.text}`);
  const chat = async (credential: string, model: string, stream = false) => {
    const answer = await fetch(`${target.httpUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream, ...(stream ? { stream_options: { include_usage: true } } : {}), messages: [{ role: 'user', content: `hello ${model}` }] }),
    });
    const text = await answer.text();
    if (answer.status !== 200 || (stream && !text.endsWith('data: [DONE]\n\n'))) throw new Error(`${model} answered ${answer.status}: ${text}`);
  };
  for (let i = 0; i < 3; i++) await chat(created.body.key, 'alpha');
  await chat(target.envKey, 'beta');
  await chat(target.envKey, 'beta', true);
  const unserved = await fetch(`${target.httpUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${target.envKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gamma', messages: [{ role: 'user', content: 'hello gamma' }] }),
  });
  if (unserved.status !== 404) throw new Error(`gamma answered ${unserved.status}: ${await unserved.text()}`);
  const query = async <R>(sql: string) => (await target.gateway.db.query<R>(sql)).rows;
  await eventually(async () => ((await query<{ rows: number }>(`SELECT count(*)::int AS rows FROM usage_events WHERE metered`))[0].rows === 6 ? true : undefined), 'the six usage rows');
  const sums = await query<{ model: 'alpha' | 'beta' | 'gamma'; requests: number; prompt_tokens: number; completion_tokens: number; cached_prompt_tokens: number; cost_usd: number }>(
    `SELECT model, count(*)::float8 AS requests, sum(prompt_tokens)::float8 AS prompt_tokens, sum(completion_tokens)::float8 AS completion_tokens,
            sum(cached_prompt_tokens)::float8 AS cached_prompt_tokens, sum(cost_usd)::float8 AS cost_usd
     FROM usage_events GROUP BY model`,
  );
  const [{ id: envKeyId }] = await query<{ id: string }>(`SELECT DISTINCT api_key_id AS id FROM usage_events WHERE model = 'beta'`);
  return {
    virtualKey: { id: created.body.id, name: keyName },
    envKeyId,
    byModel: Object.fromEntries(sums.map(({ model, ...figures }) => [model, figures])) as SentRequests['byModel'],
  };
}
