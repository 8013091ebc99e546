// The analytics service: usage -> the usage_events table in Postgres, and its rollups and retention.
import { readUsageRetentionDays, startAnalyticsSink, startUsageMaintenance } from '@switchyard/analytics';
import { readServiceEnv } from '@switchyard/config';
import { connectServiceBus, runService } from '@switchyard/pipeline';
import { createPostgresClient, describeUsageEventsLayout, ensureAnalyticsSchema } from '@switchyard/storage';
import { createLogger, startTracing, stopTracing } from '@switchyard/telemetry';

const logger = createLogger('analytics');
startTracing('switchyard-analytics');

void runService('analytics', logger, async () => {
  const env = readServiceEnv();
  if (!env.databaseUrl) throw new Error('DATABASE_URL is not set; the analytics service needs Postgres');
  const retentionDays = readUsageRetentionDays();
  const db = createPostgresClient(env.databaseUrl);
  const layout = await ensureAnalyticsSchema(db);
  logger.info(describeUsageEventsLayout(layout));
  const maintenance = await startUsageMaintenance({ db, logger, retentionDays });
  const bus = await connectServiceBus('analytics', env, logger);
  const sink = await startAnalyticsSink({ bus, db, logger });
  logger.info('analytics ready');
  return {
    stop: async () => {
      maintenance.stop();
      await bus.close();
      sink.stop();
      await db.close();
      await stopTracing();
    },
  };
});
