// Jest global setup of the integration run: one Kafka and one Postgres for every suite. Test workers
// inherit the environment set here.
import { provisionInfrastructure, type Infrastructure } from './infrastructure';

declare global {
   
  var __SWITCHYARD_INFRA__: Infrastructure | undefined;
}

export default async function globalSetup(): Promise<void> {
  const infrastructure = await provisionInfrastructure((line) => process.stderr.write(`[integration] ${line}\n`));
  process.stderr.write(`[integration] Kafka ${infrastructure.kafkaBrokers}, Postgres ${infrastructure.databaseUrl} (${infrastructure.source})\n`);
  process.env.KAFKA_BROKERS = infrastructure.kafkaBrokers;
  process.env.DATABASE_URL = infrastructure.databaseUrl;
  globalThis.__SWITCHYARD_INFRA__ = infrastructure;
}
