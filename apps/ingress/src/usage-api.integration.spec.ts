// The usage API and the dashboard in distributed mode: the ingress, which serves the admin API, reads
// usage_events in Postgres (the database its admin key already needs) and serves the page. The
// database is shared with other suites, so this one reads back the rows of a key it made itself.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { eventually, httpCall, startDistributedGateway, type RunningDistributedGateway } from '@switchyard/testing';

jest.setTimeout(600_000);

const adminKey = randomBytes(32).toString('hex');
const run = randomBytes(3).toString('hex');
let gateway: RunningDistributedGateway;
let db: Client;
let url: string;

beforeAll(async () => {
  const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-usage-api-')), 'switchyard.yaml');
  fs.writeFileSync(config, 'models:\n  - { name: mock-echo, provider: mock, capabilities: [chat, streaming] }\n  - { name: mock-embed, provider: mock, capabilities: [embeddings] }\n');
  gateway = await startDistributedGateway({ SWITCHYARD_CONFIG: config, SWITCHYARD_ADMIN_KEY: adminKey });
  url = `http://${gateway.httpAddresses[0]}`;
  db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
});

afterAll(async () => {
  await db?.end();
  await gateway?.stop();
});

describe('the usage API, distributed', () => {
  it('answers from the ingress what usage_events holds for a key, and the ingress serves the dashboard', async () => {
    const team = await httpCall(`${url}/admin/v1/teams`, 'POST', adminKey, { name: `usage-${run}` });
    const key = await httpCall(`${url}/admin/v1/keys`, 'POST', adminKey, { name: `usage-${run}`, team: team.body.name });
    expect([team.status, key.status]).toEqual([201, 201]);
    for (let i = 0; i < 3; i++) {
      const answer = await httpCall(`${url}/v1/chat/completions`, 'POST', key.body.key, { model: 'mock-echo', messages: [{ role: 'user', content: `usage ${i}` }] });
      expect(answer.status).toBe(200);
    }
    const embedded = await httpCall(`${url}/v1/embeddings`, 'POST', key.body.key, { model: 'mock-embed', input: ['usage'] });
    expect(embedded.status).toBe(200);
    const rows = () => db.query(`SELECT count(*)::int AS n FROM usage_events WHERE api_key_id = $1 AND metered`, [key.body.id]);
    await eventually(async () => ((await rows()).rows[0].n === 4 ? true : undefined), 'the four usage rows');

    const expected = await db.query(
      `SELECT model, count(*)::float8 AS requests, sum(prompt_tokens)::float8 AS prompt_tokens, sum(completion_tokens)::float8 AS completion_tokens,
              sum(cost_usd)::float8 AS cost_usd, percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50
       FROM usage_events WHERE api_key_id = $1 GROUP BY model ORDER BY count(*) DESC, model`,
      [key.body.id],
    );
    const answer = await httpCall(`${url}/admin/v1/usage?group_by=model,team&from=1h&key=${key.body.id}`, 'GET', adminKey);
    expect(answer.status).toBe(200);
    expect(answer.body.totals.requests).toBe(4);
    expect(
      answer.body.groups.map((group: Record<string, any>) => ({ // eslint-disable-line @typescript-eslint/no-explicit-any
        model: group.model,
        team: group.team,
        requests: group.requests,
        prompt_tokens: group.prompt_tokens,
        completion_tokens: group.completion_tokens,
        cost_usd: group.cost_usd,
        p50: group.latency_ms.p50,
      })),
    ).toEqual(expected.rows.map((row) => ({ ...row, team: `usage-${run}` })));
    expect(expected.rows.map((row) => [row.model, row.requests])).toEqual([
      ['mock-echo', 3],
      ['mock-embed', 1],
    ]);

    const refused = await httpCall(`${url}/admin/v1/usage?bucket=week`, 'GET', adminKey);
    expect([refused.status, refused.body.error.param, refused.body.error.message]).toEqual([400, 'bucket', 'bucket is "week"; expected one of minute, hour, day']);

    const page = await fetch(`${url}/dashboard`);
    expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
    expect((await fetch(`${url}/dashboard/chart.umd.min.js`)).status).toBe(200);
  });
});
