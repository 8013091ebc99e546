// The rollup checks, run on PGlite (unit run) and on a Postgres server (integration run): the rollups
// equal usage_events aggregated by plain SQL, through inserts, merges and redeliveries.
import type { SqlClient } from './sql-client';
import { insertUsageEvents } from './usage-events';
import { callerOutcome, usageEvent } from './usage-events.scenarios';

const GRAINS = [
  ['usage_rollup_minute', 'minute'],
  ['usage_rollup_hour', 'hour'],
] as const;

const KEY = 'bucket, model, provider, api_key_id, key_name, team, status';
const ORDER = 'bucket, model, provider NULLS FIRST, api_key_id, key_name NULLS FIRST, team NULLS FIRST, status';
const PERCENTILES = [0.5, 0.95, 0.99];

/** A rollup table's rows as compared: sums as text (exact), percentiles from its histograms. */
export async function rollupRows(db: SqlClient, table: string): Promise<Record<string, unknown>[]> {
  const result = await db.query(`SELECT ${KEY}, requests::text, errors::text, prompt_tokens::text, completion_tokens::text,
      cached_prompt_tokens::text, cost_usd::numeric(30, 10)::text AS cost_usd, latency_ms_sum::text, provider_latency_ms_sum::text,
      time_to_first_chunk_count::text, time_to_first_chunk_ms_sum::text, attempts::text, failed_attempts::text,
      (SELECT sum(n) FROM unnest(latency_histogram) n)::text AS histogram_total,
      ${PERCENTILES.map((q, i) => `usage_latency_percentile(latency_histogram, ${q}) AS p${i}`).join(', ')}
    FROM ${table} ORDER BY ${ORDER}`);
  return result.rows;
}

/** The same figures computed from usage_events with plain aggregates (percentile_disc for the percentiles). */
export async function aggregatedRows(db: SqlClient, grain: string, where = 'true'): Promise<Record<string, unknown>[]> {
  const result = await db.query(`SELECT date_trunc('${grain}', ts) AS bucket, model, provider, api_key_id, key_name, team, status,
      count(*)::text AS requests, count(*) FILTER (WHERE status = 'error')::text AS errors, sum(prompt_tokens)::text AS prompt_tokens,
      sum(completion_tokens)::text AS completion_tokens, sum(cached_prompt_tokens)::text AS cached_prompt_tokens,
      sum(cost_usd)::numeric(30, 10)::text AS cost_usd, sum(latency_ms::numeric)::text AS latency_ms_sum,
      sum(provider_latency_ms::numeric)::text AS provider_latency_ms_sum, count(time_to_first_chunk_ms)::text AS time_to_first_chunk_count,
      coalesce(sum(time_to_first_chunk_ms::numeric), 0)::text AS time_to_first_chunk_ms_sum, sum(coalesce(attempts, 0))::text AS attempts,
      sum(coalesce(jsonb_array_length(failed_attempts), 0))::text AS failed_attempts, count(*)::text AS histogram_total,
      ${PERCENTILES.map((q, i) => `usage_latency_bucket_bound(usage_latency_bucket(percentile_disc(${q}) WITHIN GROUP (ORDER BY latency_ms))) AS p${i}`).join(', ')}
    FROM usage_events WHERE ${where} GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY ${ORDER}`);
  return result.rows;
}

/** Every rollup table against usage_events aggregated; returns how many rollup rows were compared. */
export async function expectRollupsMatchRows(db: SqlClient): Promise<number> {
  let compared = 0;
  for (const [table, grain] of GRAINS) {
    const rollups = await rollupRows(db, table);
    expect(rollups).toEqual(await aggregatedRows(db, grain));
    compared += rollups.length;
  }
  return compared;
}

export function describeRollups(open: () => SqlClient): void {
  describe('rollups by minute and hour', () => {
    const at = (minute: number, second = 0) => `2026-11-26T08:${String(minute).padStart(2, '0')}:${String(second).padStart(2, '0')}.000Z`;
    const rollup = async (table: string) =>
      (
        await open().query(
          `SELECT to_char(bucket AT TIME ZONE 'UTC', 'HH24:MI') AS bucket, model, provider, status, requests::int, errors::int, prompt_tokens::int, cached_prompt_tokens::int, cost_usd::text,
             latency_ms_sum::float8, time_to_first_chunk_count::int, round(usage_latency_percentile(latency_histogram, 0.5)::numeric, 3)::float8 AS p50,
             round(usage_latency_percentile(latency_histogram, 0.99)::numeric, 3)::float8 AS p99
           FROM ${table} WHERE model = 'rollup-model' ORDER BY bucket, status`,
        )
      ).rows;
    const events = [
      usageEvent({ request_id: 'rollup-1', ts: at(1, 5), model: 'rollup-model', latency_ms: 100, cost_usd: 0.25, prompt_tokens: 10, cached_prompt_tokens: 4 }),
      usageEvent({ request_id: 'rollup-2', ts: at(1, 40), model: 'rollup-model', latency_ms: 900, cost_usd: 0.5, prompt_tokens: 20, cached_prompt_tokens: 0, stream: true, time_to_first_chunk_ms: 80 }),
      usageEvent({ request_id: 'rollup-3', ts: at(2, 0), model: 'rollup-model', latency_ms: 30, cost_usd: 0, prompt_tokens: 0, cached_prompt_tokens: 0, status: 'error', error_code: 'upstream_error' }),
    ];

    it('sums each minute and hour, with latency percentiles from the histogram', async () => {
      expect(await insertUsageEvents(open(), events)).toBe(3);
      // 100 ms falls in the bucket up to 2^(54/8) = 107.6 ms, 900 in the one up to 2^(79/8) = 939.0, 30 in the one up to 2^(40/8) = 32.
      expect(await rollup('usage_rollup_minute')).toEqual([
        { bucket: '08:01', model: 'rollup-model', provider: 'openai', status: 'ok', requests: 2, errors: 0, prompt_tokens: 30, cached_prompt_tokens: 4, cost_usd: '0.7500000000', latency_ms_sum: 1000, time_to_first_chunk_count: 1, p50: 107.635, p99: 939.012 },
        { bucket: '08:02', model: 'rollup-model', provider: 'openai', status: 'error', requests: 1, errors: 1, prompt_tokens: 0, cached_prompt_tokens: 0, cost_usd: '0.0000000000', latency_ms_sum: 30, time_to_first_chunk_count: 0, p50: 32, p99: 32 },
      ]);
      expect(await rollup('usage_rollup_hour')).toEqual([
        { bucket: '08:00', model: 'rollup-model', provider: 'openai', status: 'error', requests: 1, errors: 1, prompt_tokens: 0, cached_prompt_tokens: 0, cost_usd: '0.0000000000', latency_ms_sum: 30, time_to_first_chunk_count: 0, p50: 32, p99: 32 },
        { bucket: '08:00', model: 'rollup-model', provider: 'openai', status: 'ok', requests: 2, errors: 0, prompt_tokens: 30, cached_prompt_tokens: 4, cost_usd: '0.7500000000', latency_ms_sum: 1000, time_to_first_chunk_count: 1, p50: 107.635, p99: 939.012 },
      ]);
    });

    it('counts a redelivered row once', async () => {
      const before = [await rollup('usage_rollup_minute'), await rollup('usage_rollup_hour')];
      expect(await insertUsageEvents(open(), [...events].reverse())).toBe(0);
      expect([await rollup('usage_rollup_minute'), await rollup('usage_rollup_hour')]).toEqual(before);
    });

    it('moves a row merged with its caller outcome to the status the caller got, leaving no empty rollup row', async () => {
      expect(await insertUsageEvents(open(), [callerOutcome({ request_id: 'rollup-2', ts: at(1, 40), model: 'rollup-model', status: 'cancelled', error_code: 'cancelled' })])).toBe(1);
      const minutes = await rollup('usage_rollup_minute');
      expect(minutes.map(({ bucket, status, requests, cost_usd, latency_ms_sum }) => ({ bucket, status, requests, cost_usd, latency_ms_sum }))).toEqual([
        { bucket: '08:01', status: 'cancelled', requests: 1, cost_usd: '0.5000000000', latency_ms_sum: 900 },
        { bucket: '08:01', status: 'ok', requests: 1, cost_usd: '0.2500000000', latency_ms_sum: 100 },
        { bucket: '08:02', status: 'error', requests: 1, cost_usd: '0.0000000000', latency_ms_sum: 30 },
      ]);
      // A caller outcome that comes first stands as a row of its own until metering's part replaces it.
      expect(await insertUsageEvents(open(), [callerOutcome({ request_id: 'rollup-4', ts: at(3), model: 'rollup-model' })])).toBe(1);
      expect((await rollup('usage_rollup_minute')).slice(-1)).toEqual([expect.objectContaining({ status: 'error', requests: 1, prompt_tokens: 0, latency_ms_sum: 0, p50: 1 })]);
      expect(await insertUsageEvents(open(), [usageEvent({ request_id: 'rollup-4', ts: at(3), model: 'rollup-model', latency_ms: 100 })])).toBe(1);
      expect((await rollup('usage_rollup_minute')).slice(-1)).toEqual([expect.objectContaining({ status: 'error', requests: 1, prompt_tokens: 10, latency_ms_sum: 100, p50: 107.635 })]);
    });
  });
}
