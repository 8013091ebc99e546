// `npx switchyard batch ...`: OpenAI's Files and Batch API on the gateway (docs/batch.md). The gateway key
// comes from SWITCHYARD_API_KEY only, as the admin key does from its variable: never an option's value.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SingleBar } from 'cli-progress';
import Table from 'cli-table3';
import type { Command } from 'commander';
import { callGateway, parseJson } from './admin-http';

/** What a batch looks like on the wire (OpenAI's batch object), the fields the CLI shows. */
export interface BatchView {
  id: string;
  status: string;
  endpoint: string;
  input_file_id: string;
  output_file_id: string | null;
  error_file_id: string | null;
  created_at: number;
  request_counts: { total: number; completed: number; failed: number };
}

export interface BatchIo {
  stdout(text: string): void;
  env: NodeJS.ProcessEnv;
  fetch?: typeof fetch;
  /** Where the live progress bar is drawn (a terminal); default standard error. */
  progress?: NodeJS.WritableStream;
  /** Between looks at a running batch; default a second. */
  pollMs?: number;
}

const ENDED = ['completed', 'failed', 'expired', 'cancelled'];

export function addBatchCommands(program: Command, io: BatchIo): void {
  const call = async (method: string, route: string, body?: BodyInit, contentType?: string): Promise<string> => {
    const key = io.env.SWITCHYARD_API_KEY;
    return callGateway(program.opts().url, `/v1/${route}`, io.fetch, {
      method,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...(contentType ? { 'content-type': contentType } : {}) },
      body,
    });
  };
  const json = async <T>(method: string, route: string, body?: unknown): Promise<T> =>
    parseJson<T>(await call(method, route, body === undefined ? undefined : JSON.stringify(body), body === undefined ? undefined : 'application/json'), 200);
  const print = (value: unknown, table: () => string) => io.stdout(program.opts().json ? `${JSON.stringify(value, null, 2)}\n` : `${table()}\n`);

  const batch = program.command('batch').description('batch jobs: a JSONL file of requests, run through the gateway (docs/batch.md); the key from SWITCHYARD_API_KEY').exitOverride();
  batch
    .command('submit <file>')
    .description('upload a JSONL file of requests, start a batch on it, and show its progress until it ends')
    .option('--no-wait', 'print the batch and return at once')
    .action(async (file: string, options: { wait: boolean }) => {
      const content = fs.readFileSync(file);
      const form = new FormData();
      form.append('purpose', 'batch');
      form.append('file', new Blob([content], { type: 'application/jsonl' }), path.basename(file));
      const uploaded = parseJson<{ id: string }>(await call('POST', 'files', form), 200);
      const endpoint = endpointOf(content.toString('utf8'));
      let view = await json<BatchView>('POST', 'batches', { input_file_id: uploaded.id, endpoint, completion_window: '24h' });
      if (!options.wait) return print(view, () => batchTable([view]));
      io.stdout(`batch ${view.id}: ${view.request_counts.total} requests to ${endpoint}\n`);
      view = await follow(view);
      print(view, () => batchTable([view]));
      if (view.status !== 'completed') throw new Error(`batch ${view.id} ended ${view.status}`);
    });
  batch
    .command('status <id>')
    .description('show a batch')
    .action(async (id: string) => {
      const view = await json<BatchView>('GET', `batches/${encodeURIComponent(id)}`);
      print(view, () => batchTable([view]));
    });
  batch
    .command('list')
    .description('list your batches, newest first')
    .option('--limit <n>', 'how many (1-100)', '20')
    .option('--after <id>', 'those after this batch (the previous page\'s last)')
    .action(async (options: { limit: string; after?: string }) => {
      const query = new URLSearchParams({ limit: options.limit, ...(options.after ? { after: options.after } : {}) });
      const page = await json<{ data: BatchView[]; has_more: boolean }>('GET', `batches?${query}`);
      print(page, () => `${batchTable(page.data)}${page.has_more ? `\nmore: --after ${page.data[page.data.length - 1].id}` : ''}`);
    });
  batch
    .command('results <id>')
    .description("write a batch's output file (and, with --errors, its error file)")
    .option('-o, --output <file>', 'where the output goes; default standard output')
    .option('--errors <file>', 'where the error file goes')
    .action(async (id: string, options: { output?: string; errors?: string }) => {
      const view = await json<BatchView>('GET', `batches/${encodeURIComponent(id)}`);
      if (!view.output_file_id) throw new Error(`batch ${id} is ${view.status}: its files are written when it ends`);
      const output = await call('GET', `files/${encodeURIComponent(view.output_file_id)}/content`);
      if (options.output) fs.writeFileSync(options.output, output);
      else io.stdout(output);
      if (options.errors && view.error_file_id) fs.writeFileSync(options.errors, await call('GET', `files/${encodeURIComponent(view.error_file_id)}/content`));
      if (options.output) io.stdout(`${view.request_counts.completed} answers in ${options.output}${options.errors ? `, ${view.request_counts.failed} errors in ${options.errors}` : ''}\n`);
    });
  batch
    .command('cancel <id>')
    .description('cancel a batch: no new requests are sent; those under way finish')
    .action(async (id: string) => {
      const view = await json<BatchView>('POST', `batches/${encodeURIComponent(id)}/cancel`);
      print(view, () => batchTable([view]));
    });

  /** Polls the batch until it ends, drawing done, failed, total, rate and ETA. */
  async function follow(start: BatchView): Promise<BatchView> {
    const bar = new SingleBar({
      format: '{bar} {percentage}% | done {done} failed {failed} of {total} | {rate}/s | ETA {eta_formatted} | {status}',
      stream: io.progress ?? process.stderr,
      etaBuffer: 20,
      // Drawn when the output is a file or a pipe too, a line every few seconds, so that a log shows it.
      noTTYOutput: true,
      notTTYSchedule: 5000,
    });
    const startedAt = Date.now();
    const finished = (view: BatchView) => view.request_counts.completed + view.request_counts.failed;
    const payload = (view: BatchView) => ({
      done: view.request_counts.completed,
      failed: view.request_counts.failed,
      rate: (finished(view) / Math.max(0.001, (Date.now() - startedAt) / 1000)).toFixed(1),
      status: view.status,
    });
    bar.start(start.request_counts.total, finished(start), payload(start));
    let view = start;
    try {
      while (!ENDED.includes(view.status)) {
        await new Promise((resolve) => setTimeout(resolve, io.pollMs ?? 1000));
        view = await json<BatchView>('GET', `batches/${encodeURIComponent(view.id)}`);
        bar.update(finished(view), payload(view));
      }
    } finally {
      bar.stop();
    }
    return view;
  }
}

/** The endpoint of a file's requests: its first request's url (the gateway checks that all agree). */
function endpointOf(content: string): string {
  const first = content.split('\n').find((line) => line.trim() !== '');
  try {
    const url = (JSON.parse(first ?? '') as { url?: unknown }).url;
    if (typeof url === 'string') return url;
  } catch {
    // Not JSON: the upload is refused with the line's number and problem, before the endpoint matters.
  }
  return '/v1/chat/completions';
}

function batchTable(batches: BatchView[]): string {
  const out = new Table({ head: ['ID', 'STATUS', 'ENDPOINT', 'DONE', 'FAILED', 'TOTAL', 'CREATED', 'OUTPUT', 'ERRORS'], style: { head: [], border: [] } });
  out.push(
    ...batches.map((view) => [
      view.id,
      view.status,
      view.endpoint,
      String(view.request_counts.completed),
      String(view.request_counts.failed),
      String(view.request_counts.total),
      new Date(view.created_at * 1000).toISOString(),
      view.output_file_id ?? '-',
      view.error_file_id ?? '-',
    ]),
  );
  return out.toString();
}
