// The analytics service's upkeep of usage_events: the coming months' partitions, and raw rows past
// their retention dropped (USAGE_EVENTS_RETENTION_DAYS; unset keeps them all). Runs at start and hourly.
import { maintainUsageEvents, type SqlClient } from '@switchyard/storage';
import type { Logger } from '@switchyard/telemetry';

const MAX_RETENTION_DAYS = 36_500;

/** USAGE_EVENTS_RETENTION_DAYS as a whole number of days (1 to 36,500), or undefined when unset. */
export function readUsageRetentionDays(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.USAGE_EVENTS_RETENTION_DAYS;
  if (raw === undefined || raw === '') return undefined;
  const days = Number(raw);
  if (!/^\d+$/.test(raw) || days < 1 || days > MAX_RETENTION_DAYS) {
    throw new Error(`USAGE_EVENTS_RETENTION_DAYS must be a whole number of days from 1 to ${MAX_RETENTION_DAYS}, not "${raw}"`);
  }
  return days;
}

export interface UsageMaintenance {
  stop(): void;
}

/** Maintains usage_events now and every `intervalMs` (default: an hour); a failed pass is logged and tried again at the next. */
export async function startUsageMaintenance(options: { db: SqlClient; logger: Logger; retentionDays?: number; intervalMs?: number }): Promise<UsageMaintenance> {
  const { db, logger, retentionDays } = options;
  const pass = async () => {
    try {
      const result = await maintainUsageEvents(db, { retentionDays });
      if (result.droppedPartitions.length > 0 || result.deleted > 0) logger.info('dropped usage events past their retention', { retention_days: retentionDays, ...result });
    } catch (error) {
      logger.warn('maintaining usage_events failed; trying again at the next pass', { error });
    }
  };
  await pass();
  const timer = setInterval(() => void pass(), options.intervalMs ?? 3_600_000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
