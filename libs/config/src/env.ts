// Process settings that come from the environment, read in one place.

export interface ServiceEnv {
  /** host:port the gRPC front door listens on. */
  grpcAddress: string;
  /** host:port the OpenAI- and Anthropic-compatible HTTP front door listens on. */
  httpAddress: string;
  /** Comma-separated Kafka bootstrap brokers; required in distributed mode. */
  kafkaBrokers: string[];
  /** Postgres connection string; embedded mode uses PGlite when it is unset. */
  databaseUrl: string | undefined;
  /** Folder of embedded-mode data (PGlite). */
  dataDir: string;
  /** Embedded mode: host:port where PGlite answers Postgres clients such as psql. */
  sqlAddress: string;
  /** The largest message the Kafka brokers take (their `message.max.bytes`); unset: Kafka's default. */
  kafkaMaxMessageBytes: number | undefined;
}

export function readServiceEnv(env: NodeJS.ProcessEnv = process.env): ServiceEnv {
  return {
    grpcAddress: env.GATEWAY_GRPC_ADDR || '127.0.0.1:50051',
    httpAddress: env.GATEWAY_HTTP_ADDR || '127.0.0.1:8080',
    kafkaBrokers: (env.KAFKA_BROKERS || '')
      .split(',')
      .map((broker) => broker.trim())
      .filter(Boolean),
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: env.GATEWAY_DATA_DIR || './data',
    sqlAddress: env.GATEWAY_SQL_ADDR || '127.0.0.1:54320',
    kafkaMaxMessageBytes: positiveIntegerOf('KAFKA_MAX_MESSAGE_BYTES', env.KAFKA_MAX_MESSAGE_BYTES),
  };
}

function positiveIntegerOf(name: string, value: string | undefined): number | undefined {
  if (!value) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new Error(`${name} is ${JSON.stringify(value)}; expected a whole number of bytes, such as 1048576`);
  return number;
}
