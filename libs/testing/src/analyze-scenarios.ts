// The Analyze call end to end, in the embedded mode and the distributed one alike: over HTTP (JSON and
// server-sent events) and gRPC (unary and streaming), each task's usage row read back with SQL.
import * as grpc from '@grpc/grpc-js';
import { createGatewayClient, type AiGatewayClient } from '@switchyard/client';
import type { AnalyzeEvent__Output } from '@switchyard/contracts/generated/aigateway/v1/AnalyzeEvent';
import type { AnalyzeRequest } from '@switchyard/contracts/generated/aigateway/v1/AnalyzeRequest';
import type { AnalyzeResponse__Output } from '@switchyard/contracts/generated/aigateway/v1/AnalyzeResponse';
import { E2E_UPSTREAM_KEY } from './gateway-scenarios';
import { startOpenAIUpstream, type OpenAIUpstream } from './openai-upstream';
import { eventually } from './waiting';

export interface AnalyzeGatewayUnderTest {
  grpcAddress: string;
  /** The HTTP front door, e.g. http://127.0.0.1:8080 */
  httpUrl: string;
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  stop(): Promise<void>;
}

export type StartAnalyzeGateway = (configYaml: string, env: Record<string, string>) => Promise<AnalyzeGatewayUnderTest>;

/** The configuration of these scenarios: the built-in mock models, and a local OpenAI-format upstream that holds its answers. */
export function analyzeConfigYaml(upstreamBaseUrl: string): string {
  return `
models:
  - { name: mock-echo, provider: mock, capabilities: [chat, streaming] }
  - { name: mock-vision, provider: mock, capabilities: [chat, streaming, vision] }
  - { name: mock-sentiment, provider: mock }
  - { name: mock-moderation, provider: mock }
  - { name: upstream-gpt, provider: openai-e2e, upstream_model: gpt-test, capabilities: [chat, streaming] }
providers:
  mock: { latency_ms: 0 }
  openai-e2e: { kind: openai, base_url: "${upstreamBaseUrl}", api_key_env: E2E_OPENAI_KEY }
limits: { max_request_bytes: 1048576, default_timeout_ms: 20000 }
pricing:
  openai-e2e/gpt-test: { input_per_mtok: 1.0, output_per_mtok: 2.0 }
`;
}

// A real 1 x 1 PNG.
const PNG_URL = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
const TEXT = 'I love this lamp, the light is wonderful';

interface ResultJson {
  index: number;
  type: string;
  status: string;
  model: string;
  request_id: string;
  output: unknown;
  error: { code: string; message: string; param: string | null; type: string } | null;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  cost_usd: number;
  latency_ms: number;
}

interface AnalyzeJson {
  id: string;
  results: ResultJson[];
  usage: ResultJson['usage'];
  cost_usd: number;
}

interface UsageRow {
  request_id: string;
  analyze_id: string;
  model: string;
  status: string;
  error_code: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: string;
}

export function describeAnalyzeScenarios(mode: string, start: StartAnalyzeGateway): void {
  describe(`Analyze (${mode})`, () => {
    let upstream: OpenAIUpstream;
    let gateway: AnalyzeGatewayUnderTest;
    let client: AiGatewayClient;

    /** The usage rows of an Analyze call, once `count` of them are written, by request id. */
    const rowsOf = async (analyzeId: string, count: number) => {
      const rows = await eventually(async () => {
        const found = await gateway.query<UsageRow>(
          `SELECT request_id, analyze_id, model, status, error_code, prompt_tokens, completion_tokens, cost_usd::text AS cost_usd FROM usage_events WHERE analyze_id = $1`,
          [analyzeId],
        );
        return found.length >= count ? found : undefined;
      }, `${count} usage rows of Analyze call ${analyzeId}`);
      return new Map(rows.map((row) => [row.request_id, row]));
    };

    const post = async (body: unknown) => {
      const response = await fetch(`${gateway.httpUrl}/v1/analyze`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as AnalyzeJson & { error?: { code: string; param: string; message: string } } };
    };

    beforeAll(async () => {
      upstream = await startOpenAIUpstream({ holdAnswers: true });
      gateway = await start(analyzeConfigYaml(upstream.baseUrl), { E2E_OPENAI_KEY: E2E_UPSTREAM_KEY });
      client = createGatewayClient(gateway.grpcAddress);
    });

    afterAll(async () => {
      client?.close();
      upstream?.release();
      await gateway?.stop();
      await upstream?.close();
    });

    it('answers every task of a call with text and an image, in task order, each with its own usage row under the call\'s id', async () => {
      const { status, body } = await post({
        text: TEXT,
        images: [PNG_URL],
        tasks: [{ type: 'sentiment', model: 'mock-sentiment' }, { type: 'describe_image' }, { type: 'moderation' }, { type: 'answer', model: 'mock-echo' }, { type: 'answer', model: 'mock-vision' }],
        metadata: { team: 'search' },
      });
      expect(status).toBe(200);
      expect(body.results.map(({ index, type, status, model, output, error }) => ({ index, type, status, model, output, error }))).toEqual([
        { index: 0, type: 'sentiment', status: 'ok', model: 'mock-sentiment', output: { label: 'positive', score: 1 }, error: null },
        { index: 1, type: 'describe_image', status: 'ok', model: 'mock-vision', output: 'Image 1: a PNG image, 1 x 1 pixels.', error: null },
        { index: 2, type: 'moderation', status: 'ok', model: 'mock-moderation', output: { flagged: false, categories: [] }, error: null },
        // mock-echo has no vision: the answer task sent it the text alone, which it echoes.
        { index: 3, type: 'answer', status: 'ok', model: 'mock-echo', output: TEXT, error: null },
        // mock-vision has: the answer task sent it the image with the text.
        { index: 4, type: 'answer', status: 'ok', model: 'mock-vision', output: 'Image 1: a PNG image, 1 x 1 pixels.', error: null },
      ]);
      const rows = await rowsOf(body.id, 5);
      expect(rows.size).toBe(5);
      for (const result of body.results) {
        expect(rows.get(result.request_id)).toMatchObject({ analyze_id: body.id, model: result.model, status: 'ok', prompt_tokens: result.usage.prompt_tokens, completion_tokens: result.usage.completion_tokens });
        expect(result.usage.total_tokens).toBe(result.usage.prompt_tokens + result.usage.completion_tokens);
      }
      expect(body.usage.total_tokens).toBe(body.results.reduce((sum, result) => sum + result.usage.total_tokens, 0));
    });

    it('answers the other tasks when one fails, and records the failed one too', async () => {
      const { status, body } = await post({ text: TEXT, tasks: [{ type: 'sentiment' }, { type: 'summarize', model: 'no-such-model' }, { type: 'moderation' }] });
      expect(status).toBe(200);
      expect(body.results.map((result) => [result.type, result.status])).toEqual([
        ['sentiment', 'ok'],
        ['summarize', 'error'],
        ['moderation', 'ok'],
      ]);
      expect(body.results[1]).toMatchObject({ model: 'no-such-model', output: null, error: { code: 'model_not_found', type: 'invalid_request_error' }, cost_usd: 0 });
      expect(body.results[0].output).toEqual({ label: 'positive', score: 1 });
      const rows = await rowsOf(body.id, 3);
      expect(rows.get(body.results[1].request_id)).toMatchObject({ analyze_id: body.id, model: 'no-such-model', status: 'error', error_code: 'model_not_found' });
      expect(rows.get(body.results[2].request_id)).toMatchObject({ analyze_id: body.id, status: 'ok' });
    });

    it('runs the tasks in parallel: all of them are at the provider at once, and each is priced on its row', async () => {
      const call = post({ text: 'in parallel', tasks: [{ type: 'answer', model: 'upstream-gpt' }, { type: 'summarize', model: 'upstream-gpt' }, { type: 'translate', model: 'upstream-gpt', target_language: 'French' }] });
      // The upstream holds every answer until released: run one after another, the tasks would never be three at once.
      await eventually(async () => (upstream.inFlight() === 3 ? true : undefined), 'three tasks in flight at the upstream at once');
      upstream.release();
      const { status, body } = await call;
      expect(status).toBe(200);
      expect(body.results.map((result) => [result.status, result.output])).toEqual([
        ['ok', 'upstream says: in parallel'],
        ['ok', 'upstream says: in parallel'],
        ['ok', 'upstream says: in parallel'],
      ]);
      // The upstream reports 11 prompt and 7 completion tokens a call: 11 x $1 + 7 x $2 a million.
      expect(body.results.map((result) => result.cost_usd)).toEqual([0.000025, 0.000025, 0.000025]);
      expect(body.cost_usd).toBe(0.000075);
      const rows = await rowsOf(body.id, 3);
      expect([...rows.values()].map((row) => [row.model, row.prompt_tokens, row.completion_tokens, Number(row.cost_usd)])).toEqual(Array(3).fill(['upstream-gpt', 11, 7, 0.000025]));
    });

    it('streams the results over HTTP as each task finishes, then the totals', async () => {
      const response = await fetch(`${gateway.httpUrl}/v1/analyze`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: TEXT, images: [PNG_URL], stream: true, tasks: [{ type: 'sentiment' }, { type: 'describe_image' }] }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      const events = (await response.text())
        .split('\n\n')
        .filter(Boolean)
        .map((block) => ({ event: /^event: (.+)$/m.exec(block)?.[1], data: JSON.parse(/^data: (.+)$/m.exec(block)![1]) }));
      expect(events.map((event) => event.event)).toEqual(['result', 'result', 'done']);
      const results = events.slice(0, 2).map((event) => event.data as ResultJson);
      expect(results.map((result) => [result.index, result.output]).sort()).toEqual([
        [0, { label: 'positive', score: 1 }],
        [1, 'Image 1: a PNG image, 1 x 1 pixels.'],
      ]);
      const done = events[2].data as AnalyzeJson;
      const rows = await rowsOf(done.id, 2);
      expect(new Set(rows.keys())).toEqual(new Set(results.map((result) => result.request_id)));
    });

    it('refuses a bad request as a whole over HTTP, naming the field, in OpenAI\'s error shape', async () => {
      const { status, body } = await post({ text: TEXT, tasks: [{ type: 'sentiment' }, { type: 'describe_image' }] });
      expect(status).toBe(400);
      expect(body.error).toMatchObject({ code: 'invalid_request', param: 'tasks[1].type', message: 'tasks[1].type is describe_image, but the request has no images' });
    });

    it('answers Analyze and AnalyzeStream over gRPC, outputs as JSON text', async () => {
      const request: AnalyzeRequest = { text: TEXT, images: [PNG_URL], tasks: [{ type: 'sentiment' }, { type: 'describe_image' }, { type: 'answer', model: 'no-such-model' }] };
      const response = await new Promise<AnalyzeResponse__Output>((resolve, reject) =>
        client.Analyze(request, { deadline: Date.now() + 20_000 }, (error, answer) => (error ? reject(error) : resolve(answer!))),
      );
      expect(response.results.map((result) => [result.index, result.status, result.output_json, result.error?.code ?? null])).toEqual([
        [0, 'ok', '{"label":"positive","score":1}', null],
        [1, 'ok', '"Image 1: a PNG image, 1 x 1 pixels."', null],
        [2, 'error', '', 'model_not_found'],
      ]);
      expect((await rowsOf(response.id, 3)).size).toBe(3);

      const events = await new Promise<AnalyzeEvent__Output[]>((resolve, reject) => {
        const received: AnalyzeEvent__Output[] = [];
        const call = client.AnalyzeStream({ text: TEXT, tasks: [{ type: 'sentiment' }, { type: 'moderation' }] }, { deadline: Date.now() + 20_000 });
        call.on('data', (event: AnalyzeEvent__Output) => received.push(event));
        call.on('error', reject);
        call.on('end', () => resolve(received));
      });
      expect(events.map((event) => event.event)).toEqual(['result', 'result', 'done']);
      expect(events.slice(0, 2).map((event) => [event.result!.type, event.result!.output_json]).sort()).toEqual([
        ['moderation', '{"flagged":false,"categories":[]}'],
        ['sentiment', '{"label":"positive","score":1}'],
      ]);
      expect((await rowsOf(events[2].done!.id, 2)).size).toBe(2);
    });

    it('refuses a bad request as a whole over gRPC with INVALID_ARGUMENT and the gateway\'s code', async () => {
      const error = await new Promise<grpc.ServiceError>((resolve, reject) =>
        client.Analyze({ text: TEXT, tasks: [{ type: 'translate' }] }, { deadline: Date.now() + 20_000 }, (failure) => (failure ? resolve(failure) : reject(new Error('expected the call to fail')))),
      );
      expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(error.details).toBe('tasks[0].target_language is required for translate');
      expect(error.metadata.get('switchyard-error-code')).toEqual(['invalid_request']);
    });
  });
}
