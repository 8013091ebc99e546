// The usage API's SQL (GET /admin/v1/usage and the dashboard): totals, groups and a time series of a
// range of usage_events rows. Every statement that reads usage for it is here, so that it can move to
// rollup tables without its callers changing.
import {
  bucketStarts,
  GatewayError,
  USAGE_BUCKET_MS,
  type UsageDimension,
  type UsageFigures,
  type UsageFilter,
  type UsageGroup,
  type UsagePoint,
  type UsageQuery,
  type UsageReport,
} from '@switchyard/contracts';
import type { SqlClient, SqlSession } from './sql-client';

const COLUMNS: Record<UsageDimension | UsageFilter, string> = {
  model: 'model',
  provider: 'provider',
  key: 'api_key_id',
  team: 'team',
  status: 'status',
  error_code: 'error_code',
};

const FIGURES = `count(*)::float8 AS requests,
  count(*) FILTER (WHERE status = 'error')::float8 AS errors,
  coalesce(sum(prompt_tokens), 0)::float8 AS prompt_tokens,
  coalesce(sum(completion_tokens), 0)::float8 AS completion_tokens,
  coalesce(sum(cached_prompt_tokens), 0)::float8 AS cached_prompt_tokens,
  coalesce(sum(cost_usd), 0)::float8 AS cost_usd,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50,
  percentile_cont(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95,
  percentile_cont(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99`;

type Row = Record<string, unknown>;

const QUERY_CANCELED = '57014';

/** How long a report's statements may take together on a Postgres server, by default. */
export const USAGE_REPORT_TIMEOUT_MS = 10_000;

/**
 * The usage of the rows a query selects; all zeros before analytics has made usage_events. On a
 * Postgres server its statements read one snapshot (totals, groups and series agree) in a read-only
 * transaction that the server cancels after `timeoutMs`, so that a wide query cannot hold a connection
 * the analytics writes need. PGlite has no statement timeout: there the retention bounds a query.
 */
export async function queryUsageReport(db: SqlClient, query: UsageQuery, timeoutMs = USAGE_REPORT_TIMEOUT_MS): Promise<UsageReport> {
  if (db.engine === 'pglite') return reportFrom(db, query);
  try {
    return await db.transaction(async (tx) => {
      await tx.exec(`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET LOCAL statement_timeout = ${Math.max(1, Math.round(timeoutMs))}`);
      return reportFrom(tx, query);
    });
  } catch (error) {
    if ((error as { code?: unknown }).code !== QUERY_CANCELED) throw error;
    throw new GatewayError('deadline_exceeded', `the usage query took longer than ${timeoutMs} ms; ask for a shorter range, a wider bucket, or filters`);
  }
}

async function reportFrom(db: SqlSession, query: UsageQuery): Promise<UsageReport> {
  const params: unknown[] = [query.from.toISOString(), query.to.toISOString()];
  const where = ['ts >= $1', 'ts < $2'];
  for (const [name, value] of Object.entries(query.filters) as [UsageFilter, string][]) {
    params.push(value);
    where.push(`${COLUMNS[name]} = $${params.length}`);
  }
  const from = `FROM usage_events WHERE ${where.join(' AND ')}`;
  const width = USAGE_BUCKET_MS[query.bucket];
  const dimensions = query.group_by.map((dimension) => `${COLUMNS[dimension]} AS ${dimension}`);
  if (query.group_by.includes('key')) dimensions.push('max(key_name) AS key_name');
  const grouped = query.group_by.map((_, i) => String(i + 1));
  // Asked first rather than caught: an error would end the transaction the other statements run in.
  const [{ present }] = (await db.query<{ present: boolean }>(`SELECT to_regclass('usage_events') IS NOT NULL AS present`)).rows;
  const read = async (text: string, extra: unknown[] = []): Promise<Row[]> => (present ? (await db.query<Row>(text, [...params, ...extra])).rows : []);

  const [totals] = await read(`SELECT ${FIGURES} ${from}`);
  const groups =
    query.group_by.length === 0
      ? []
      : await read(
          `SELECT ${dimensions.join(', ')}, ${FIGURES} ${from} GROUP BY ${grouped.join(', ')}
           ORDER BY requests DESC, ${grouped.map((column) => `${column} NULLS LAST`).join(', ')} LIMIT $${params.length + 1}`,
          [query.limit],
        );
  const buckets = await read(`SELECT (floor(extract(epoch FROM ts) * 1000 / ${width}) * ${width})::float8 AS start_ms, ${FIGURES} ${from} GROUP BY 1`);

  const byStart = new Map(buckets.map((row) => [Number(row.start_ms), figuresOf(row)]));
  const series = bucketStarts(query.from, query.to, query.bucket).map((start): UsagePoint => ({ start: start.toISOString(), ...(byStart.get(start.getTime()) ?? figuresOf({})) }));
  return {
    from: query.from.toISOString(),
    to: query.to.toISOString(),
    bucket: query.bucket,
    group_by: query.group_by,
    filters: query.filters,
    totals: figuresOf(totals ?? {}),
    groups: groups.map((row): UsageGroup => ({ ...dimensionsOf(row, query.group_by), ...figuresOf(row) })),
    series,
  };
}

function dimensionsOf(row: Row, groupBy: UsageDimension[]): Partial<Record<UsageDimension | 'key_name', string | null>> {
  const names: (UsageDimension | 'key_name')[] = groupBy.includes('key') ? [...groupBy, 'key_name'] : groupBy;
  return Object.fromEntries(names.map((name) => [name, (row[name] as string | null | undefined) ?? null]));
}

function figuresOf(row: Row): UsageFigures {
  const number = (name: string) => Number(row[name] ?? 0);
  const percentile = (name: string) => (row[name] === null || row[name] === undefined ? null : Number(row[name]));
  return {
    requests: number('requests'),
    errors: number('errors'),
    prompt_tokens: number('prompt_tokens'),
    completion_tokens: number('completion_tokens'),
    cached_prompt_tokens: number('cached_prompt_tokens'),
    cost_usd: number('cost_usd'),
    latency_ms: { p50: percentile('p50'), p95: percentile('p95'), p99: percentile('p99') },
  };
}
