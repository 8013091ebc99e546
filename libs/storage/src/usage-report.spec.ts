import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseUsageQuery } from '@switchyard/contracts';
import { ensureAnalyticsSchema } from './schema';
import { createPgliteClient, type SqlClient } from './sql-client';
import { insertUsageEvents } from './usage-events';
import { usageEvent } from './usage-events.scenarios';
import { queryUsageReport } from './usage-report';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-usage-report-'));
const now = new Date('2026-11-25T12:00:00.000Z');
let db: SqlClient;

const report = (parameters: Record<string, string>) => queryUsageReport(db, parseUsageQuery(Object.entries(parameters), now));

beforeAll(async () => {
  db = await createPgliteClient(dir);
});

afterAll(async () => {
  await db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('queryUsageReport on PGlite', () => {
  it('answers zeros, and every bucket, before analytics has made usage_events', async () => {
    const answer = await report({ from: '2026-11-25T10:00:00Z', to: '2026-11-25T10:03:00Z', group_by: 'model' });
    expect(answer.totals).toEqual({ requests: 0, errors: 0, prompt_tokens: 0, completion_tokens: 0, cached_prompt_tokens: 0, cost_usd: 0, latency_ms: { p50: null, p95: null, p99: null } });
    expect(answer.groups).toEqual([]);
    expect(answer.series.map((point) => [point.start, point.requests])).toEqual([
      ['2026-11-25T10:00:00.000Z', 0],
      ['2026-11-25T10:01:00.000Z', 0],
      ['2026-11-25T10:02:00.000Z', 0],
    ]);
  });

  it('sums, groups, filters and buckets the rows of its range', async () => {
    await ensureAnalyticsSchema(db, now);
    const at = (minute: number, second = 0) => `2026-11-25T10:0${minute}:${String(second).padStart(2, '0')}.000Z`;
    await insertUsageEvents(db, [
      usageEvent({ request_id: 'a1', ts: at(0, 5), model: 'alpha', api_key_id: 'vk_1', key_name: 'one', team: 'search', latency_ms: 10, cost_usd: 0.5 }),
      usageEvent({ request_id: 'a2', ts: at(0, 40), model: 'alpha', api_key_id: 'vk_1', key_name: 'one', team: 'search', latency_ms: 20, cost_usd: 0.25 }),
      usageEvent({ request_id: 'a3', ts: at(2), model: 'alpha', api_key_id: 'vk_2', key_name: 'two', latency_ms: 30, cost_usd: 0.25 }),
      usageEvent({ request_id: 'b1', ts: at(1), model: 'beta', provider: null, status: 'error', error_code: 'rate_limited', prompt_tokens: 0, completion_tokens: 0, cached_prompt_tokens: 0, cost_usd: 0, latency_ms: 40 }),
      // Outside the range: at its end (to is exclusive), and before it.
      usageEvent({ request_id: 'late', ts: at(3), model: 'alpha' }),
      usageEvent({ request_id: 'early', ts: '2026-11-25T09:59:59.999Z', model: 'alpha' }),
    ]);

    const byModel = await report({ from: at(0), to: at(3), group_by: 'model' });
    expect(byModel.totals).toEqual({ requests: 4, errors: 1, prompt_tokens: 30, completion_tokens: 15, cached_prompt_tokens: 6, cost_usd: 1, latency_ms: { p50: 25, p95: 38.5, p99: expect.closeTo(39.7, 9) } });
    expect(byModel.groups.map(({ model, requests, errors, cost_usd, latency_ms }) => ({ model, requests, errors, cost_usd, p50: latency_ms.p50 }))).toEqual([
      { model: 'alpha', requests: 3, errors: 0, cost_usd: 1, p50: 20 },
      { model: 'beta', requests: 1, errors: 1, cost_usd: 0, p50: 40 },
    ]);
    expect(byModel.series.map((point) => [point.start, point.requests, point.errors, point.prompt_tokens])).toEqual([
      [at(0), 2, 0, 20],
      [at(1), 1, 1, 0],
      [at(2), 1, 0, 10],
    ]);

    const byKeyAndTeam = await report({ from: at(0), to: at(3), group_by: 'key,team', model: 'alpha', limit: '1' });
    expect(byKeyAndTeam.groups.map(({ key, key_name, team, requests }) => ({ key, key_name, team, requests }))).toEqual([{ key: 'vk_1', key_name: 'one', team: 'search', requests: 2 }]);
    expect(byKeyAndTeam.totals.requests).toBe(3);

    const errorsByCode = await report({ from: at(0), to: at(3), group_by: 'status,error_code,provider' });
    expect(errorsByCode.groups.map(({ status, error_code, provider, requests }) => [status, error_code, provider, requests])).toEqual([
      ['ok', null, 'openai', 3],
      ['error', 'rate_limited', null, 1],
    ]);

    const byHour = await report({ from: at(0), to: at(3), bucket: 'hour', key: 'vk_2' });
    expect(byHour.series.map((point) => [point.start, point.requests, point.cost_usd])).toEqual([['2026-11-25T10:00:00.000Z', 1, 0.25]]);
  });
});
