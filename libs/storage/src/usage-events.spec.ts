import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { CallerOutcomeEvent, UsageEvent } from '@switchyard/contracts';
import { createPgliteClient, type SqlClient } from './sql-client';
import { copyText, insertUsageEvents, mergeUsageRows, usageRowOf, type UsageRow } from './usage-events';
import { callerOutcome, describeUsageEventsStore, usageEvent } from './usage-events.scenarios';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-pglite-'));

describeUsageEventsStore(
  'PGlite',
  () => createPgliteClient(dir),
  async (db) => {
    await db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  },
);

describe('usage rows by COPY', () => {
  const event = (overrides: Partial<UsageEvent> = {}): UsageEvent => ({
    request_id: 'req-1',
    ts: '2026-11-25T10:00:00.000Z',
    api_key_id: 'key_1',
    kind: 'chat',
    stream: true,
    model: 'gpt-4o-mini',
    provider: null,
    upstream_model: 'gpt-4o-mini',
    prompt_tokens: 10,
    completion_tokens: 5,
    cached_prompt_tokens: 0,
    tokens_estimated: false,
    cost_usd: 1e-7,
    latency_ms: 12.5,
    provider_latency_ms: 10,
    time_to_first_chunk_ms: null,
    status: 'ok',
    error_code: 'a\tb\nc\rd\\e',
    finish_reason: 'stop',
    metadata: { note: 'x\ny' },
    ...overrides,
  });

  it('writes a line a row in COPY text format: tabs between columns, \\N for null, specials escaped, metering\'s part alone', () => {
    const routed = {
      attempts: 2,
      route_path: 'models.0',
      failed_attempts: [{ target: 'a/b', code: 'provider_timeout', latency_ms: 5 }],
      key_name: 'app',
      team: 'search',
      config_version: '3f1c0e6a9b2d4c71',
      guardrail_findings: [{ rule: 'pii', entity: 'email', action: 'mask' as const, direction: 'input' as const, count: 1 }],
      cache: 'hit' as const,
      cost_saved_usd: 0.25,
      cache_embed_tokens: 5,
      cache_embed_cost_usd: 1e-7,
      batch_id: 'batch_0a1b',
      analyze_id: 'analyze-1',
      guardrail_model_tokens: 18,
      guardrail_model_cost_usd: 2.5e-4,
      audio_seconds: 12.5,
    };
    expect(copyText([event(routed), event({ request_id: 'req-2', metadata: undefined as never, finish_reason: undefined as never })])).toBe(
      [
        'req-1\t2026-11-25T10:00:00.000Z\tkey_1\tchat\tt\tgpt-4o-mini\t\\N\tgpt-4o-mini\t10\t5\t0\tf\t1e-7\t12.5\t10\t\\N\tok\ta\\tb\\nc\\rd\\\\e\tstop\t{"note":"x\\\\ny"}\t\\N\tt\tf\t2\tmodels.0\t[{"target":"a/b","code":"provider_timeout","latency_ms":5}]\tapp\tsearch\t3f1c0e6a9b2d4c71\t[{"rule":"pii","entity":"email","action":"mask","direction":"input","count":1}]\thit\t0.25\t5\t1e-7\tbatch_0a1b\t0\t0\tanalyze-1\t18\t0.00025\t12.5',
        'req-2\t2026-11-25T10:00:00.000Z\tkey_1\tchat\tt\tgpt-4o-mini\t\\N\tgpt-4o-mini\t10\t5\t0\tf\t1e-7\t12.5\t10\t\\N\tok\ta\\tb\\nc\\rd\\\\e\t\\N\t{}\t\\N\tt\tf\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t\\N\t0\t0\t0\t\\N\t0\t0\t\\N\t0\t0\t0',
        '',
      ].join('\n'),
    );
  });

  /** A server client whose COPY fails with `copyError`, and whose INSERT reports the rows it was given as new. */
  function serverClient(copyError?: Error & { code?: string }) {
    const calls: string[] = [];
    const client: SqlClient = {
      engine: 'postgres',
      async query<R>(sql: string, params?: unknown[]) {
        calls.push(sql.includes('ON CONFLICT') ? 'insert' : sql);
        return { rows: [{ n: (params![0] as unknown[]).length }] as R[] };
      },
      async copyFrom(sql: string, data: string) {
        calls.push('copy');
        if (copyError) throw copyError;
        expect(sql).toMatch(/^COPY usage_events \(request_id, ts, .*, metadata, sanitised, metered, caller_outcome, attempts, route_path, failed_attempts, key_name, team, config_version, guardrail_findings, cache, cost_saved_usd, cache_embed_tokens, cache_embed_cost_usd, batch_id, search_units, images, analyze_id, guardrail_model_tokens, guardrail_model_cost_usd, audio_seconds\) FROM STDIN$/);
        return data.split('\n').length - 1;
      },
      exec: async () => undefined,
      transaction: (work) => work(client),
      close: async () => undefined,
    };
    return { client, calls };
  }

  it('copies the rows in one statement on a Postgres server', async () => {
    const { client, calls } = serverClient();
    expect(await insertUsageEvents(client, [event(), event({ request_id: 'req-2' })])).toBe(2);
    expect(calls).toEqual(['copy']);
  });

  it('copies a request\'s usage and caller outcome from one batch as one merged row', async () => {
    const copied: string[] = [];
    const { client } = serverClient();
    client.copyFrom = async (_sql, data) => {
      copied.push(data);
      return data.split('\n').length - 1;
    };
    const outcome: CallerOutcomeEvent = { type: 'caller_outcome', request_id: 'req-1', ts: '2026-11-25T10:00:00Z', api_key_id: 'key_1', kind: 'chat', stream: true, model: 'gpt-4o-mini', status: 'error', error_code: 'deadline_exceeded' };
    expect(await insertUsageEvents(client, [outcome, event()])).toBe(1);
    expect(copied).toEqual([copyText([{ ...usageRowOf(event()), status: 'error', error_code: 'deadline_exceeded', caller_outcome: true }])]);
  });

  it('writes the batch again with INSERT ... ON CONFLICT DO UPDATE when a row is already there', async () => {
    const { client, calls } = serverClient(Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }));
    expect(await insertUsageEvents(client, [event()])).toBe(1);
    expect(calls).toEqual(['copy', 'insert']);
  });

  it('passes on any other refusal, with its SQLSTATE, for the caller to act on', async () => {
    const { client, calls } = serverClient(Object.assign(new Error('value "99999999999" is out of range for type integer'), { code: '22003' }));
    await expect(insertUsageEvents(client, [event()])).rejects.toMatchObject({ code: '22003' });
    expect(calls).toEqual(['copy']);
  });
});

describe('merging the parts of a request\'s usage row', () => {
  const usage = usageRowOf(usageEvent());
  const outcome = usageRowOf(callerOutcome());
  const merged: UsageRow = { ...usage, status: 'error', error_code: 'deadline_exceeded', metered: true, caller_outcome: true };

  it('stands a caller outcome alone for a row without tokens or cost, waiting for metering', () => {
    expect(outcome).toMatchObject({ prompt_tokens: 0, completion_tokens: 0, cost_usd: 0, provider: null, status: 'error', error_code: 'deadline_exceeded', metered: false, caller_outcome: true });
    expect(usage).toMatchObject({ status: 'ok', metered: true, caller_outcome: false });
  });

  it('takes status and error code from the caller outcome and the rest from metering, whichever came first', () => {
    expect(mergeUsageRows(usage, outcome)).toEqual(merged);
    expect(mergeUsageRows(outcome, usage)).toEqual(merged);
  });

  it('changes nothing when either part is delivered again', () => {
    expect(mergeUsageRows(merged, usage)).toEqual(merged);
    expect(mergeUsageRows(merged, outcome)).toEqual(merged);
    expect(mergeUsageRows(usage, usage)).toEqual(usage);
    expect(mergeUsageRows(outcome, outcome)).toEqual(outcome);
  });
});
