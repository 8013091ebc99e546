// Every ```sql block of docs/analytics.md, run against seeded rows, its answer checked: the documented
// queries run on both engines and say what they claim.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { UsageEvent } from '@switchyard/contracts';
import { ensureAnalyticsSchema } from './schema';
import type { SqlClient } from './sql-client';
import { insertUsageEvents } from './usage-events';
import { usageEvent } from './usage-events.scenarios';

const DOC = path.resolve(__dirname, '../../../docs/analytics.md');

/** The doc's SQL blocks, each named by its first line (a `--` comment). */
export function documentedQueries(markdown = fs.readFileSync(DOC, 'utf8')): { title: string; sql: string }[] {
  return [...markdown.matchAll(/```sql\n([\s\S]*?)```/g)].map(([, sql]) => ({ title: /^-- (.*)$/m.exec(sql)?.[1] ?? sql.slice(0, 60), sql }));
}

/** The upper bound of the histogram bucket holding `ms`, rounded as the doc's queries round it. */
const bound = (ms: number) => String(Math.round(2 ** (Math.ceil(8 * Math.log2(ms)) / 8) * 10) / 10);

// Eight requests in one hour two hours ago: two models, three providers, three keys, two teams and none.
function seededEvents(): UsageEvent[] {
  const base = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000;
  const at = (minute: number) => new Date(base + minute * 60_000).toISOString();
  const gpt = { model: 'gpt-4o', provider: 'openai', upstream_model: 'gpt-4o', route_path: 'models.0', attempts: 1 };
  const claude = { model: 'claude-sonnet', provider: 'anthropic', upstream_model: 'claude-sonnet', route_path: 'models.1', attempts: 1 };
  const keyA = { api_key_id: 'key_a', key_name: 'search-app', team: 'search' };
  const keyB = { api_key_id: 'key_b', key_name: 'support-bot', team: 'support' };
  const keyC = { api_key_id: 'key_c', key_name: null, team: null };
  const none = { prompt_tokens: 0, completion_tokens: 0, cached_prompt_tokens: 0, cost_usd: 0 };
  return [
    usageEvent({ request_id: 'd1', ts: at(1), ...gpt, ...keyA, prompt_tokens: 1000, completion_tokens: 200, cached_prompt_tokens: 400, cost_usd: 0.01, latency_ms: 200, stream: true, time_to_first_chunk_ms: 50 }),
    usageEvent({ request_id: 'd2', ts: at(2), ...gpt, ...keyA, prompt_tokens: 500, completion_tokens: 100, cached_prompt_tokens: 0, cost_usd: 0.005, latency_ms: 400 }),
    usageEvent({
      request_id: 'd3', ts: at(3), ...gpt, ...keyB, provider: 'azure', route_path: 'models.0.route.fallback.1', attempts: 2,
      failed_attempts: [{ target: 'openai/gpt-4o', code: 'upstream_error', latency_ms: 300 }],
      prompt_tokens: 300, completion_tokens: 50, cached_prompt_tokens: 0, cost_usd: 0.003, latency_ms: 1200,
    }),
    usageEvent({ request_id: 'd4', ts: at(4), ...gpt, ...keyB, ...none, status: 'error', error_code: 'upstream_error', finish_reason: 'error', latency_ms: 100 }),
    usageEvent({
      request_id: 'd5', ts: at(5), ...claude, ...keyA, prompt_tokens: 2000, completion_tokens: 300, cached_prompt_tokens: 1500, cost_usd: 0.02, latency_ms: 800, stream: true, time_to_first_chunk_ms: 150,
      guardrail_findings: [{ rule: 'pii', entity: 'email', action: 'mask', direction: 'input', count: 2 }],
    }),
    usageEvent({
      request_id: 'd6', ts: at(6), ...claude, ...keyC, prompt_tokens: 100, completion_tokens: 20, cached_prompt_tokens: 0, cost_usd: 0.001, latency_ms: 300,
      guardrail_findings: [
        { rule: 'pii', entity: 'email', action: 'mask', direction: 'input', count: 1 },
        { rule: 'secrets', entity: 'openai_key', action: 'block', direction: 'output', count: 1 },
      ],
    }),
    usageEvent({ request_id: 'd7', ts: at(7), ...claude, ...keyC, ...none, status: 'error', error_code: 'rate_limited', finish_reason: 'error', latency_ms: 50 }),
    usageEvent({ request_id: 'd8', ts: at(8), ...gpt, ...keyA, prompt_tokens: 10, completion_tokens: 0, cached_prompt_tokens: 0, cost_usd: 0.0001, status: 'cancelled', error_code: 'cancelled', latency_ms: 900 }),
  ];
}

// Each query's answer, its values as text (engines differ in how they return bigint and numeric); the
// day column of the first is left out, all of its rows being one day.
const EXPECTED: Record<string, Record<string, string>[]> = {
  'Cost per team per day': [
    { team: 'search', requests: '4', cost_usd: '0.0351000000' },
    { team: 'support', requests: '2', cost_usd: '0.0030000000' },
    { team: 'none', requests: '2', cost_usd: '0.0010000000' },
  ],
  'p50, p95 and p99 latency per model, from the rollups (bucket upper bounds, within 9.1%)': [
    // claude-sonnet: 50, 300, 800 ms; gpt-4o: 100, 200, 400, 900, 1200 ms.
    { model: 'claude-sonnet', requests: '3', p50_ms: bound(300), p95_ms: bound(800), p99_ms: bound(800) },
    { model: 'gpt-4o', requests: '5', p50_ms: bound(400), p95_ms: bound(1200), p99_ms: bound(1200) },
  ],
  'Exact p50, p95 and p99 latency per model, from the raw rows (while retention keeps them)': [
    { model: 'claude-sonnet', p50_ms: '300.0', p95_ms: '750.0', p99_ms: '790.0' },
    { model: 'gpt-4o', p50_ms: '400.0', p95_ms: '1140.0', p99_ms: '1188.0' },
  ],
  "Error rate per provider ('none': no provider was called)": [
    { provider: 'anthropic', requests: '3', errors: '1', error_rate: '0.333' },
    { provider: 'openai', requests: '4', errors: '1', error_rate: '0.250' },
    { provider: 'azure', requests: '1', errors: '0', error_rate: '0.000' },
  ],
  'Top keys by spend over 30 days': [
    { api_key_id: 'key_a', key_name: 'search-app', cost_usd: '0.0351000000', requests: '4' },
    { api_key_id: 'key_b', key_name: 'support-bot', cost_usd: '0.0030000000', requests: '2' },
    { api_key_id: 'key_c', key_name: 'null', cost_usd: '0.0010000000', requests: '2' },
  ],
  "Tokens per model and route (where in the model's route the answering target sits)": [
    { model: 'claude-sonnet', route_path: 'models.1', requests: '3', prompt_tokens: '2100', completion_tokens: '320' },
    { model: 'gpt-4o', route_path: 'models.0', requests: '4', prompt_tokens: '1510', completion_tokens: '300' },
    { model: 'gpt-4o', route_path: 'models.0.route.fallback.1', requests: '1', prompt_tokens: '300', completion_tokens: '50' },
  ],
  'Cached-token savings: the share of prompt tokens the providers served from their cache (billed at the cached rate)': [
    { model: 'claude-sonnet', prompt_tokens: '2100', cached_prompt_tokens: '1500', cached_share: '0.714' },
    { model: 'gpt-4o', prompt_tokens: '1810', cached_prompt_tokens: '400', cached_share: '0.221' },
  ],
  'Requests per status and error code': [
    { status: 'ok', error_code: '', requests: '5' },
    { status: 'cancelled', error_code: 'cancelled', requests: '1' },
    { status: 'error', error_code: 'rate_limited', requests: '1' },
    { status: 'error', error_code: 'upstream_error', requests: '1' },
  ],
  'Mean time to first chunk per model (streamed requests)': [
    { model: 'claude-sonnet', streams: '1', mean_time_to_first_chunk_ms: '150.0' },
    { model: 'gpt-4o', streams: '1', mean_time_to_first_chunk_ms: '50.0' },
  ],
  'Guardrail findings: what was found, how often, and in how many requests': [
    { rule: 'pii', entity: 'email', action: 'mask', direction: 'input', found: '3', requests: '2' },
    { rule: 'secrets', entity: 'openai_key', action: 'block', direction: 'output', found: '1', requests: '1' },
  ],
  'Attempts and fallbacks per model: provider calls, calls that failed, requests a fallback answered': [
    { model: 'claude-sonnet', requests: '3', attempts: '3', failed_attempts: '0', answered_by_fallback: '0' },
    { model: 'gpt-4o', requests: '5', attempts: '6', failed_attempts: '1', answered_by_fallback: '1' },
  ],
  'Failed provider calls per target and code': [{ target: 'openai/gpt-4o', code: 'upstream_error', failures: '1' }],
};

const asText = (rows: Record<string, unknown>[]) => rows.map((row) => Object.fromEntries(Object.entries(row).filter(([name]) => name !== 'day').map(([name, value]) => [name, String(value)])));

export function describeDocumentedQueries(engine: string, open: () => Promise<SqlClient>, close: (db: SqlClient) => Promise<void>): void {
  describe(`the queries of docs/analytics.md on ${engine}`, () => {
    let db: SqlClient;
    beforeAll(async () => {
      db = await open();
      await ensureAnalyticsSchema(db);
      expect(await insertUsageEvents(db, seededEvents())).toBe(8);
    });
    afterAll(() => close(db));

    it('documents at least ten queries, each with its answer checked here', () => {
      const titles = documentedQueries().map((query) => query.title);
      expect(titles.length).toBeGreaterThanOrEqual(10);
      expect(titles).toEqual(Object.keys(EXPECTED));
    });

    it.each(documentedQueries().map((query) => [query.title, query.sql]))('%s', async (title, sql) => {
      const rows = (await db.query(sql)).rows;
      if (title === 'Cost per team per day') expect(new Set(rows.map((row) => String(row.day))).size).toBe(1);
      expect(asText(rows)).toEqual(EXPECTED[title]);
    });
  });
}
