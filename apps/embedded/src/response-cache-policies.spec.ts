// Key and team cache policies through the whole embedded gateway, with virtual keys from the admin API
// and an upstream that counts its calls: a key whose policy turns caching off is never answered from the
// cache, and a team's policy holds for each of its keys.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseGatewayConfig } from '@switchyard/config';
import { createLogger } from '@switchyard/telemetry';
import { eventually, startOpenAIUpstream, type OpenAIUpstream } from '@switchyard/testing';
import { stringify } from 'yaml';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway';

jest.setTimeout(60_000);

const adminKey = randomBytes(32).toString('hex');

describe('response cache policies of keys and teams in the embedded gateway', () => {
  let gateway: EmbeddedGateway;
  let upstream: OpenAIUpstream;
  let dataDir: string;
  const secrets: Record<string, string> = {};

  async function admin(pathname: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const response = await fetch(`${gateway.httpUrl}/admin/v1/${pathname}`, { method: 'POST', headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(response.status).toBe(201);
    return (await response.json()) as Record<string, unknown>;
  }

  beforeAll(async () => {
    upstream = await startOpenAIUpstream();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-cache-policies-'));
    const config = {
      models: [{ name: 'cached', provider: 'up', upstream_model: 'gpt-test', capabilities: ['chat'], cache: { ttl_s: 3600, scope: 'global' } }],
      providers: { up: { kind: 'openai', base_url: upstream.baseUrl, api_key_env: 'E2E_OPENAI_KEY' } },
      limits: { default_timeout_ms: 20_000 },
      cache_policies: {
        keys: { 'batch-jobs': { enabled: false } },
        teams: { research: { scope: 'team' }, quiet: { enabled: false } },
      },
    };
    gateway = await startEmbeddedGateway({
      config: parseGatewayConfig(stringify(config)),
      grpcAddress: '127.0.0.1:0',
      httpAddress: '127.0.0.1:0',
      dataDir,
      logger: createLogger('cache-policies-test', 'error'),
      env: { SWITCHYARD_ADMIN_KEY: adminKey, E2E_OPENAI_KEY: 'sk-upstream' },
    });
    await admin('teams', { name: 'research' });
    await admin('teams', { name: 'quiet' });
    for (const [name, team] of [['app', undefined], ['other-app', undefined], ['batch-jobs', undefined], ['analyst-1', 'research'], ['analyst-2', 'research'], ['hushed', 'quiet']] as const) {
      secrets[name] = (await admin('keys', { name, ...(team ? { team } : {}) })).key as string;
    }
  });

  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const calls = () => upstream.requests.length;

  /** The cache status of a deterministic question asked with the named key. */
  async function ask(key: string, content: string): Promise<string | null> {
    const response = await fetch(`${gateway.httpUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${secrets[key]}` },
      body: JSON.stringify({ model: 'cached', temperature: 0, messages: [{ role: 'user', content }], metadata: { test: content } }),
    });
    expect(response.status).toBe(200);
    await response.json();
    return response.headers.get('x-switchyard-cache');
  }

  /** The rows of the requests asking `content`: their key's name and cache status, oldest first. */
  const rowsOf = (content: string, count: number) =>
    eventually(async () => {
      const { rows } = await gateway.db.query<{ key_name: string; cache: string }>(`SELECT key_name, cache FROM usage_events WHERE metadata->>'test' = $1 ORDER BY ts, latency_ms`, [content]);
      return rows.length >= count ? rows.map((row) => [row.key_name, row.cache]) : undefined;
    }, `${count} rows asking ${content}`);

  it('never answers a key whose policy turns caching off from the cache, nor stores its answers, while other keys hit', async () => {
    const before = calls();
    expect(await ask('batch-jobs', 'a batch question')).toBe('bypass');
    expect(await ask('batch-jobs', 'a batch question')).toBe('bypass');
    // Nothing was stored for it: the first other key misses, then hits; the batch key still goes to the provider.
    expect(await ask('app', 'a batch question')).toBe('miss');
    expect(await ask('app', 'a batch question')).toBe('hit');
    expect(await ask('batch-jobs', 'a batch question')).toBe('bypass');
    expect(calls() - before).toBe(4);
    expect(await rowsOf('a batch question', 5)).toEqual([
      ['batch-jobs', 'bypass'],
      ['batch-jobs', 'bypass'],
      ['app', 'miss'],
      ['app', 'hit'],
      ['batch-jobs', 'bypass'],
    ]);
  });

  it('holds every key of a team to its team\'s scope: its keys share answers with each other, not with keys outside it', async () => {
    const before = calls();
    expect(await ask('analyst-1', 'a research question')).toBe('miss');
    expect(await ask('analyst-2', 'a research question')).toBe('hit');
    // The model's scope is global, but the team's answers are the team's: another key asks the provider,
    // and keys outside the team share its answer among themselves.
    expect(await ask('app', 'a research question')).toBe('miss');
    expect(await ask('other-app', 'a research question')).toBe('hit');
    expect(calls() - before).toBe(2);
  });

  it('turns caching off for every key of a team whose policy says so', async () => {
    const before = calls();
    expect(await ask('hushed', 'a quiet question')).toBe('bypass');
    expect(await ask('hushed', 'a quiet question')).toBe('bypass');
    expect(calls() - before).toBe(2);
  });
});
