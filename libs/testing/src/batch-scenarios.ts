// The Files and Batch API end to end, through the official openai SDK, for either mode: every request of
// a batch answered once (the upstream counts its calls per custom_id), bad requests in the error file
// with their reasons, cancel, other keys kept out, and a restart mid-batch that repeats nothing.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { createBatchesClient, type BatchesClient } from '@switchyard/client';
import OpenAI, { toFile } from 'openai';
import { eventually } from './waiting';
import type { OpenAIUpstream } from './openai-upstream';
import { httpCall, runSwitchyardCli } from './virtual-keys-scenarios';

export interface BatchScenarioContext {
  httpUrl: string;
  grpcAddress: string;
  /** Two gateway keys of different owners. */
  keys: [string, string];
  /** The admin key (SWITCHYARD_ADMIN_KEY), to make teams and virtual keys. */
  adminKey: string;
  upstream: OpenAIUpstream;
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Stops the gateway (or the service that runs batches) and starts it again; resolves with the new HTTP URL. */
  restart(): Promise<string>;
}

/** The file size limit docs/batch.md states (libs/batch's BATCH_LIMITS.fileBytes, not imported: libs/batch reaches this harness through storage and config, and the import would close a cycle). */
const FILE_LIMIT_BYTES = 50 * 1024 * 1024;

/** The model the scenarios' batches use: served by the counting upstream. */
export const BATCH_MODEL = 'upstream-gpt';

export interface BatchLineOut {
  id: string;
  custom_id: string;
  response: { status_code: number; request_id: string; body: Record<string, unknown> } | null;
  error: { code: string; message: string } | null;
}

export function batchJsonl(prefix: string, count: number, model = BATCH_MODEL): string {
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({ custom_id: `${prefix}-${i}`, method: 'POST', url: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content: `prompt ${prefix}-${i}` }] } }),
  ).join('\n');
}

/** How many times the upstream was asked each prompt of the batch `prefix`. */
export function upstreamCallsPerCustomId(upstream: OpenAIUpstream, prefix: string): Map<string, number> {
  const calls = new Map<string, number>();
  for (const request of upstream.requests) {
    const messages = (request.body.messages as { content: string }[] | undefined) ?? [];
    const content = messages[messages.length - 1]?.content ?? '';
    if (content.startsWith(`prompt ${prefix}-`)) {
      const customId = content.slice('prompt '.length);
      calls.set(customId, (calls.get(customId) ?? 0) + 1);
    }
  }
  return calls;
}

export function describeBatchScenarios(mode: string, context: () => BatchScenarioContext): void {
  const client = (key = context().keys[0], baseURL = `${context().httpUrl}/v1`) => new OpenAI({ baseURL, apiKey: key, maxRetries: 0 });

  async function submit(openai: OpenAI, jsonl: string): Promise<OpenAI.Batches.Batch> {
    const file = await openai.files.create({ file: await toFile(Buffer.from(jsonl), 'prompts.jsonl'), purpose: 'batch' });
    return openai.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
  }

  async function ended(openai: OpenAI, id: string, timeoutMs = 90_000): Promise<OpenAI.Batches.Batch> {
    return eventually(
      async () => {
        const batch = await openai.batches.retrieve(id);
        return ['completed', 'cancelled', 'expired', 'failed'].includes(batch.status) ? batch : undefined;
      },
      `batch ${id} to end`,
      timeoutMs,
      200,
    );
  }

  async function lines(openai: OpenAI, fileId: string | null | undefined): Promise<BatchLineOut[]> {
    const text = await (await openai.files.content(fileId!)).text();
    return text
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as BatchLineOut);
  }

  function expectEachOnce(outcomes: BatchLineOut[], prefix: string, count: number): void {
    const ids = outcomes.map((line) => line.custom_id).sort();
    expect(ids).toEqual(Array.from({ length: count }, (_, i) => `${prefix}-${i}`).sort());
  }

  describe(`batches (${mode})`, () => {
    it('runs a 1,000-request batch: every custom_id in the output once, each asked of the provider once, each with a usage row naming the batch', async () => {
      const openai = client();
      const created = await submit(openai, batchJsonl('big', 1000));
      expect(created).toMatchObject({ object: 'batch', status: 'validating', endpoint: '/v1/chat/completions', completion_window: '24h', request_counts: { total: 1000, completed: 0, failed: 0 } });
      const batch = await ended(openai, created.id);
      expect(batch).toMatchObject({ status: 'completed', request_counts: { total: 1000, completed: 1000, failed: 0 } });
      expect(batch.completed_at).toBeGreaterThanOrEqual(batch.created_at);
      const output = await lines(openai, batch.output_file_id);
      expectEachOnce(output, 'big', 1000);
      expect(output[0]).toMatchObject({ custom_id: 'big-0', error: null, response: { status_code: 200, request_id: `${batch.id}-1` } });
      expect((output[0].response!.body.choices as { message: { content: string } }[])[0].message.content).toBe('upstream says: prompt big-0');
      expect(await lines(openai, batch.error_file_id)).toEqual([]);
      const calls = upstreamCallsPerCustomId(context().upstream, 'big');
      expect(calls.size).toBe(1000);
      expect([...calls.values()].every((n) => n === 1)).toBe(true);
      const rows = await eventually(
        async () => {
          const found = await context().query<{ n: number; ok: number }>(`SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'ok')::int AS ok FROM usage_events WHERE batch_id = $1`, [batch.id]);
          return found[0].n === 1000 ? found[0] : undefined;
        },
        'the batch\'s 1,000 usage rows',
      );
      expect(rows).toEqual({ n: 1000, ok: 1000 });
    });

    it('refuses an upload with a malformed line, naming the line', async () => {
      const jsonl = [batchJsonl('bad-upload', 2), '{"custom_id": "x", "method": "POST"'].join('\n');
      const refused = await client()
        .files.create({ file: await toFile(Buffer.from(jsonl), 'prompts.jsonl'), purpose: 'batch' })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
      expect((refused as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/line 3: not valid JSON/);
      const duplicate = [batchJsonl('dup', 2), batchJsonl('dup', 1)].join('\n');
      const twice = await client()
        .files.create({ file: await toFile(Buffer.from(duplicate), 'prompts.jsonl'), purpose: 'batch' })
        .catch((error: unknown) => error);
      expect((twice as Error).message).toMatch(/line 3: custom_id "dup-0" is used by an earlier line/);
    });

    it('refuses a file over the size limit with 413, and a purpose other than batch', async () => {
      const over = Buffer.alloc(FILE_LIMIT_BYTES + 1, 'a');
      const tooLarge = await client()
        .files.create({ file: await toFile(over, 'big.jsonl'), purpose: 'batch' })
        .catch((error: unknown) => error);
      expect((tooLarge as InstanceType<typeof OpenAI.APIError>).status).toBe(413);
      expect((tooLarge as Error).message).toContain(`the request body is larger than the gateway's limit of ${FILE_LIMIT_BYTES} bytes`);
      const wrongPurpose = await client()
        .files.create({ file: await toFile(Buffer.from(batchJsonl('purpose', 1)), 'p.jsonl'), purpose: 'assistants' })
        .catch((error: unknown) => error);
      expect((wrongPurpose as Error).message).toContain('purpose must be "batch"');
    });

    it('puts the requests the gateway refuses in the error file with their reasons, and the rest in the output', async () => {
      const openai = client();
      const jsonl = [batchJsonl('mixed', 3), JSON.stringify({ custom_id: 'mixed-unknown', method: 'POST', url: '/v1/chat/completions', body: { model: 'no-such-model', messages: [{ role: 'user', content: 'prompt mixed-unknown' }] } })].join('\n');
      const batch = await ended(openai, (await submit(openai, jsonl)).id);
      expect(batch).toMatchObject({ status: 'completed', request_counts: { total: 4, completed: 3, failed: 1 } });
      expectEachOnce(await lines(openai, batch.output_file_id), 'mixed', 3);
      const errors = await lines(openai, batch.error_file_id);
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({ custom_id: 'mixed-unknown', error: null, response: { status_code: 404, body: { error: { code: 'model_not_found' } } } });
      expect((errors[0].response!.body.error as { message: string }).message).toMatch(/no-such-model/);
    });

    it('keeps files and batches to their owner: another key gets 404 for each, and its list is empty of them', async () => {
      const openai = client();
      const batch = await submit(openai, batchJsonl('owned', 2));
      const other = client(context().keys[1]);
      for (const call of [() => other.batches.retrieve(batch.id), () => other.batches.cancel(batch.id), () => other.files.retrieve(batch.input_file_id), () => other.files.content(batch.input_file_id), () => other.files.delete(batch.input_file_id)]) {
        expect(await call().catch((error: unknown) => error)).toBeInstanceOf(OpenAI.NotFoundError);
      }
      expect((await other.batches.list()).data.map((listed) => listed.id)).not.toContain(batch.id);
      expect((await openai.batches.list({ limit: 100 })).data.map((listed) => listed.id)).toContain(batch.id);
      await ended(openai, batch.id);
    });

    it('shares files and batches with the keys of their team: a teammate gets, lists, downloads and cancels them; a key of another team gets 404', async () => {
      // Team names are unique in the store, which a distributed run shares with earlier runs.
      const run = `${mode}-${randomBytes(3).toString('hex')}`;
      const admin = async (route: string, body: object) => {
        const answer = await httpCall(`${context().httpUrl}/admin/v1/${route}`, 'POST', context().adminKey, body);
        expect(answer.status).toBe(201);
        return answer.body;
      };
      await admin('teams', { name: `batch-team-${run}` });
      await admin('teams', { name: `batch-rivals-${run}` });
      const [owner, teammate, outsider] = await Promise.all(
        [['owner', `batch-team-${run}`], ['teammate', `batch-team-${run}`], ['outsider', `batch-rivals-${run}`]].map(async ([name, team]) => (await admin('keys', { name: `${name}-${run}`, team })).key as string),
      );
      const openai = client(owner);
      const batch = await ended(openai, (await submit(openai, batchJsonl('team', 3))).id);
      expect(batch).toMatchObject({ status: 'completed', request_counts: { total: 3, completed: 3, failed: 0 } });

      const mate = client(teammate);
      expect(await mate.batches.retrieve(batch.id)).toMatchObject({ id: batch.id, status: 'completed', output_file_id: batch.output_file_id, request_counts: { total: 3, completed: 3, failed: 0 } });
      expect((await mate.batches.list({ limit: 100 })).data.map((listed) => listed.id)).toContain(batch.id);
      expect(await mate.files.retrieve(batch.input_file_id)).toMatchObject({ id: batch.input_file_id, purpose: 'batch' });
      expectEachOnce(await lines(mate, batch.output_file_id), 'team', 3);
      expect(await lines(mate, batch.error_file_id)).toEqual([]);

      const rival = client(outsider);
      for (const call of [() => rival.batches.retrieve(batch.id), () => rival.batches.cancel(batch.id), () => rival.files.retrieve(batch.input_file_id), () => rival.files.content(batch.output_file_id!), () => rival.files.delete(batch.input_file_id)]) {
        expect(await call().catch((error: unknown) => error)).toBeInstanceOf(OpenAI.NotFoundError);
      }
      expect((await rival.batches.list({ limit: 100 })).data.map((listed) => listed.id)).not.toContain(batch.id);

      // A teammate may cancel the owner's batch, another team may not.
      const running = await submit(openai, batchJsonl('team-cancel', 1000));
      expect(await rival.batches.cancel(running.id).catch((error: unknown) => error)).toBeInstanceOf(OpenAI.NotFoundError);
      expect(['cancelling', 'cancelled']).toContain((await mate.batches.cancel(running.id)).status);
      expect((await ended(openai, running.id)).status).toBe('cancelled');
    });

    it('pages the list as OpenAI does, newest first, with after and limit', async () => {
      const openai = client();
      const all = (await openai.batches.list({ limit: 100 })).data.map((batch) => batch.id);
      expect(all.length).toBeGreaterThanOrEqual(3);
      const first = await openai.batches.list({ limit: 2 });
      expect(first.data.map((batch) => batch.id)).toEqual(all.slice(0, 2));
      expect(first.has_more).toBe(true);
      const second = await openai.batches.list({ limit: 2, after: all[1] });
      expect(second.data.map((batch) => batch.id)).toEqual(all.slice(2, 4));
    });

    it('cancels: no new requests, then cancelled, with every request in exactly one of the two files', async () => {
      const openai = client();
      const created = await submit(openai, batchJsonl('cancel', 1000));
      await eventually(async () => ((await openai.batches.retrieve(created.id)).request_counts!.completed >= 20 ? true : undefined), 'some requests to finish');
      const cancelling = await openai.batches.cancel(created.id);
      expect(['cancelling', 'cancelled']).toContain(cancelling.status);
      const batch = await ended(openai, created.id);
      expect(batch.status).toBe('cancelled');
      expect(batch.cancelled_at).toBeGreaterThanOrEqual(batch.created_at);
      const output = await lines(openai, batch.output_file_id);
      const errors = await lines(openai, batch.error_file_id);
      expectEachOnce([...output, ...errors], 'cancel', 1000);
      expect(batch.request_counts).toEqual({ total: 1000, completed: output.length, failed: errors.length });
      expect(errors.length).toBeGreaterThan(0);
      expect(errors[errors.length - 1]).toMatchObject({ response: null, error: { code: 'batch_cancelled' } });
      // The provider was asked exactly the requests in the output, once each.
      const calls = upstreamCallsPerCustomId(context().upstream, 'cancel');
      expect([...calls.keys()].sort()).toEqual(output.map((line) => line.custom_id).sort());
      expect([...calls.values()].every((n) => n === 1)).toBe(true);
    });

    it('runs a batch from the CLI: submit with progress to the end, status, list, results to a file, and cancel refused once ended', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-batch-cli-'));
      try {
        const env = { SWITCHYARD_URL: context().httpUrl, SWITCHYARD_API_KEY: context().keys[0] };
        fs.writeFileSync(path.join(dir, 'prompts.jsonl'), batchJsonl('cli', 30));
        const submitted = await runSwitchyardCli(['batch', 'submit', path.join(dir, 'prompts.jsonl')], env);
        expect(submitted.stderr).toMatch(/done 30 failed 0 of 30/);
        expect(submitted.code).toBe(0);
        const id = /batch (batch_[0-9a-f]{24}): 30 requests to \/v1\/chat\/completions/.exec(submitted.stdout)![1];
        expect(submitted.stdout).toMatch(new RegExp(`${id}.*completed.*/v1/chat/completions.*30.*0.*30`));
        const status = JSON.parse((await runSwitchyardCli(['--json', 'batch', 'status', id], env)).stdout);
        expect(status).toMatchObject({ id, status: 'completed', request_counts: { total: 30, completed: 30, failed: 0 } });
        const listed = JSON.parse((await runSwitchyardCli(['--json', 'batch', 'list', '--limit', '1'], env)).stdout);
        expect(listed.data.map((batch: { id: string }) => batch.id)).toEqual([id]);
        const results = await runSwitchyardCli(['batch', 'results', id, '-o', path.join(dir, 'out.jsonl'), '--errors', path.join(dir, 'errors.jsonl')], env);
        expect(results.stdout).toContain(`30 answers in ${path.join(dir, 'out.jsonl')}, 0 errors in ${path.join(dir, 'errors.jsonl')}`);
        const output = fs.readFileSync(path.join(dir, 'out.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as BatchLineOut);
        expectEachOnce(output, 'cli', 30);
        expect(fs.readFileSync(path.join(dir, 'errors.jsonl'), 'utf8')).toBe('');
        const cancel = await runSwitchyardCli(['batch', 'cancel', id], env);
        expect(cancel.code).toBe(1);
        expect(cancel.stderr).toContain(`batch ${id} is completed; only a validating or in-progress batch can be cancelled`);
        const refused = await runSwitchyardCli(['batch', 'status', id], { ...env, SWITCHYARD_API_KEY: context().keys[1] });
        expect(refused.stderr).toContain(`no batch "${id}"`);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('runs the same operations over gRPC (aigateway.v1.Batches), owner-only, refusals naming the line', async () => {
      const batchesClient = createBatchesClient(context().grpcAddress);
      const rpc = <T>(method: keyof BatchesClient, request: object, key = context().keys[0]): Promise<T> =>
        new Promise((resolve, reject) => {
          const metadata = new grpc.Metadata();
          metadata.set('authorization', `Bearer ${key}`);
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          (batchesClient as any)[method](request, metadata, { deadline: Date.now() + 20_000 }, (error: grpc.ServiceError | null, response: T) => (error ? reject(error) : resolve(response)));
        });
      try {
        const file = await rpc<{ id: string; purpose: string; bytes: number }>('CreateFile', { purpose: 'batch', filename: 'g.jsonl', content: Buffer.from(batchJsonl('grpc', 5)) });
        expect(file).toMatchObject({ purpose: 'batch', bytes: Buffer.byteLength(batchJsonl('grpc', 5)) });
        const created = await rpc<{ id: string; status: string }>('CreateBatch', { input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { job: 'grpc' } });
        expect(created.status).toBe('validating');
        const batch = await eventually(
          async () => {
            const found = await rpc<{ status: string; output_file_id?: string; request_counts: object; metadata: object }>('GetBatch', { id: created.id });
            return found.status === 'completed' ? found : undefined;
          },
          'the gRPC batch to complete',
        );
        expect(batch).toMatchObject({ request_counts: { total: 5, completed: 5, failed: 0 }, metadata: { job: 'grpc' } });
        const content = await rpc<{ content: Buffer }>('GetFileContent', { id: batch.output_file_id });
        expectEachOnce(content.content.toString('utf8').trim().split('\n').map((line) => JSON.parse(line) as BatchLineOut), 'grpc', 5);
        const other = await rpc('GetBatch', { id: created.id }, context().keys[1]).catch((error: grpc.ServiceError) => error);
        expect((other as grpc.ServiceError).code).toBe(grpc.status.NOT_FOUND);
        const bad = await rpc('CreateFile', { purpose: 'batch', filename: 'b.jsonl', content: Buffer.from(`${batchJsonl('grpc-bad', 1)}\nnot json`) }).catch((error: grpc.ServiceError) => error);
        expect((bad as grpc.ServiceError).code).toBe(grpc.status.INVALID_ARGUMENT);
        expect((bad as grpc.ServiceError).details).toMatch(/^line 2: not valid JSON/);
      } finally {
        batchesClient.close();
      }
    });

    // Last: it restarts the gateway.
    it('resumes a batch after a restart mid-batch, asking the provider nothing twice', async () => {
      const before = client();
      const created = await submit(before, batchJsonl('restart', 1000));
      await eventually(async () => ((await before.batches.retrieve(created.id)).request_counts!.completed >= 100 ? true : undefined), 'a tenth of the batch to finish');
      const httpUrl = await context().restart();
      const after = client(context().keys[0], `${httpUrl}/v1`);
      const batch = await ended(after, created.id);
      expect(batch).toMatchObject({ status: 'completed', request_counts: { total: 1000, completed: 1000, failed: 0 } });
      expectEachOnce(await lines(after, batch.output_file_id), 'restart', 1000);
      const calls = upstreamCallsPerCustomId(context().upstream, 'restart');
      expect(calls.size).toBe(1000);
      expect([...calls.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    });
  });
}
