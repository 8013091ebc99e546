// Process settings that come from the environment, read in one place.
import * as fs from 'node:fs';

export interface ServiceEnv {
  /** host:port the gRPC front door listens on. */
  grpcAddress: string;
  /** Comma-separated Kafka bootstrap brokers; required in distributed mode. */
  kafkaBrokers: string[];
  /** Postgres connection string; embedded mode uses PGlite when it is unset. */
  databaseUrl: string | undefined;
  /** Folder of embedded-mode data (PGlite). */
  dataDir: string;
  /** Provider-worker: requests handled at once per process. */
  workerConcurrency: number;
}

export function readServiceEnv(env: NodeJS.ProcessEnv = process.env): ServiceEnv {
  return {
    grpcAddress: env.GATEWAY_GRPC_ADDR || '127.0.0.1:50051',
    kafkaBrokers: (env.KAFKA_BROKERS || '')
      .split(',')
      .map((broker) => broker.trim())
      .filter(Boolean),
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.GATEWAY_DATA_DIR || './data',
    workerConcurrency: Number(env.WORKER_CONCURRENCY || 256),
  };
}

/** Reads KEY=VALUE lines (infra/.env) into process.env without overriding what is already set. */
export function loadEnvFile(file: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!fs.existsSync(file)) return false;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)\s*$/.exec(line);
    if (match && env[match[1]] === undefined) env[match[1]] = match[2];
  }
  return true;
}
