// The analytics service: usage -> the usage_events table in Postgres.
import { startAnalyticsSink } from '@switchyard/analytics';
import { connectKafkaBus } from '@switchyard/bus';
import { readServiceEnv } from '@switchyard/config';
import { PIPELINE_TOPICS } from '@switchyard/contracts';
import { runService } from '@switchyard/pipeline';
import { createPostgresClient, describeUsageEventsLayout, ensureAnalyticsSchema } from '@switchyard/storage';
import { createLogger, startTracing, stopTracing } from '@switchyard/telemetry';

const logger = createLogger('analytics');
startTracing('switchyard-analytics');

void runService('analytics', logger, async () => {
  const env = readServiceEnv();
  if (!env.databaseUrl) throw new Error('DATABASE_URL is not set; the analytics service needs Postgres');
  const db = createPostgresClient(env.databaseUrl);
  const layout = await ensureAnalyticsSchema(db);
  logger.info(describeUsageEventsLayout(layout));
  const bus = await connectKafkaBus({ brokers: env.kafkaBrokers, maxMessageBytes: env.kafkaMaxMessageBytes, clientId: 'switchyard-analytics', logger, topics: PIPELINE_TOPICS });
  const sink = await startAnalyticsSink({ bus, db, logger });
  logger.info('analytics ready');
  return {
    stop: async () => {
      await bus.close();
      sink.stop();
      await db.close();
      await stopTracing();
    },
  };
});
