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
  /**
   * Embedded mode: where PGlite answers Postgres clients such as psql, read-only, to the password
   * given; unset, no SQL port (GATEWAY_SQL_ADDR, GATEWAY_SQL_PASSWORD).
   */
  sql: SqlPortSettings | undefined;
  /** The secret api_key_id is keyed with (GATEWAY_KEY_ID_SECRET); every ingress instance must share it. */
  keyIdSecret: string | undefined;
  /** The largest message the Kafka brokers take (their `message.max.bytes`); unset: Kafka's default. */
  kafkaMaxMessageBytes: number | undefined;
}

/** Where and to whom embedded mode serves PGlite over the Postgres protocol. */
export interface SqlPortSettings {
  /** host:port, port 0 for any free one. */
  address: string;
  password: string;
}

/** The shortest GATEWAY_KEY_ID_SECRET taken: one guessable offline would defeat keying the hash. */
export const KEY_ID_SECRET_MIN_LENGTH = 32;

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
    sql: sqlPortOf(env),
    keyIdSecret: keyIdSecretOf(env.GATEWAY_KEY_ID_SECRET),
    kafkaMaxMessageBytes: positiveIntegerOf('KAFKA_MAX_MESSAGE_BYTES', env.KAFKA_MAX_MESSAGE_BYTES),
  };
}

function positiveIntegerOf(name: string, value: string | undefined): number | undefined {
  if (!value) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new Error(`${name} is ${JSON.stringify(value)}; expected a whole number of bytes, such as 1048576`);
  return number;
}

function sqlPortOf(env: NodeJS.ProcessEnv): SqlPortSettings | undefined {
  if (!env.GATEWAY_SQL_ADDR) return undefined;
  if (!env.GATEWAY_SQL_PASSWORD) {
    throw new Error(
      `GATEWAY_SQL_ADDR asks for the SQL port on ${env.GATEWAY_SQL_ADDR}, but GATEWAY_SQL_PASSWORD is not set; set the password clients must give (psql prompts for it), or unset GATEWAY_SQL_ADDR`,
    );
  }
  return { address: env.GATEWAY_SQL_ADDR, password: env.GATEWAY_SQL_PASSWORD };
}

function keyIdSecretOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (value.length < KEY_ID_SECRET_MIN_LENGTH) {
    throw new Error(`GATEWAY_KEY_ID_SECRET is ${value.length} characters; use at least ${KEY_ID_SECRET_MIN_LENGTH}, such as the output of \`openssl rand -hex 32\``);
  }
  return value;
}
