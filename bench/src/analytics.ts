// Analytics write throughput (target: 50,000 rows/s into Postgres), measured two ways:
// - directly: libs/storage insertUsageEvents, batch after batch, as the analytics sink calls it;
// - through the pipeline: usage events published onto the usage topic in Kafka, written by the running
//   analytics service, either while it runs or as a backlog (see measurePipelineInserts).
// Rows carry a run-specific request_id prefix and are deleted afterwards. Each figure comes with the
// cores other processes kept busy meanwhile (`otherCores`): on two shared cores, they decide a good deal.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { CONSUMER_GROUPS, TOPICS, type UsageEvent } from '@switchyard/contracts';
import { createPgliteClient, createPostgresClient, ensureAnalyticsSchema, insertUsageEvents, type SqlClient } from '@switchyard/storage';
import { cpuMs, machineTicks } from './proc';
import { sleep } from './services';

export interface DirectInsertResult {
  engine: 'postgres' | 'pglite';
  batchSize: number;
  rows: number;
  rowsPerSecond: number;
  otherCores: number;
}

export interface PipelineInsertResult {
  rows: number;
  rowsWritten: number;
  seconds: number;
  rowsPerSecond: number;
  /** How long the publishing took, within `seconds` (the bench's producer shares the cores with the service). */
  publishSeconds: number;
  otherCores: number;
  /** CPU of the analytics service, and of Kafka and Postgres, per row written, while the clock ran. */
  serviceCpuUsPerRow?: number;
  infrastructureCpuUsPerRow?: number;
}

/**
 * Starts counting the machine's busy time; the function returned says how many cores processes other
 * than this one, `measured` and their descendants kept busy meanwhile.
 */
function otherLoad(measured: number[]): () => number {
  const roots = [process.pid, ...measured];
  const machineBefore = machineTicks().busy;
  const measuredBefore = cpuMs(roots);
  const started = performance.now();
  return () => {
    const machineMs = (machineTicks().busy - machineBefore) * 10; // /proc/stat counts 10 ms ticks
    return Math.max(0, machineMs - (cpuMs(roots) - measuredBefore)) / (performance.now() - started);
  };
}

function usageEvents(prefix: string, count: number, offset = 0): UsageEvent[] {
  const ts = new Date().toISOString();
  return Array.from({ length: count }, (_, i) => ({
    request_id: `${prefix}-${offset + i}`,
    ts,
    api_key_id: 'key_bench',
    kind: 'chat',
    stream: false,
    model: 'bench-gpt',
    provider: 'bench-upstream',
    upstream_model: 'gpt-bench',
    prompt_tokens: 24,
    completion_tokens: 6,
    cached_prompt_tokens: 0,
    tokens_estimated: false,
    cost_usd: 0.0000123,
    latency_ms: 41.5,
    provider_latency_ms: 40.2,
    time_to_first_chunk_ms: null,
    status: 'ok',
    error_code: null,
    finish_reason: 'stop',
    metadata: { team: 'bench' },
  }));
}

async function insertAll(db: SqlClient, engine: DirectInsertResult['engine'], rows: number, batchSize: number, infrastructurePids: number[] = []): Promise<DirectInsertResult> {
  const prefix = `bench-direct-${randomUUID().slice(0, 8)}`;
  // Events are built before the clock starts: the sink receives them already decoded.
  const batches = Array.from({ length: Math.ceil(rows / batchSize) }, (_, b) => usageEvents(prefix, Math.min(batchSize, rows - b * batchSize), b * batchSize));
  const other = otherLoad(infrastructurePids);
  const started = performance.now();
  for (const batch of batches) await insertUsageEvents(db, batch);
  const seconds = (performance.now() - started) / 1000;
  const otherCores = other();
  await db.query(`DELETE FROM usage_events WHERE request_id LIKE $1`, [`${prefix}-%`]);
  return { engine, batchSize, rows, rowsPerSecond: rows / seconds, otherCores };
}

/** `infrastructurePids`: Postgres (and Kafka), whose CPU is part of the measurement, not other load. */
export async function measureDirectInserts(databaseUrl: string, rows: number, batchSizes: number[], infrastructurePids: number[] = []): Promise<DirectInsertResult[]> {
  const db = createPostgresClient(databaseUrl);
  try {
    await ensureAnalyticsSchema(db);
    await insertAll(db, 'postgres', Math.min(rows, 5000), 1000); // warm the connection and the plan
    const results: DirectInsertResult[] = [];
    for (const batchSize of batchSizes) results.push(await insertAll(db, 'postgres', rows, batchSize, infrastructurePids));
    return results;
  } finally {
    await db.close();
  }
}

/** The embedded mode's engine, PGlite (Postgres in WebAssembly), in a scratch folder. */
export async function measurePgliteInserts(dataDir: string, rows: number, batchSize: number): Promise<DirectInsertResult> {
  const db = await createPgliteClient(dataDir);
  try {
    await ensureAnalyticsSchema(db);
    await insertAll(db, 'pglite', Math.min(rows, 2000), batchSize);
    return await insertAll(db, 'pglite', rows, batchSize);
  } finally {
    await db.close();
  }
}

export interface PipelineOptions {
  /** The analytics service's pid: with `backlog`, it is stopped while the events are published. */
  servicePid?: number;
  /** Kafka's and Postgres's pids, whose CPU is part of the measurement, not other load. */
  infrastructurePids?: number[];
  backlog?: boolean;
}

/**
 * Usage events through Kafka into the running analytics service. With `backlog`, the service is
 * stopped (SIGSTOP) while the events are published and the clock starts when it resumes: the rate of
 * draining a backlog, the service's own capacity. Otherwise the events are published while the service
 * runs and the clock starts with the first publish, so the bench's producer, sharing the cores, is part
 * of the figure (publishSeconds says how much).
 */
export async function measurePipelineInserts(brokers: string[], databaseUrl: string, rows: number, timeoutMs: number, options: PipelineOptions = {}): Promise<PipelineInsertResult> {
  const { servicePid, infrastructurePids = [] } = options;
  if (options.backlog && servicePid === undefined) throw new Error('a backlog measurement needs the service pid');
  const prefix = `bench-pipeline-${randomUUID().slice(0, 8)}`;
  const kafka = new Kafka({ clientId: 'switchyard-bench', brokers, logLevel: logLevel.ERROR });
  const producer = kafka.producer();
  const admin = kafka.admin();
  const db = createPostgresClient(databaseUrl, 1);
  await Promise.all([producer.connect(), admin.connect()]);
  const count = async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM usage_events WHERE request_id LIKE $1`, [`${prefix}-%`])).rows[0].n;
  // The service commits a batch's offsets only once its rows are written, so offsets committed up to the
  // topic's end say that every row is in. Polling them costs the database nothing; counting the rows
  // every 100 ms cost Postgres, the very thing measured, several % of its CPU.
  const committedUpTo = async (ends: Map<number, number>) => {
    const [committed] = await admin.fetchOffsets({ groupId: CONSUMER_GROUPS.analytics, topics: [TOPICS.usage] });
    return committed.partitions.every(({ partition, offset }) => Number(offset) >= (ends.get(partition) ?? 0));
  };
  let frozen = false;
  const resume = () => {
    if (frozen) process.kill(servicePid!, 'SIGCONT');
    frozen = false;
  };
  const cpu = (pids: number[]) => (pids.length > 0 ? cpuMs(pids) : 0);
  try {
    const events = usageEvents(prefix, rows);
    const messages = events.map((event) => ({ key: event.request_id, value: JSON.stringify(event) }));
    if (options.backlog) {
      process.kill(servicePid!, 'SIGSTOP');
      frozen = true;
    }
    let other = otherLoad([...(servicePid === undefined ? [] : [servicePid]), ...infrastructurePids]);
    let started = performance.now();
    let serviceBefore = cpu(servicePid === undefined ? [] : [servicePid]);
    let infrastructureBefore = cpu(infrastructurePids);
    // Published as fast as the producer goes, in large sends, so the sink, not the publisher, sets the pace.
    for (let i = 0; i < messages.length; i += 5000) await producer.send({ topic: TOPICS.usage, messages: messages.slice(i, i + 5000) });
    const publishSeconds = (performance.now() - started) / 1000;
    const ends = new Map((await admin.fetchTopicOffsets(TOPICS.usage)).map(({ partition, high }) => [partition, Number(high)]));
    if (frozen) {
      // Well within the consumer's session timeout (30 s), so the group does not rebalance meanwhile.
      other = otherLoad([servicePid!, ...infrastructurePids]);
      serviceBefore = cpu([servicePid!]);
      infrastructureBefore = cpu(infrastructurePids);
      started = performance.now();
      resume();
    }
    const elapsed = () => (performance.now() - started) / 1000;
    while (!(await committedUpTo(ends)) && elapsed() < timeoutMs / 1000) await sleep(20);
    let seconds = elapsed();
    const otherCores = other();
    const serviceCpuMs = cpu(servicePid === undefined ? [] : [servicePid]) - serviceBefore;
    const infrastructureCpuMs = cpu(infrastructurePids) - infrastructureBefore;
    let written = await count();
    if (written < rows) {
      // Offsets ahead of the rows would be a bug, which the count shows; or the time ran out.
      while (written < rows && elapsed() < timeoutMs / 1000) {
        await sleep(100);
        written = await count();
      }
      seconds = elapsed();
    }
    return {
      rows,
      rowsWritten: written,
      seconds,
      rowsPerSecond: written / seconds,
      publishSeconds,
      otherCores,
      serviceCpuUsPerRow: servicePid === undefined ? undefined : (serviceCpuMs * 1000) / rows,
      infrastructureCpuUsPerRow: infrastructurePids.length === 0 ? undefined : (infrastructureCpuMs * 1000) / rows,
    };
  } finally {
    resume();
    await Promise.all([producer.disconnect(), admin.disconnect()]);
    await db.query(`DELETE FROM usage_events WHERE request_id LIKE $1`, [`${prefix}-%`]).catch(() => undefined);
    await db.close();
  }
}
