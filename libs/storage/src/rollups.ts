// usage_events summed per minute and per hour, by model, provider, key, team and status
// (usage_rollup_minute, usage_rollup_hour). Where TimescaleDB runs they are continuous aggregates; on
// plain Postgres and PGlite they are tables that triggers on usage_events keep current in the statement
// that writes the rows: a row inserted adds itself, a row merged (a caller outcome and metering's part
// of one request, in either order) takes its old self away and adds its new self, and a part already
// written writes nothing, so changes nothing. The rollups thus always equal the rows aggregated, whether
// the rows came by COPY or INSERT, once or redelivered, and they commit or roll back with them.
//
// Latency percentiles: a rollup row holds a histogram of latency_ms (bigint[], bucket counts) that sums
// exactly like the other columns, so any percentile over any span of rollup rows is one bucket's upper
// bound, at most 9.1% above the exact value (buckets are 2^(1/8) wide, 1 ms to 2^20 ms).
import type { UsageEventsLayout } from './schema';
import type { SqlSession } from './sql-client';

/** Histogram buckets: 0 holds latencies up to 1 ms, k up to 2^(k/8) ms, the last everything above. */
const LATENCY_BUCKETS = 161;

const GRAINS = [
  ['usage_rollup_minute', 'minute'],
  ['usage_rollup_hour', 'hour'],
] as const;

const DIMENSIONS = ['model', 'provider', 'api_key_id', 'key_name', 'team', 'status'] as const;

// Each measure from a change of rows with `sign` (1: a row added, -1: a row taken away). The upsert
// sums them per latency bucket first, then per rollup row, and builds the histogram from the
// per-bucket counts once per rollup row: adding to an array row by row cost ~10 µs a row.
const MEASURES = [
  ['requests', 'bigint', 'sum(sign)'],
  ['errors', 'bigint', "sum(CASE WHEN status = 'error' THEN sign ELSE 0 END)"],
  ['prompt_tokens', 'bigint', 'sum(sign * prompt_tokens::bigint)'],
  ['completion_tokens', 'bigint', 'sum(sign * completion_tokens::bigint)'],
  ['cached_prompt_tokens', 'bigint', 'sum(sign * cached_prompt_tokens::bigint)'],
  ['cost_usd', 'numeric', 'sum(sign * cost_usd)'],
  ['latency_ms_sum', 'numeric', 'sum(sign * latency_ms::numeric)'],
  ['provider_latency_ms_sum', 'numeric', 'sum(sign * provider_latency_ms::numeric)'],
  ['time_to_first_chunk_count', 'bigint', 'sum(CASE WHEN time_to_first_chunk_ms IS NULL THEN 0 ELSE sign END)'],
  ['time_to_first_chunk_ms_sum', 'numeric', 'coalesce(sum(sign * time_to_first_chunk_ms::numeric), 0)'],
  ['attempts', 'bigint', 'sum(sign * coalesce(attempts, 0)::bigint)'],
  ['failed_attempts', 'bigint', 'sum(sign * coalesce(jsonb_array_length(failed_attempts), 0)::bigint)'],
] as const;

const EMPTY_HISTOGRAM = `{${new Array(LATENCY_BUCKETS).fill(0).join(',')}}`;

const FUNCTIONS = `
-- Not STRICT, so that Postgres inlines it (a call costs ~6 µs otherwise).
CREATE FUNCTION usage_latency_bucket(latency_ms double precision) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN latency_ms <= 1 THEN 0 ELSE least(${LATENCY_BUCKETS - 1}, ceil(8 * ln(latency_ms) / ln(2)))::integer END
$$;

CREATE FUNCTION usage_latency_bucket_bound(bucket integer) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT power(2::double precision, bucket / 8.0::double precision)
$$;

CREATE FUNCTION usage_latency_histogram_step(histogram bigint[], latency_ms double precision, weight integer) RETURNS bigint[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
DECLARE
  i integer := usage_latency_bucket(latency_ms) + 1;
BEGIN
  histogram[i] := histogram[i] + weight;
  RETURN histogram;
END
$$;

-- A loop over the buckets b holds: 20 µs a call, where unnest and array_agg took 200.
CREATE FUNCTION usage_histogram_add(a bigint[], b bigint[]) RETURNS bigint[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
BEGIN
  FOR i IN 1 .. ${LATENCY_BUCKETS} LOOP
    IF b[i] <> 0 THEN a[i] := a[i] + b[i]; END IF;
  END LOOP;
  RETURN a;
END
$$;

-- The histogram of counts per bucket.
CREATE FUNCTION usage_histogram_of(buckets integer[], counts bigint[]) RETURNS bigint[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
  histogram bigint[] := array_fill(0::bigint, ARRAY[${LATENCY_BUCKETS}]);
BEGIN
  FOR i IN 1 .. coalesce(array_length(buckets, 1), 0) LOOP
    histogram[buckets[i] + 1] := histogram[buckets[i] + 1] + counts[i];
  END LOOP;
  RETURN histogram;
END
$$;

CREATE AGGREGATE usage_latency_histogram(double precision, integer) (
  SFUNC = usage_latency_histogram_step, STYPE = bigint[], INITCOND = '${EMPTY_HISTOGRAM}',
  COMBINEFUNC = usage_histogram_add, PARALLEL = SAFE
);

CREATE AGGREGATE usage_histogram_sum(bigint[]) (
  SFUNC = usage_histogram_add, STYPE = bigint[], COMBINEFUNC = usage_histogram_add, PARALLEL = SAFE
);

-- The upper bound of the bucket holding the fraction's value (percentile_disc's rank); null when empty.
CREATE FUNCTION usage_latency_percentile(histogram bigint[], fraction double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
  SELECT usage_latency_bucket_bound((i - 1)::integer)
  FROM (SELECT i, sum(n) OVER (ORDER BY i) AS running, sum(n) OVER () AS total
        FROM unnest(histogram) WITH ORDINALITY AS bucket(n, i)) cumulative
  WHERE running > 0 AND running >= fraction * total
  ORDER BY i LIMIT 1
$$;
`;

/** Sums `changes` (usage_events rows with a sign) into a rollup table, one upsert per key in key order. */
function upsert(table: string, grain: string, changes: string): string {
  const dimensions = DIMENSIONS.join(', ');
  const keyPositions = DIMENSIONS.map((_, i) => i + 2).join(', ');
  const names = MEASURES.map(([name]) => name);
  return `INSERT INTO ${table} AS r (bucket, ${dimensions}, ${names.join(', ')}, latency_histogram)
SELECT bucket, ${dimensions}, ${names.map((name) => `sum(${name})`).join(', ')}, usage_histogram_of(array_agg(latency_bucket), array_agg(requests))
FROM (SELECT date_trunc('${grain}', ts) AS bucket, ${dimensions}, usage_latency_bucket(latency_ms) AS latency_bucket,
        ${MEASURES.map(([name, , sum]) => `${sum} AS ${name}`).join(', ')}
      FROM ${changes} AS changes GROUP BY 1, ${keyPositions}, ${DIMENSIONS.length + 2}) AS per_latency_bucket
GROUP BY 1, ${keyPositions}
ORDER BY 1, ${keyPositions}
ON CONFLICT (bucket, ${dimensions}) DO UPDATE SET
${names.map((name) => `  ${name} = r.${name} + EXCLUDED.${name}`).join(',\n')},
  latency_histogram = usage_histogram_add(r.latency_histogram, EXCLUDED.latency_histogram);`;
}

/** Removes the rollup rows a merge emptied (the key a row left: its status changed). */
function removeEmptied(table: string, grain: string, oldRows: string): string {
  return `DELETE FROM ${table} AS r USING (SELECT DISTINCT date_trunc('${grain}', ts) AS bucket, ${DIMENSIONS.join(', ')} FROM ${oldRows}) AS left_key
WHERE r.requests = 0 AND r.bucket = left_key.bucket AND ${DIMENSIONS.map((name) => `r.${name} IS NOT DISTINCT FROM left_key.${name}`).join(' AND ')};`;
}

function rollupTable(table: string): string {
  return `CREATE TABLE ${table} (
  bucket timestamptz NOT NULL,
  ${DIMENSIONS.map((name) => `${name} text${name === 'model' || name === 'api_key_id' || name === 'status' ? ' NOT NULL' : ''}`).join(',\n  ')},
  ${MEASURES.map(([name, type]) => `${name} ${type} NOT NULL`).join(',\n  ')},
  latency_histogram bigint[] NOT NULL
);
CREATE UNIQUE INDEX ${table}_key ON ${table} (bucket, ${DIMENSIONS.join(', ')}) NULLS NOT DISTINCT;
CREATE INDEX ${table}_model_idx ON ${table} (model, bucket);
CREATE INDEX ${table}_team_idx ON ${table} (team, bucket);`;
}

function triggers(): string {
  const added = `(SELECT 1 AS sign, * FROM inserted_rows)`;
  const merged = `(SELECT 1 AS sign, * FROM new_rows UNION ALL SELECT -1 AS sign, * FROM old_rows)`;
  return `
CREATE FUNCTION usage_rollups_add_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
${GRAINS.map(([table, grain]) => upsert(table, grain, added)).join('\n')}
  RETURN NULL;
END
$$;

CREATE FUNCTION usage_rollups_replace_merged() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
${GRAINS.map(([table, grain]) => `${upsert(table, grain, merged)}\n${removeEmptied(table, grain, 'old_rows')}`).join('\n')}
  RETURN NULL;
END
$$;

CREATE TRIGGER usage_rollups_add_inserted AFTER INSERT ON usage_events
  REFERENCING NEW TABLE AS inserted_rows FOR EACH STATEMENT EXECUTE FUNCTION usage_rollups_add_inserted();
CREATE TRIGGER usage_rollups_replace_merged AFTER UPDATE ON usage_events
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION usage_rollups_replace_merged();`;
}

// TimescaleDB refuses transition tables on hypertables; its continuous aggregates do the same work, refreshed
// by a policy, with real-time aggregation over what is not yet materialised.
function continuousAggregate(table: string, grain: string): string {
  return `CREATE MATERIALIZED VIEW ${table} WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT time_bucket(interval '1 ${grain}', ts) AS bucket, ${DIMENSIONS.join(', ')}, ${MEASURES.map(([name, , sum]) => `${sum.replace(/\bsign\b/g, '1')} AS ${name}`).join(', ')},
  usage_latency_histogram(latency_ms, 1) AS latency_histogram
FROM usage_events GROUP BY 1, ${DIMENSIONS.map((_, i) => i + 2).join(', ')} WITH NO DATA;
SELECT add_continuous_aggregate_policy('${table}', start_offset => interval '3 days', end_offset => interval '1 ${grain}', schedule_interval => interval '1 ${grain}');`;
}

/**
 * Migration 2: the histogram functions, the rollups, and (on Postgres) their triggers; the rows
 * already in usage_events are summed into them, with writers held off meanwhile.
 */
export async function createUsageRollups(tx: SqlSession, layout: UsageEventsLayout): Promise<void> {
  await tx.exec(FUNCTIONS);
  if (layout === 'timescaledb-hypertable') {
    await tx.exec(GRAINS.map(([table, grain]) => continuousAggregate(table, grain)).join('\n'));
    return;
  }
  await tx.exec(`LOCK TABLE usage_events IN SHARE MODE;
${GRAINS.map(([table]) => rollupTable(table)).join('\n')}
${triggers()}
${GRAINS.map(([table, grain]) => upsert(table, grain, '(SELECT 1 AS sign, * FROM usage_events)')).join('\n')}`);
}
