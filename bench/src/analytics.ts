// Analytics write throughput (target: 50,000 rows/s into Postgres), measured two ways:
// - directly: libs/storage insertUsageEvents, batch after batch, as the analytics sink calls it;
// - through the pipeline: usage events published onto the usage topic in Kafka, written by the running
//   analytics service; the rate is rows seen in usage_events over the time since the first publish.
// Rows carry a run-specific request_id prefix and are deleted afterwards.
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { TOPICS, type UsageEvent } from '@switchyard/contracts';
import { createPgliteClient, createPostgresClient, ensureAnalyticsSchema, insertUsageEvents, type SqlClient } from '@switchyard/storage';
import { sleep } from './services';

export interface DirectInsertResult {
  engine: 'postgres' | 'pglite';
  batchSize: number;
  rows: number;
  rowsPerSecond: number;
}

export interface PipelineInsertResult {
  rows: number;
  rowsWritten: number;
  seconds: number;
  rowsPerSecond: number;
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

async function insertAll(db: SqlClient, engine: DirectInsertResult['engine'], rows: number, batchSize: number): Promise<DirectInsertResult> {
  const prefix = `bench-direct-${randomUUID().slice(0, 8)}`;
  // Events are built before the clock starts: the sink receives them already decoded.
  const batches = Array.from({ length: Math.ceil(rows / batchSize) }, (_, b) => usageEvents(prefix, Math.min(batchSize, rows - b * batchSize), b * batchSize));
  const started = performance.now();
  for (const batch of batches) await insertUsageEvents(db, batch);
  const seconds = (performance.now() - started) / 1000;
  await db.query(`DELETE FROM usage_events WHERE request_id LIKE $1`, [`${prefix}-%`]);
  return { engine, batchSize, rows, rowsPerSecond: rows / seconds };
}

export async function measureDirectInserts(databaseUrl: string, rows: number, batchSizes: number[]): Promise<DirectInsertResult[]> {
  const db = createPostgresClient(databaseUrl);
  try {
    await ensureAnalyticsSchema(db);
    await insertAll(db, 'postgres', Math.min(rows, 5000), 1000); // warm the connection and the plan
    const results: DirectInsertResult[] = [];
    for (const batchSize of batchSizes) results.push(await insertAll(db, 'postgres', rows, batchSize));
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

export async function measurePipelineInserts(brokers: string[], databaseUrl: string, rows: number, timeoutMs: number): Promise<PipelineInsertResult> {
  const prefix = `bench-pipeline-${randomUUID().slice(0, 8)}`;
  const kafka = new Kafka({ clientId: 'switchyard-bench', brokers, logLevel: logLevel.ERROR });
  const producer = kafka.producer();
  const db = createPostgresClient(databaseUrl, 1);
  await producer.connect();
  const count = async () => (await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM usage_events WHERE request_id LIKE $1`, [`${prefix}-%`])).rows[0].n;
  try {
    const events = usageEvents(prefix, rows);
    const messages = events.map((event) => ({ key: event.request_id, value: JSON.stringify(event) }));
    const started = performance.now();
    // Published as fast as the producer goes, in large sends, so the sink, not the publisher, sets the pace.
    for (let i = 0; i < messages.length; i += 5000) await producer.send({ topic: TOPICS.usage, messages: messages.slice(i, i + 5000) });
    let written = 0;
    while (written < rows && performance.now() - started < timeoutMs) {
      await sleep(100);
      written = await count();
    }
    const seconds = (performance.now() - started) / 1000;
    return { rows, rowsWritten: written, seconds, rowsPerSecond: written / seconds };
  } finally {
    await producer.disconnect();
    await db.query(`DELETE FROM usage_events WHERE request_id LIKE $1`, [`${prefix}-%`]).catch(() => undefined);
    await db.close();
  }
}
