// The response cache through the distributed gateway, with two provider-workers sharing the cache table
// in Postgres: the first request reaches the upstream, the identical ones after it are hits, whichever
// worker takes them, and each answer has one usage row saying what the cache did.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { eventually, FailingUpstream, startDistributedGateway, type RunningDistributedGateway } from '@switchyard/testing';

jest.setTimeout(240_000);

// The cache table outlives a run in the test cluster's Postgres: each run asks its own question.
const RUN = Date.now().toString(36);

describe('response cache with two provider-workers', () => {
  const upstream = new FailingUpstream('a');
  let gateway: RunningDistributedGateway;
  let db: Client;

  beforeAll(async () => {
    await upstream.listen();
    const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-cache-')), 'switchyard.yaml');
    fs.writeFileSync(
      config,
      `
models:
  - { name: cached, provider: a, upstream_model: m, capabilities: [chat], cache: { ttl_s: 600 } }
providers:
  a: { kind: ollama, base_url: "${upstream.baseUrl}" }
limits: { default_timeout_ms: 20000 }
`,
    );
    gateway = await startDistributedGateway({ SWITCHYARD_CONFIG: config }, 180_000, ['--scale', 'provider-worker=2']);
    db = new Client({ connectionString: process.env.DATABASE_URL });
    await db.connect();
  });

  afterAll(async () => {
    await db?.end();
    await gateway?.stop();
    await upstream.close();
  });

  const answerOf = async (response: Response) => (await response.json()) as { id: string; choices: unknown[] };

  const ask = () =>
    fetch(`http://${gateway.httpAddress}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'cached', temperature: 0, messages: [{ role: 'user', content: `run ${RUN}: who answers?` }] }),
    });

  it('answers identical requests after the first from the shared cache: the upstream is called once', async () => {
    const first = await ask();
    expect([first.status, first.headers.get('x-switchyard-cache')]).toEqual([200, 'miss']);
    const answered = await answerOf(first);
    const later = [];
    for (let i = 0; i < 4; i++) later.push(await ask());
    expect(later.map((response) => [response.status, response.headers.get('x-switchyard-cache')])).toEqual(Array(4).fill([200, 'hit']));
    const replayed = await Promise.all(later.map(answerOf));
    for (const answer of replayed) expect(answer.choices).toEqual(answered.choices);
    expect(upstream.calls).toBe(1);

    const ids = [answered.id, ...replayed.map((answer) => answer.id)];
    const rows = await eventually(async () => {
      const { rows } = await db.query<{ request_id: string; cache: string; attempts: number }>('SELECT request_id, cache, attempts FROM usage_events WHERE request_id = ANY($1)', [ids]);
      return rows.length === ids.length ? rows : undefined;
    }, 'the usage rows of the five requests', 60_000);
    expect(Object.fromEntries(rows.map((row) => [row.request_id, [row.cache, row.attempts]]))).toEqual(Object.fromEntries(ids.map((id, i) => [id, i === 0 ? ['miss', 1] : ['hit', 0]])));
  });
});
