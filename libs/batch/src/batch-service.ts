// The Files and Batch API's logic, independent of the wire (HTTP and gRPC call it alike): every value a
// caller sends is checked here once, and every file and batch is its owner's alone. Another key asking
// for one gets not_found, as if it did not exist (litellm PR #33536 let other teams read and cancel).
import { randomBytes } from 'node:crypto';
import { GatewayError, InvalidFieldError } from '@switchyard/contracts';
import { BATCH_LIMITS, COMPLETION_WINDOW, COMPLETION_WINDOW_MS, isEndpoint, parseBatchInput, parseBatchMetadata, type BodyCheck } from './batch-input';
import type { BatchStore } from './batch-store';
import { ownedBy, type BatchOwner, type BatchRecord, type FileRecord } from './records';

export interface NewFile {
  purpose: unknown;
  filename: string;
  content: Buffer;
}

export interface BatchPage {
  data: BatchRecord[];
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

export class BatchService {
  /**
   * `changed` is told of a batch made or cancelled, so that this process's runner looks at once
   * (BatchRunner.nudge) rather than at its next poll.
   */
  constructor(
    private readonly store: BatchStore,
    private readonly checkBody: BodyCheck,
    private readonly changed: () => void = () => undefined,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Takes an input file (purpose batch) once every line of it is a request the gateway can run. */
  async createFile(owner: BatchOwner, file: NewFile): Promise<FileRecord> {
    if (file.purpose !== 'batch') throw new InvalidFieldError('purpose', `must be "batch" (the one purpose this gateway stores files for), not ${JSON.stringify(file.purpose)}`);
    if (file.filename.length > BATCH_LIMITS.filenameChars) throw new InvalidFieldError('file', `name is longer than ${BATCH_LIMITS.filenameChars} characters`);
    if (file.content.length > BATCH_LIMITS.fileBytes) throw new GatewayError('request_too_large', `the file is larger than the gateway's limit of ${BATCH_LIMITS.fileBytes} bytes`);
    const content = new TextDecoder('utf-8', { fatal: false }).decode(file.content);
    parseBatchInput(content, this.checkBody);
    const record: FileRecord = { id: newId('file-'), owner, purpose: 'batch', filename: file.filename, bytes: file.content.length, created_at: seconds(this.now()) };
    await this.store.insertFile(record, content);
    return record;
  }

  async getFile(owner: BatchOwner, id: unknown): Promise<FileRecord> {
    const file = typeof id === 'string' ? await this.store.getFile(id) : undefined;
    if (!file || !ownedBy(file.owner, owner)) throw noFile(id);
    return file;
  }

  async fileContent(owner: BatchOwner, id: unknown): Promise<string> {
    const file = await this.getFile(owner, id);
    const content = await this.store.fileContent(file.id);
    if (content === undefined) throw noFile(id);
    return content;
  }

  async deleteFile(owner: BatchOwner, id: unknown): Promise<{ id: string; object: 'file'; deleted: true }> {
    const file = await this.getFile(owner, id);
    await this.store.deleteFile(file.id);
    return { id: file.id, object: 'file', deleted: true };
  }

  /** A batch over an input file; it starts validating, and a runner takes it from there. */
  async createBatch(owner: BatchOwner, body: Record<string, unknown>): Promise<BatchRecord> {
    const { input_file_id, endpoint, completion_window, metadata } = body;
    if (typeof input_file_id !== 'string' || input_file_id === '') throw new InvalidFieldError('input_file_id', 'is required: the id of a file uploaded with purpose "batch"');
    if (!isEndpoint(endpoint)) throw new InvalidFieldError('endpoint', `must be "/v1/chat/completions" or "/v1/embeddings", not ${JSON.stringify(endpoint)}`);
    if (completion_window !== COMPLETION_WINDOW) throw new InvalidFieldError('completion_window', `must be "${COMPLETION_WINDOW}", not ${JSON.stringify(completion_window)}`);
    const batchMetadata = parseBatchMetadata(metadata);
    const file = await this.getFile(owner, input_file_id);
    if (file.purpose !== 'batch') throw new InvalidFieldError('input_file_id', `names a file of purpose ${file.purpose}; a batch runs a file uploaded with purpose "batch"`);
    const lines = parseBatchInput((await this.store.fileContent(file.id)) ?? '', this.checkBody);
    if (lines[0].url !== endpoint) throw new InvalidFieldError('endpoint', `is ${endpoint}, but the file's requests are for ${lines[0].url}`);
    const now = this.now();
    const batch: BatchRecord = {
      id: newId('batch_'),
      owner,
      endpoint,
      input_file_id: file.id,
      completion_window,
      status: 'validating',
      metadata: batchMetadata,
      output_file_id: null,
      error_file_id: null,
      request_counts: { total: lines.length, completed: 0, failed: 0 },
      created_at: seconds(now),
      in_progress_at: null,
      expires_at: seconds(now) + COMPLETION_WINDOW_MS / 1000,
      finalizing_at: null,
      completed_at: null,
      failed_at: null,
      expired_at: null,
      cancelling_at: null,
      cancelled_at: null,
    };
    await this.store.createBatch(
      batch,
      lines.map(({ custom_id, line, body: request }) => ({ batch_id: batch.id, custom_id, line, body: request })),
    );
    this.changed();
    return batch;
  }

  async getBatch(owner: BatchOwner, id: unknown): Promise<BatchRecord> {
    const batch = typeof id === 'string' ? await this.store.getBatch(id) : undefined;
    if (!batch || !ownedBy(batch.owner, owner)) throw new GatewayError('not_found', `no batch ${JSON.stringify(id)}; GET /v1/batches lists yours`);
    return batch;
  }

  /** The owner's batches, newest first, OpenAI's cursor paging: `after` a batch id, `limit` 1 to 100. */
  async listBatches(owner: BatchOwner, query: { after?: unknown; limit?: unknown }): Promise<BatchPage> {
    const limit = query.limit === undefined ? BATCH_LIMITS.pageDefault : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > BATCH_LIMITS.pageMax) throw new InvalidFieldError('limit', `must be a whole number from 1 to ${BATCH_LIMITS.pageMax}`);
    let after: string | undefined;
    if (query.after !== undefined && query.after !== '') after = (await this.getBatch(owner, query.after)).id;
    const found = await this.store.listBatches(owner, after, limit + 1);
    const data = found.slice(0, limit);
    return { data, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null, has_more: found.length > limit };
  }

  /** Stops new requests of the batch; those under way finish, then it is cancelled (the runner ends it). */
  async cancelBatch(owner: BatchOwner, id: unknown): Promise<BatchRecord> {
    const batch = await this.getBatch(owner, id);
    const cancelling = await this.store.transition(batch.id, { from: ['validating', 'in_progress'], to: 'cancelling' }, this.now());
    if (cancelling) {
      this.changed();
      return cancelling;
    }
    const now = (await this.store.getBatch(batch.id))!;
    if (now.status === 'cancelling' || now.status === 'cancelled') return now;
    throw new GatewayError('invalid_request', `batch ${batch.id} is ${now.status}; only a validating or in-progress batch can be cancelled`);
  }
}

/** An id as OpenAI's look: a prefix and 24 random hex digits. */
export function newId(prefix: string): string {
  return prefix + randomBytes(12).toString('hex');
}

function seconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

function noFile(id: unknown): GatewayError {
  return new GatewayError('not_found', `no file ${JSON.stringify(id)}`);
}
