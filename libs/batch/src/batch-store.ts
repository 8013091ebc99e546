// Where files, batches and each batch's requests are kept: Postgres (PGlite in embedded mode), behind
// BatchStore so the batch logic does not depend on the engine. The schema is versioned
// (batch_schema_migrations, applied by applyVersionedMigrations), as libs/keys' is.
import { applyVersionedMigrations, type SqlClient, type SqlSession } from '@switchyard/storage';
import type { BatchEndpoint } from './batch-input';
import { outputLineOf, succeeded, type BatchLine, type BatchOwner, type BatchRecord, type BatchStatus, type FileRecord, type FilePurpose, type LineResult } from './records';

/** A state change: the batch moves to `to` (stamping its `<to>_at`) only from one of `from`. */
export interface Transition {
  from: readonly BatchStatus[];
  to: BatchStatus;
}

export interface BatchStore {
  /** Creates or upgrades the schema; safe at every start. */
  migrate(): Promise<void>;
  insertFile(file: FileRecord, content: string): Promise<void>;
  getFile(id: string): Promise<FileRecord | undefined>;
  fileContent(id: string): Promise<string | undefined>;
  /** Says whether there was such a file. */
  deleteFile(id: string): Promise<boolean>;
  /** The batch and its requests, all or nothing. */
  createBatch(batch: BatchRecord, lines: BatchLine[]): Promise<void>;
  getBatch(id: string): Promise<BatchRecord | undefined>;
  /** The owner's batches (its team's too), newest first, after the batch `after` when given. */
  listBatches(owner: BatchOwner, after: string | undefined, limit: number): Promise<BatchRecord[]>;
  /** Applies the transition; the batch as it then stands, or undefined when it was in none of `from`. */
  transition(id: string, transition: Transition, now: Date): Promise<BatchRecord | undefined>;
  /**
   * The batches with work left (validating, in progress, finalizing, cancelling) that `runner` holds or
   * may take: none held, its own, or one whose holder's lease ran out. Takes or renews the lease on each.
   */
  claim(runner: string, leaseMs: number, now: Date): Promise<BatchRecord[]>;
  /** Up to `limit` requests of the batch without a result, in file order. */
  pendingLines(batchId: string, limit: number): Promise<BatchLine[]>;
  /** The request at line `line` (from 1) of the batch, with the batch's endpoint, while it has no result. */
  pendingLine(batchId: string, line: number): Promise<(BatchLine & { endpoint: BatchEndpoint }) | undefined>;
  /**
   * Records a request's result and counts it, unless it has one already (a result is written once:
   * what the provider answered is kept, and never asked again). Says whether it was recorded.
   */
  settleLine(batchId: string, customId: string, result: LineResult): Promise<boolean>;
  /** Gives every request still without a result this error (a cancelled or expired batch); how many. */
  settlePending(batchId: string, error: { code: string; message: string }): Promise<number>;
  /**
   * Writes the output and error files from the results, and moves the batch to `status` (completed,
   * cancelled or expired), in one transaction; the batch as it then stands.
   */
  finish(batchId: string, status: 'completed' | 'cancelled' | 'expired', files: { outputFileId: string; errorFileId: string }, now: Date): Promise<BatchRecord>;
}

// Each entry runs once, in order; a new schema change is a new entry, never an edit of an old one.
const MIGRATIONS: string[] = [
  `CREATE TABLE batch_files (
     id         text PRIMARY KEY,
     api_key_id text NOT NULL,
     key_name   text,
     team       text,
     purpose    text NOT NULL,
     filename   text NOT NULL,
     bytes      bigint NOT NULL,
     content    text NOT NULL,
     created_at timestamptz NOT NULL
   );
   CREATE TABLE batches (
     id                text PRIMARY KEY,
     api_key_id        text NOT NULL,
     key_name          text,
     team              text,
     endpoint          text NOT NULL,
     input_file_id     text NOT NULL,
     completion_window text NOT NULL,
     status            text NOT NULL,
     metadata          jsonb NOT NULL DEFAULT '{}'::jsonb,
     output_file_id    text,
     error_file_id     text,
     total             integer NOT NULL,
     completed         integer NOT NULL DEFAULT 0,
     failed            integer NOT NULL DEFAULT 0,
     runner            text,
     lease_until       timestamptz,
     created_at        timestamptz NOT NULL,
     in_progress_at    timestamptz,
     expires_at        timestamptz NOT NULL,
     finalizing_at     timestamptz,
     completed_at      timestamptz,
     failed_at         timestamptz,
     expired_at        timestamptz,
     cancelling_at     timestamptz,
     cancelled_at      timestamptz
   );
   CREATE INDEX batches_owner_idx ON batches (api_key_id, created_at DESC);
   CREATE INDEX batches_team_idx ON batches (team, created_at DESC) WHERE team IS NOT NULL;
   CREATE INDEX batches_active_idx ON batches (status) WHERE status IN ('validating', 'in_progress', 'finalizing', 'cancelling');
   CREATE TABLE batch_lines (
     batch_id  text NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
     custom_id text NOT NULL,
     line      integer NOT NULL,
     body      jsonb NOT NULL,
     succeeded boolean,
     result    jsonb,
     PRIMARY KEY (batch_id, custom_id)
   );
   CREATE INDEX batch_lines_pending_idx ON batch_lines (batch_id, line) WHERE result IS NULL;`,
  // created_at is kept in whole seconds (OpenAI's shape), so batches created in one second tied and listed
  // in the order of their random ids; the database's own sequence orders them as they were created.
  `ALTER TABLE batches ADD COLUMN created_seq bigserial;
   DROP INDEX batches_owner_idx;
   DROP INDEX batches_team_idx;
   CREATE INDEX batches_owner_idx ON batches (api_key_id, created_seq DESC);
   CREATE INDEX batches_team_idx ON batches (team, created_seq DESC) WHERE team IS NOT NULL;`,
];

// An arbitrary constant: the advisory lock the migrations of this schema hold.
const MIGRATION_LOCK = 7_150_190;

const STAMPS = ['created_at', 'in_progress_at', 'expires_at', 'finalizing_at', 'completed_at', 'failed_at', 'expired_at', 'cancelling_at', 'cancelled_at'] as const;
const epochSeconds = (column: string) => `floor(extract(epoch from ${column}))::float8 AS ${column}`;
const BATCH_SELECT = `id, api_key_id, key_name, team, endpoint, input_file_id, completion_window, status, metadata, output_file_id, error_file_id,
  total, completed, failed, ${STAMPS.map(epochSeconds).join(', ')}`;
const FILE_SELECT = `id, api_key_id, key_name, team, purpose, filename, bytes::float8 AS bytes, ${epochSeconds('created_at')}`;
// Rows the batch's results go in, per insert: keeps each statement's parameters well under Postgres's 65,535.
const LINES_PER_INSERT = 5000;

type Row = Record<string, unknown>;

export class SqlBatchStore implements BatchStore {
  constructor(private readonly db: SqlClient) {}

  async migrate(): Promise<void> {
    await applyVersionedMigrations(this.db, { table: 'batch_schema_migrations', lock: MIGRATION_LOCK, migrations: MIGRATIONS });
  }

  async insertFile(file: FileRecord, content: string): Promise<void> {
    await insertFile(this.db, file, content);
  }

  async getFile(id: string): Promise<FileRecord | undefined> {
    const { rows } = await this.db.query(`SELECT ${FILE_SELECT} FROM batch_files WHERE id = $1`, [id]);
    return rows[0] && fileOf(rows[0]);
  }

  async fileContent(id: string): Promise<string | undefined> {
    const { rows } = await this.db.query<{ content: string }>(`SELECT content FROM batch_files WHERE id = $1`, [id]);
    return rows[0]?.content;
  }

  async deleteFile(id: string): Promise<boolean> {
    const { rows } = await this.db.query(`DELETE FROM batch_files WHERE id = $1 RETURNING id`, [id]);
    return rows.length > 0;
  }

  async createBatch(batch: BatchRecord, lines: BatchLine[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO batches (id, api_key_id, key_name, team, endpoint, input_file_id, completion_window, status, metadata, total, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, to_timestamp($11), to_timestamp($12))`,
        [batch.id, batch.owner.api_key_id, batch.owner.key_name ?? null, batch.owner.team ?? null, batch.endpoint, batch.input_file_id, batch.completion_window, batch.status, JSON.stringify(batch.metadata), lines.length, batch.created_at, batch.expires_at],
      );
      for (let start = 0; start < lines.length; start += LINES_PER_INSERT) {
        const part = lines.slice(start, start + LINES_PER_INSERT);
        await tx.query(`INSERT INTO batch_lines (batch_id, custom_id, line, body) SELECT $1, * FROM unnest($2::text[], $3::integer[], $4::jsonb[])`, [
          batch.id,
          part.map((line) => line.custom_id),
          part.map((line) => line.line),
          part.map((line) => JSON.stringify(line.body)),
        ]);
      }
    });
  }

  async getBatch(id: string): Promise<BatchRecord | undefined> {
    const { rows } = await this.db.query(`SELECT ${BATCH_SELECT} FROM batches WHERE id = $1`, [id]);
    return rows[0] && batchOf(rows[0]);
  }

  async listBatches(owner: BatchOwner, after: string | undefined, limit: number): Promise<BatchRecord[]> {
    // Newest first, by the order of creation, so that `after` pages on without skipping or repeating.
    const { rows } = await this.db.query(
      `SELECT ${BATCH_SELECT} FROM batches
       WHERE (api_key_id = $1 OR (team IS NOT NULL AND team = $2))
         AND ($3::text IS NULL OR created_seq < (SELECT created_seq FROM batches WHERE id = $3))
       ORDER BY created_seq DESC LIMIT $4`,
      [owner.api_key_id, owner.team ?? null, after ?? null, limit],
    );
    return rows.map(batchOf);
  }

  async transition(id: string, { from, to }: Transition, now: Date): Promise<BatchRecord | undefined> {
    const { rows } = await this.db.query(`UPDATE batches SET status = $2, ${to}_at = $3 WHERE id = $1 AND status = ANY($4::text[]) RETURNING ${BATCH_SELECT}`, [id, to, now, [...from]]);
    return rows[0] && batchOf(rows[0]);
  }

  async claim(runner: string, leaseMs: number, now: Date): Promise<BatchRecord[]> {
    const { rows } = await this.db.query(
      `UPDATE batches SET runner = $1, lease_until = $2::timestamptz + $3 * interval '1 millisecond'
       WHERE status IN ('validating', 'in_progress', 'finalizing', 'cancelling') AND (runner IS NULL OR runner = $1 OR lease_until < $2)
       RETURNING ${BATCH_SELECT}`,
      [runner, now, leaseMs],
    );
    return rows.map(batchOf).sort((a, b) => a.created_at - b.created_at || a.id.localeCompare(b.id));
  }

  async pendingLines(batchId: string, limit: number): Promise<BatchLine[]> {
    const { rows } = await this.db.query<BatchLine>(`SELECT batch_id, custom_id, line, body FROM batch_lines WHERE batch_id = $1 AND result IS NULL ORDER BY line LIMIT $2`, [batchId, limit]);
    return rows;
  }

  async pendingLine(batchId: string, line: number): Promise<(BatchLine & { endpoint: BatchEndpoint }) | undefined> {
    const { rows } = await this.db.query<BatchLine & { endpoint: BatchEndpoint }>(
      `SELECT l.batch_id, l.custom_id, l.line, l.body, b.endpoint FROM batch_lines l JOIN batches b ON b.id = l.batch_id WHERE l.batch_id = $1 AND l.line = $2 AND l.result IS NULL`,
      [batchId, line],
    );
    return rows[0];
  }

  async settleLine(batchId: string, customId: string, result: LineResult): Promise<boolean> {
    const ok = succeeded(result);
    // One statement: the result and the batch's count change together, once, or not at all.
    const { rows } = await this.db.query(
      `WITH settled AS (
         UPDATE batch_lines SET result = $3, succeeded = $4 WHERE batch_id = $1 AND custom_id = $2 AND result IS NULL RETURNING 1
       )
       UPDATE batches SET completed = completed + CASE WHEN $4 THEN 1 ELSE 0 END, failed = failed + CASE WHEN $4 THEN 0 ELSE 1 END
       WHERE id = $1 AND EXISTS (SELECT 1 FROM settled) RETURNING 1`,
      [batchId, customId, JSON.stringify(result), ok],
    );
    return rows.length > 0;
  }

  async settlePending(batchId: string, error: { code: string; message: string }): Promise<number> {
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ settled: number }>(
        `WITH settled AS (UPDATE batch_lines SET result = $2, succeeded = false WHERE batch_id = $1 AND result IS NULL RETURNING 1)
         SELECT count(*)::integer AS settled FROM settled`,
        [batchId, JSON.stringify({ error })],
      );
      const settled = rows[0].settled;
      await tx.query(`UPDATE batches SET failed = failed + $2 WHERE id = $1`, [batchId, settled]);
      return settled;
    });
  }

  async finish(batchId: string, status: 'completed' | 'cancelled' | 'expired', files: { outputFileId: string; errorFileId: string }, now: Date): Promise<BatchRecord> {
    return this.db.transaction(async (tx) => {
      const { rows: batches } = await tx.query(`SELECT ${BATCH_SELECT} FROM batches WHERE id = $1 FOR UPDATE`, [batchId]);
      const batch = batchOf(batches[0]);
      const { rows } = await tx.query<{ custom_id: string; line: number; succeeded: boolean; result: LineResult }>(
        `SELECT custom_id, line, succeeded, result FROM batch_lines WHERE batch_id = $1 AND result IS NOT NULL ORDER BY line`,
        [batchId],
      );
      const output: string[] = [];
      const errors: string[] = [];
      for (const row of rows) (row.succeeded ? output : errors).push(JSON.stringify(outputLineOf(batchId, row.custom_id, row.line, row.result)) + '\n');
      const created_at = Math.floor(now.getTime() / 1000);
      const file = (id: string, suffix: string, lines: string[]): [FileRecord, string] => {
        const content = lines.join('');
        return [{ id, owner: batch.owner, purpose: 'batch_output', filename: `${batchId}_${suffix}.jsonl`, bytes: Buffer.byteLength(content), created_at }, content];
      };
      await insertFile(tx, ...file(files.outputFileId, 'output', output));
      await insertFile(tx, ...file(files.errorFileId, 'error', errors));
      const { rows: finished } = await tx.query(
        `UPDATE batches SET status = $2, ${status}_at = $3, output_file_id = $4, error_file_id = $5, runner = NULL, lease_until = NULL WHERE id = $1 RETURNING ${BATCH_SELECT}`,
        [batchId, status, now, files.outputFileId, files.errorFileId],
      );
      return batchOf(finished[0]);
    });
  }
}

async function insertFile(db: SqlSession, file: FileRecord, content: string): Promise<void> {
  await db.query(
    `INSERT INTO batch_files (id, api_key_id, key_name, team, purpose, filename, bytes, content, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, to_timestamp($9))`,
    [file.id, file.owner.api_key_id, file.owner.key_name ?? null, file.owner.team ?? null, file.purpose, file.filename, file.bytes, content, file.created_at],
  );
}

function ownerOf(row: Row): BatchOwner {
  return { api_key_id: row.api_key_id as string, ...(row.key_name ? { key_name: row.key_name as string } : {}), ...(row.team ? { team: row.team as string } : {}) };
}

function fileOf(row: Row): FileRecord {
  return { id: row.id as string, owner: ownerOf(row), purpose: row.purpose as FilePurpose, filename: row.filename as string, bytes: row.bytes as number, created_at: row.created_at as number };
}

function batchOf(row: Row): BatchRecord {
  const stamp = (name: (typeof STAMPS)[number]) => (row[name] === null ? null : (row[name] as number));
  return {
    id: row.id as string,
    owner: ownerOf(row),
    endpoint: row.endpoint as BatchEndpoint,
    input_file_id: row.input_file_id as string,
    completion_window: row.completion_window as string,
    status: row.status as BatchStatus,
    metadata: row.metadata as Record<string, string>,
    output_file_id: (row.output_file_id as string | null) ?? null,
    error_file_id: (row.error_file_id as string | null) ?? null,
    request_counts: { total: row.total as number, completed: row.completed as number, failed: row.failed as number },
    created_at: row.created_at as number,
    in_progress_at: stamp('in_progress_at'),
    expires_at: row.expires_at as number,
    finalizing_at: stamp('finalizing_at'),
    completed_at: stamp('completed_at'),
    failed_at: stamp('failed_at'),
    expired_at: stamp('expired_at'),
    cancelling_at: stamp('cancelling_at'),
    cancelled_at: stamp('cancelled_at'),
  };
}
