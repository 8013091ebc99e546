// Files and batches as the store keeps them, and as OpenAI's API shows them.
import type { BatchEndpoint } from './batch-input';

/** Who made a file or batch: the caller's key, and its team, which shares it (docs/batch.md). */
export interface BatchOwner {
  api_key_id: string;
  key_name?: string;
  team?: string;
}

/** `batch` is an uploaded input file; the gateway writes `batch_output` (output and error files). */
export type FilePurpose = 'batch' | 'batch_output';

export interface FileRecord {
  id: string;
  owner: BatchOwner;
  purpose: FilePurpose;
  filename: string;
  bytes: number;
  /** Epoch seconds. */
  created_at: number;
}

/** OpenAI's batch states. */
export const BATCH_STATUSES = ['validating', 'failed', 'in_progress', 'finalizing', 'completed', 'expired', 'cancelling', 'cancelled'] as const;
export type BatchStatus = (typeof BATCH_STATUSES)[number];

/** The states in which a batch still has work: a runner claims these. */
export const ACTIVE_STATUSES: readonly BatchStatus[] = ['validating', 'in_progress', 'finalizing', 'cancelling'];

export interface RequestCounts {
  total: number;
  completed: number;
  failed: number;
}

export interface BatchRecord {
  id: string;
  owner: BatchOwner;
  endpoint: BatchEndpoint;
  input_file_id: string;
  completion_window: string;
  status: BatchStatus;
  metadata: Record<string, string>;
  output_file_id: string | null;
  error_file_id: string | null;
  request_counts: RequestCounts;
  /** Epoch seconds; null until the batch reaches the state. */
  created_at: number;
  in_progress_at: number | null;
  expires_at: number;
  finalizing_at: number | null;
  completed_at: number | null;
  failed_at: number | null;
  expired_at: number | null;
  cancelling_at: number | null;
  cancelled_at: number | null;
}

/** What became of one request: the endpoint's answer (any status), or an error without one (cancelled, expired). */
export type LineResult =
  | { response: { status_code: number; request_id: string; body: unknown }; error?: undefined }
  | { response?: undefined; error: { code: string; message: string } };

/** One request of a batch as the store holds it. */
export interface BatchLine {
  batch_id: string;
  custom_id: string;
  line: number;
  body: Record<string, unknown>;
}

/** A line of the output or error file, in OpenAI's format, keyed by custom_id. */
export interface OutputLine {
  id: string;
  custom_id: string;
  response: { status_code: number; request_id: string; body: unknown } | null;
  error: { code: string; message: string } | null;
}

/** Whether a result goes to the output file (a 2xx answer) or the error file (anything else). */
export function succeeded(result: LineResult): boolean {
  return result.response !== undefined && result.response.status_code >= 200 && result.response.status_code < 300;
}

/** The output or error file's line for a request's result. `id` is stable: the same line, the same id. */
export function outputLineOf(batchId: string, customId: string, line: number, result: LineResult): OutputLine {
  return {
    id: `batch_req_${batchId.replace(/^batch_/, '')}_${line}`,
    custom_id: customId,
    response: result.response ?? null,
    error: result.error ?? null,
  };
}

/** Whether `owner` may see and act on what `of` made: its own key, or a key of the same team. */
export function ownedBy(of: BatchOwner, owner: BatchOwner): boolean {
  return of.api_key_id === owner.api_key_id || (of.team !== undefined && of.team === owner.team);
}

export function toOpenAIFile(file: FileRecord) {
  return { id: file.id, object: 'file' as const, bytes: file.bytes, created_at: file.created_at, filename: file.filename, purpose: file.purpose, status: 'processed' as const };
}

export function toOpenAIBatch(batch: BatchRecord) {
  return {
    id: batch.id,
    object: 'batch' as const,
    endpoint: batch.endpoint,
    errors: null,
    input_file_id: batch.input_file_id,
    completion_window: batch.completion_window,
    status: batch.status,
    output_file_id: batch.output_file_id,
    error_file_id: batch.error_file_id,
    created_at: batch.created_at,
    in_progress_at: batch.in_progress_at,
    expires_at: batch.expires_at,
    finalizing_at: batch.finalizing_at,
    completed_at: batch.completed_at,
    failed_at: batch.failed_at,
    expired_at: batch.expired_at,
    cancelling_at: batch.cancelling_at,
    cancelled_at: batch.cancelled_at,
    request_counts: batch.request_counts,
    metadata: batch.metadata,
  };
}
