// Process settings that come from the environment, read in one place.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_CONFIG_PATH } from './load';

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
   * Embedded mode: whether V8 may optimise PGlite's hot WebAssembly with TurboFan
   * (GATEWAY_PGLITE_TIER_UP=true); by default it stays on the baseline compiler, Liftoff.
   */
  pgliteTierUp: boolean;
  /**
   * Embedded mode: where PGlite answers Postgres clients such as psql, read-only, to the password
   * given; unset, no SQL port (GATEWAY_SQL_ADDR, GATEWAY_SQL_PASSWORD).
   */
  sql: SqlPortSettings | undefined;
  /** The secret api_key_id is keyed with (GATEWAY_KEY_ID_SECRET); every ingress instance must share it. */
  keyIdSecret: string | undefined;
  /** Ingress: the instance id (it names the reply topic), kept across restarts by the supervisor; a random one when unset. */
  instanceId: string | undefined;
  /** The largest message the Kafka brokers take (their `message.max.bytes`); unset: Kafka's default. */
  kafkaMaxMessageBytes: number | undefined;
  /** Kafka settings of a production cluster (docs/scaling.md); unset: the bus's defaults. */
  kafka: KafkaSettings;
  /** How long a stopping service may finish its work in flight (SHUTDOWN_GRACE_MS). */
  shutdownGraceMs: number;
  /** TLS on both front doors (docs/tls.md); unset: plain text. */
  tls: TlsSettings | undefined;
  /** SWITCHYARD_ADMIN_KEY: opens the admin API and turns virtual keys on (docs/keys.md). */
  adminKey: string | undefined;
  /** The configuration file (SWITCHYARD_CONFIG): embedded mode's, and a distributed service's until one is published. */
  configFile: string;
  /** The compacted topic `npm run config:publish` publishes to (SWITCHYARD_CONFIG_TOPIC). */
  configTopic: string;
  /** host:port a distributed service serves Prometheus metrics on (METRICS_ADDR); unset, none (docs/observability.md). */
  metricsAddress: string | undefined;
  /** How often a distributed service polls its consumer groups' lag (METRICS_LAG_INTERVAL_MS). */
  consumerLagIntervalMs: number;
}

/** PEM files of the front doors' TLS: GATEWAY_TLS_CERT, GATEWAY_TLS_KEY and, for mTLS, GATEWAY_TLS_CLIENT_CA. */
export interface TlsSettings {
  certFile: string;
  keyFile: string;
  /** The CAs a client certificate must chain to; set, every client must present one. */
  clientCaFile: string | undefined;
}

export const DEFAULT_CONFIG_TOPIC = 'switchyard.config';

export interface KafkaSettings {
  /** KAFKA_PARTITIONS: partitions of the pipeline's topics. */
  partitions: number | undefined;
  /** KAFKA_REPLICATION_FACTOR: replicas of each partition of the topics the services create. */
  replicationFactor: number | undefined;
  /** KAFKA_SESSION_TIMEOUT_MS and KAFKA_HEARTBEAT_INTERVAL_MS of the consumer groups. */
  sessionTimeoutMs: number | undefined;
  heartbeatIntervalMs: number | undefined;
  /** KAFKA_IDEMPOTENT_PRODUCER=true: Kafka's idempotent producer. */
  idempotent: boolean;
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
    pgliteTierUp: booleanOf('GATEWAY_PGLITE_TIER_UP', env.GATEWAY_PGLITE_TIER_UP),
    sql: sqlPortOf(env),
    keyIdSecret: keyIdSecretOf(env.GATEWAY_KEY_ID_SECRET),
    instanceId: instanceIdOf(env.GATEWAY_INSTANCE_ID),
    kafkaMaxMessageBytes: positiveIntegerOf('KAFKA_MAX_MESSAGE_BYTES', env.KAFKA_MAX_MESSAGE_BYTES, 'bytes, such as 1048576'),
    kafka: {
      partitions: positiveIntegerOf('KAFKA_PARTITIONS', env.KAFKA_PARTITIONS, 'partitions, such as 12'),
      replicationFactor: positiveIntegerOf('KAFKA_REPLICATION_FACTOR', env.KAFKA_REPLICATION_FACTOR, 'replicas, such as 3'),
      sessionTimeoutMs: positiveIntegerOf('KAFKA_SESSION_TIMEOUT_MS', env.KAFKA_SESSION_TIMEOUT_MS, 'milliseconds, such as 6000'),
      heartbeatIntervalMs: positiveIntegerOf('KAFKA_HEARTBEAT_INTERVAL_MS', env.KAFKA_HEARTBEAT_INTERVAL_MS, 'milliseconds, such as 1000'),
      idempotent: env.KAFKA_IDEMPOTENT_PRODUCER === 'true',
    },
    shutdownGraceMs: shutdownGraceMsOf(env),
    tls: tlsSettingsOf(env),
    adminKey: adminKeyOf(env.SWITCHYARD_ADMIN_KEY),
    configFile: env.SWITCHYARD_CONFIG || DEFAULT_CONFIG_PATH,
    configTopic: env.SWITCHYARD_CONFIG_TOPIC || DEFAULT_CONFIG_TOPIC,
    metricsAddress: env.METRICS_ADDR || undefined,
    consumerLagIntervalMs: positiveIntegerOf('METRICS_LAG_INTERVAL_MS', env.METRICS_LAG_INTERVAL_MS, 'milliseconds, such as 15000') ?? 15_000,
  };
}

/**
 * GATEWAY_HEALTH_ADDR, read alone too: where a service answers its liveness and readiness probes
 * (/healthz, /readyz), in plain HTTP whatever the front doors speak; unset, nowhere.
 */
export function healthAddressOf(env: NodeJS.ProcessEnv = process.env): { host: string; port: number } | undefined {
  return env.GATEWAY_HEALTH_ADDR ? parseAddress(env.GATEWAY_HEALTH_ADDR) : undefined;
}

export function parseAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(address.trim());
  if (!match) throw new Error(`address ${JSON.stringify(address)} is not host:port (e.g. 127.0.0.1:8080)`);
  return { host: match[1] ?? (match[2] || '0.0.0.0'), port: Number(match[3]) };
}

/** The shortest SWITCHYARD_ADMIN_KEY taken: it opens every key's settings. */
export const ADMIN_KEY_MIN_LENGTH = 32;

function adminKeyOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (value.length < ADMIN_KEY_MIN_LENGTH) {
    throw new Error(`SWITCHYARD_ADMIN_KEY is ${value.length} characters; use at least ${ADMIN_KEY_MIN_LENGTH}, such as the output of \`openssl rand -hex 32\``);
  }
  return value;
}

/** SHUTDOWN_GRACE_MS, read alone too: a service's stop is bounded by it before the rest is read. */
export function shutdownGraceMsOf(env: NodeJS.ProcessEnv = process.env): number {
  return positiveIntegerOf('SHUTDOWN_GRACE_MS', env.SHUTDOWN_GRACE_MS, 'milliseconds, such as 15000') ?? 15_000;
}

function positiveIntegerOf(name: string, value: string | undefined, unit: string): number | undefined {
  if (!value) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new Error(`${name} is ${JSON.stringify(value)}; expected a whole number of ${unit}`);
  return number;
}

function booleanOf(name: string, value: string | undefined): boolean {
  if (!value || value === 'false') return false;
  if (value === 'true') return true;
  throw new Error(`${name} is ${JSON.stringify(value)}; expected true or false`);
}

function tlsSettingsOf(env: NodeJS.ProcessEnv): TlsSettings | undefined {
  const { GATEWAY_TLS_CERT: certFile, GATEWAY_TLS_KEY: keyFile, GATEWAY_TLS_CLIENT_CA: clientCaFile } = env;
  if (!certFile && !keyFile) {
    if (clientCaFile) throw new Error('GATEWAY_TLS_CLIENT_CA asks for client certificates, which need TLS: set GATEWAY_TLS_CERT and GATEWAY_TLS_KEY too');
    return undefined;
  }
  if (!certFile || !keyFile) throw new Error(`${certFile ? 'GATEWAY_TLS_KEY' : 'GATEWAY_TLS_CERT'} is not set: TLS needs both the certificate (GATEWAY_TLS_CERT) and its key (GATEWAY_TLS_KEY)`);
  return { certFile, keyFile, clientCaFile: clientCaFile || undefined };
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

function instanceIdOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  // It becomes part of a Kafka topic name and a consumer group.
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(value)) throw new Error(`GATEWAY_INSTANCE_ID is ${JSON.stringify(value)}; expected 1-64 letters, digits, '.', '_' or '-'`);
  return value;
}

function keyIdSecretOf(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (value.length < KEY_ID_SECRET_MIN_LENGTH) {
    throw new Error(`GATEWAY_KEY_ID_SECRET is ${value.length} characters; use at least ${KEY_ID_SECRET_MIN_LENGTH}, such as the output of \`openssl rand -hex 32\``);
  }
  return value;
}

/** infra/.env, which `npm run infra:up` writes, as name to value: the commands' default Kafka. */
export function infraEnvFile(file = path.resolve('infra/.env')): Record<string, string> {
  if (!fs.existsSync(file)) return {};
  const values: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) values[match[1]] = match[2];
  }
  return values;
}
