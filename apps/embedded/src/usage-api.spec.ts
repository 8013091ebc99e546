// The usage API (GET /admin/v1/usage) and the dashboard's files on the embedded gateway: the figures of
// requests just sent, its filters, its refusals in the admin API's shape, and a page that holds no data.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { createAdminClient } from '@switchyard/client';
import type { GetUsageRequest } from '@switchyard/contracts/generated/aigateway/v1/GetUsageRequest';
import type { UsageReport__Output } from '@switchyard/contracts/generated/aigateway/v1/UsageReport';
import { httpCall } from '@switchyard/testing';
import { sendKnownRequests, startUsageGateway, type SentRequests, type UsageGateway } from './usage-dashboard.scenarios';

jest.setTimeout(120_000);

let target: UsageGateway;
let sent: SentRequests;

beforeAll(async () => {
  target = await startUsageGateway('usage-api');
  sent = await sendKnownRequests(target);
});

afterAll(() => target?.stop());

const usage = (query: string, credential = target.adminKey) => httpCall(`${target.httpUrl}/admin/v1/usage?${query}`, 'GET', credential);

describe('GET /admin/v1/usage', () => {
  it('answers the figures of the requests sent, by model and key, with their latency percentiles as SQL computes them', async () => {
    // Each call: 11 prompt tokens (2 of them cached) and 7 completion tokens, priced per model.
    expect(sent.byModel).toEqual({
      alpha: { requests: 3, prompt_tokens: 33, completion_tokens: 21, cached_prompt_tokens: 6, cost_usd: expect.closeTo(3 * 24e-6, 12) },
      beta: { requests: 2, prompt_tokens: 22, completion_tokens: 14, cached_prompt_tokens: 4, cost_usd: expect.closeTo(2 * 240e-6, 12) },
      gamma: { requests: 1, prompt_tokens: 0, completion_tokens: 0, cached_prompt_tokens: 0, cost_usd: 0 },
    });
    const answer = await usage('group_by=model,key&from=1h');
    expect(answer.status).toBe(200);
    const [percentiles] = (
      await target.gateway.db.query<{ model: string; p50: number; p95: number; p99: number }>(
        `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50, percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95,
                percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99 FROM usage_events`,
      )
    ).rows;
    expect(answer.body.totals).toEqual({
      requests: 6,
      errors: 1,
      prompt_tokens: 55,
      completion_tokens: 35,
      cached_prompt_tokens: 10,
      cost_usd: expect.closeTo(sent.byModel.alpha.cost_usd + sent.byModel.beta.cost_usd, 12),
      latency_ms: { p50: percentiles.p50, p95: percentiles.p95, p99: percentiles.p99 },
    });
    const { alpha, beta, gamma } = sent.byModel;
    expect(answer.body.groups.map(({ latency_ms: _latency, ...group }: { latency_ms: unknown }) => group)).toEqual([
      { model: 'alpha', key: sent.virtualKey.id, key_name: sent.virtualKey.name, errors: 0, ...alpha },
      { model: 'beta', key: sent.envKeyId, key_name: null, errors: 0, ...beta },
      { model: 'gamma', key: sent.envKeyId, key_name: null, errors: 1, ...gamma },
    ]);
    expect([answer.body.bucket, answer.body.group_by, answer.body.series.length]).toEqual(['minute', ['model', 'key'], 61]);
    expect(answer.body.series.reduce((sum: number, point: { requests: number }) => sum + point.requests, 0)).toBe(6);
    const errors = await usage('group_by=status,error_code&from=1h');
    expect(errors.body.groups.map(({ status, error_code, requests }: Record<string, unknown>) => [status, error_code, requests])).toEqual([
      ['ok', null, 5],
      ['error', 'model_not_found', 1],
    ]);
  });

  it('filters by model, key and team', async () => {
    const beta = await usage('model=beta');
    expect([beta.body.totals.requests, beta.body.totals.prompt_tokens, beta.body.filters]).toEqual([2, 22, { model: 'beta' }]);
    const byKey = await usage(`key=${sent.virtualKey.id}&group_by=team`);
    expect(byKey.body.groups.map(({ team, requests }: { team: string; requests: number }) => [team, requests])).toEqual([['search', 3]]);
    const team = await usage('team=search&provider=upstream');
    expect(team.body.totals.requests).toBe(3);
    const none = await usage('team=nobody');
    expect([none.body.totals.requests, none.body.totals.latency_ms]).toEqual([0, { p50: null, p95: null, p99: null }]);
  });

  it('refuses bad parameters with a 400 in the admin API error shape', async () => {
    const cases: [string, string, string][] = [
      ['group_by=model,secret', 'group_by', 'group_by is "secret"; expected one of model, provider, key, team, status, error_code'],
      ['from=yesterday', 'from', 'from must be a span such as 30m, 24h or 7d, or an ISO 8601 time'],
      ['from=2030-01-02T00:00:00Z&to=2030-01-01T00:00:00Z', 'from', 'from must be before to (from 2030-01-02T00:00:00.000Z, to 2030-01-01T00:00:00.000Z)'],
      ['from=30d&bucket=minute', 'bucket', 'bucket minute makes '],
      ['limit=0', 'limit', 'limit is "0"; it must be an integer between 1 and 1000'],
      ['modle=alpha', 'modle', 'modle is not a parameter of the usage API'],
    ];
    for (const [query, param, message] of cases) {
      const answer = await usage(query);
      expect([query, answer.status, answer.body.error.type, answer.body.error.code, answer.body.error.param]).toEqual([query, 400, 'invalid_request_error', 'invalid_request', param]);
      expect(answer.body.error.message).toContain(message);
    }
  });

  it('answers the admin key alone, and GET alone', async () => {
    const none = await usage('', '');
    const gatewayKey = await usage('', target.envKey);
    expect([none.status, none.body.error.code]).toEqual([401, 'unauthenticated']);
    expect([gatewayKey.status, gatewayKey.body.error.code]).toEqual([403, 'permission_denied']);
    const post = await httpCall(`${target.httpUrl}/admin/v1/usage`, 'POST', target.adminKey, {});
    expect([post.status, post.body.error.message]).toEqual([405, '/admin/v1/usage takes GET']);
  });
});

describe('Admin.GetUsage over gRPC', () => {
  const getUsage = (request: GetUsageRequest, credential = target.adminKey) => {
    const client = createAdminClient(`127.0.0.1:${target.gateway.port}`);
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${credential}`);
    return new Promise<UsageReport__Output>((resolve, reject) =>
      client.GetUsage(request, metadata, { deadline: Date.now() + 20_000 }, (error, response) => (error ? reject(error) : resolve(response!))),
    ).finally(() => client.close());
  };

  it('answers what the HTTP API answers, with dimensions in a map and unset percentiles where there are no rows', async () => {
    // One range for both: a fixed end, a day from now.
    const to = new Date(Date.now() + 86_400_000).toISOString();
    const [report, http] = await Promise.all([getUsage({ group_by: ['model', 'key'], from: '1h', to, bucket: 'hour', limit: 2 }), usage(`group_by=model,key&from=1h&to=${to}&bucket=hour&limit=2`)]);
    expect(report.groups.map((group) => [group.dimensions, group.figures!.requests, group.figures!.errors])).toEqual([
      [{ model: 'alpha', key: sent.virtualKey.id, key_name: sent.virtualKey.name }, 3, 0],
      [{ model: 'beta', key: sent.envKeyId }, 2, 0],
    ]);
    const percentiles = ({ p50, p95, p99 }: { p50?: number; p95?: number; p99?: number }) => ({ p50, p95, p99 });
    expect([report.totals!.requests, report.totals!.prompt_tokens, report.totals!.cost_usd, percentiles(report.totals!.latency_ms!)]).toEqual([
      http.body.totals.requests,
      http.body.totals.prompt_tokens,
      http.body.totals.cost_usd,
      { p50: http.body.totals.latency_ms.p50, p95: http.body.totals.latency_ms.p95, p99: http.body.totals.latency_ms.p99 },
    ]);
    expect([report.series.length, report.series.map((point) => point.start)]).toEqual([26, http.body.series.map((point: { start: string }) => point.start)]);
    const empty = await getUsage({ team: 'nobody' });
    expect([empty.totals!.requests, empty.totals!.latency_ms]).toStrictEqual([0, {}]);
  });

  it('refuses bad fields as INVALID_ARGUMENT, and any key but the admin key', async () => {
    await expect(getUsage({ group_by: ['secret'] })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: 'group_by is "secret"; expected one of model, provider, key, team, status, error_code' });
    await expect(getUsage({ limit: 5000 })).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: 'limit is 5000; it must be an integer between 1 and 1000' });
    await expect(getUsage({}, target.envKey)).rejects.toMatchObject({ code: grpc.status.PERMISSION_DENIED });
  });
});

describe('GET /dashboard', () => {
  it('serves a page without data, under a policy that loads nothing from elsewhere, and Chart.js from node_modules', async () => {
    const page = await fetch(`${target.httpUrl}/dashboard`);
    const html = await page.text();
    expect([page.status, page.headers.get('content-type'), page.headers.get('content-security-policy')]).toEqual([
      200,
      'text/html; charset=utf-8',
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
    ]);
    for (const data of ['alpha', 'beta', sent.virtualKey.id, sent.virtualKey.name, sent.envKeyId]) expect(html).not.toContain(data);
    expect(html.match(/(?:src|href)="[^"]*"/g)).toEqual(['href="data:,"', 'href="/dashboard/dashboard.css"', 'src="/dashboard/chart.umd.min.js"', 'src="/dashboard/dashboard.js"']);
    const chart = await fetch(`${target.httpUrl}/dashboard/chart.umd.min.js`);
    expect(Buffer.from(await chart.arrayBuffer()).equals(fs.readFileSync(path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js')))).toBe(true);
    expect((await fetch(`${target.httpUrl}/dashboard/../package.json`)).status).toBe(404);
    expect((await fetch(`${target.httpUrl}/dashboard/secrets.js`)).status).toBe(404);
  });
});
