// Keeping usage_events in shape while the gateway runs: next months' partitions made before their rows
// come, and raw rows older than the retention dropped (whole monthly partitions, or TimescaleDB chunks).
// The rollups are not touched: they keep the history the raw rows no longer hold.
import { ensureMonthlyPartitions, MIGRATION_LOCK, usageEventsLayout } from './schema';
import type { SqlClient } from './sql-client';

export interface UsageMaintenanceResult {
  /** Monthly partitions dropped (partitioned layout). */
  droppedPartitions: string[];
  /** Rows deleted from the default partition, or TimescaleDB chunks dropped. */
  deleted: number;
}

/**
 * Makes the coming months' partitions and, with `retentionDays`, drops the raw rows older than that:
 * a month's partition once all of the month is older, rows of the default partition one by one, and
 * TimescaleDB chunks wholly older. Safe to run by several instances at once.
 */
export async function maintainUsageEvents(client: SqlClient, options: { now?: Date; retentionDays?: number }): Promise<UsageMaintenanceResult> {
  const now = options.now ?? new Date();
  return client.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    const layout = await usageEventsLayout(tx);
    const result: UsageMaintenanceResult = { droppedPartitions: [], deleted: 0 };
    if (layout === 'postgres-partitioned') await ensureMonthlyPartitions(tx, now);
    if (options.retentionDays === undefined || layout === undefined) return result;
    const cutoff = new Date(now.getTime() - options.retentionDays * 86_400_000);
    if (layout === 'timescaledb-hypertable') {
      const dropped = await tx.query<{ chunk: string }>(`SELECT drop_chunks('usage_events', older_than => $1::timestamptz) AS chunk`, [cutoff.toISOString()]);
      result.deleted = dropped.rows.length;
      return result;
    }
    const partitions = await tx.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'usage_events'::regclass`,
    );
    for (const { name } of partitions.rows) {
      const month = /^usage_events_y(\d{4})m(\d{2})$/.exec(name);
      if (!month) continue;
      const end = new Date(Date.UTC(Number(month[1]), Number(month[2]), 1));
      if (end > cutoff) continue;
      await tx.exec(`DROP TABLE ${name}`);
      result.droppedPartitions.push(name);
    }
    const deleted = await tx.query<{ n: number }>(
      `WITH gone AS (DELETE FROM usage_events_default WHERE ts < $1 RETURNING 1) SELECT count(*)::int AS n FROM gone`,
      [cutoff.toISOString()],
    );
    result.deleted = deleted.rows[0]?.n ?? 0;
    result.droppedPartitions.sort();
    return result;
  });
}
