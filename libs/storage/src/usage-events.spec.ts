import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { UsageEvent } from '@switchyard/contracts';
import { createPgliteClient, type SqlClient } from './sql-client';
import { copyText, insertUsageEvents } from './usage-events';
import { describeUsageEventsStore } from './usage-events.scenarios';

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

  it('writes a line a row in COPY text format: tabs between columns, \\N for null, specials escaped', () => {
    expect(copyText([event(), event({ request_id: 'req-2', metadata: undefined as never, finish_reason: undefined as never })])).toBe(
      [
        'req-1\t2026-11-25T10:00:00.000Z\tkey_1\tchat\tt\tgpt-4o-mini\t\\N\tgpt-4o-mini\t10\t5\t0\tf\t1e-7\t12.5\t10\t\\N\tok\ta\\tb\\nc\\rd\\\\e\tstop\t{"note":"x\\\\ny"}\t\\N',
        'req-2\t2026-11-25T10:00:00.000Z\tkey_1\tchat\tt\tgpt-4o-mini\t\\N\tgpt-4o-mini\t10\t5\t0\tf\t1e-7\t12.5\t10\t\\N\tok\ta\\tb\\nc\\rd\\\\e\t\\N\t{}\t\\N',
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
        expect(sql).toMatch(/^COPY usage_events \(request_id, ts, .*, metadata, sanitised\) FROM STDIN$/);
        return data.split('\n').length - 1;
      },
      exec: async () => undefined,
      close: async () => undefined,
    };
    return { client, calls };
  }

  it('copies the rows in one statement on a Postgres server', async () => {
    const { client, calls } = serverClient();
    expect(await insertUsageEvents(client, [event(), event({ request_id: 'req-2' })])).toBe(2);
    expect(calls).toEqual(['copy']);
  });

  it('writes the batch again with INSERT ... ON CONFLICT DO NOTHING when a row is already there', async () => {
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
