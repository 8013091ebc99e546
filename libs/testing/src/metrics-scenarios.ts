// The metrics checks of both modes: what a test sends moves the counters and histograms by exactly
// that much, summed over every process that serves /metrics.
import { e2eConfigYaml, E2E_UPSTREAM_KEY } from './gateway-scenarios';
import { movedBy, scrapeAll, scrapeMetrics, valueOf } from './metrics';
import { startOpenAIUpstream, type OpenAIUpstream } from './openai-upstream';
import { eventually } from './waiting';

export interface GatewayWithMetrics {
  /** The HTTP front door, e.g. http://127.0.0.1:8080 */
  httpUrl: string;
  /** Every /metrics URL of the gateway's processes. */
  metricsUrls: string[];
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  stop(): Promise<void>;
}

export type StartGatewayWithMetrics = (configYaml: string, env: Record<string, string>) => Promise<GatewayWithMetrics>;

const MODEL = 'upstream-gpt';
const PROVIDER = 'openai-e2e';
// What the e2e upstream reports for every call.
const UPSTREAM_USAGE = { input: 11, output: 7, cached: 2 };

export function chatOverHttp(httpUrl: string, model: string, content: string, stream = false): Promise<Response> {
  return fetch(`${httpUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, stream, ...(stream ? { stream_options: { include_usage: true } } : {}), messages: [{ role: 'user', content }] }),
  });
}

export function describeGatewayMetrics(name: string, start: StartGatewayWithMetrics): void {
  describe(`metrics (${name})`, () => {
    let upstream: OpenAIUpstream;
    let gateway: GatewayWithMetrics;

    beforeAll(async () => {
      upstream = await startOpenAIUpstream();
      gateway = await start(e2eConfigYaml(upstream.baseUrl), { E2E_OPENAI_KEY: E2E_UPSTREAM_KEY });
    });

    afterAll(async () => {
      await gateway?.stop();
      await upstream?.close();
    });

    const ok = { model: MODEL, provider: PROVIDER };
    const rowsOf = async (marker: string, count: number) =>
      eventually(async () => {
        const rows = await gateway.query<{ cost_usd: number }>(`SELECT cost_usd FROM usage_events WHERE metadata->>'marker' = $1`, [marker]);
        return rows.length === count ? rows : undefined;
      }, `${count} usage rows marked ${marker}`);

    it('moves counters and histograms by exactly the requests sent', async () => {
      const before = await scrapeAll(gateway.metricsUrls);
      const marker = `metrics-${Date.now()}`;
      const send = (stream: boolean) =>
        fetch(`${gateway.httpUrl}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model: MODEL, stream, metadata: { marker }, ...(stream ? { stream_options: { include_usage: true } } : {}), messages: [{ role: 'user', content: 'count me' }] }),
        }).then(async (response) => [response.status, await response.text()] as const);
      const answers = [...(await Promise.all([send(false), send(false), send(false)])), ...(await Promise.all([send(true), send(true)]))];
      expect(answers.map(([status]) => status)).toEqual([200, 200, 200, 200, 200]);
      const refused = await chatOverHttp(gateway.httpUrl, 'no-such-model', 'count me too');
      expect(refused.status).toBe(404);
      const rows = await rowsOf(marker, 5);

      const series = {
        answered: ['switchyard_requests_total', { ...ok, status: 'ok', error_code: '' }],
        refused: ['switchyard_requests_total', { model: '(other)', status: 'error', error_code: 'model_not_found' }],
        duration: ['switchyard_request_duration_seconds_count', ok],
        durationInf: ['switchyard_request_duration_seconds_bucket', { ...ok, le: '+Inf' }],
        providerCalls: ['switchyard_provider_duration_seconds_count', { ...ok, status: 'ok' }],
        firstChunks: ['switchyard_time_to_first_chunk_seconds_count', ok],
        input: ['switchyard_tokens_total', { ...ok, type: 'input' }],
        output: ['switchyard_tokens_total', { ...ok, type: 'output' }],
        cached: ['switchyard_tokens_total', { ...ok, type: 'cached' }],
        overhead: ['switchyard_gateway_overhead_seconds_count', ok],
        workerEvents: ['switchyard_stage_events_total', { stage: 'provider-worker', outcome: 'handled' }],
        rows: ['switchyard_analytics_rows_written_total', {}],
      } satisfies Record<string, [string, Record<string, string>]>;
      // Analytics counts a row once it is written, which the query above may see first.
      const moved = await eventually(async () => {
        const now = movedBy(before, await scrapeAll(gateway.metricsUrls), series);
        return now.rows >= 6 ? now : undefined;
      }, 'the usage rows counted');
      expect(moved).toEqual({
        answered: 5,
        refused: 1,
        duration: 5,
        durationInf: 5,
        providerCalls: 5,
        firstChunks: 2,
        input: 5 * UPSTREAM_USAGE.input,
        output: 5 * UPSTREAM_USAGE.output,
        cached: 5 * UPSTREAM_USAGE.cached,
        overhead: 5,
        workerEvents: 5,
        rows: 6,
      });
      const after = await scrapeAll(gateway.metricsUrls);
      const cost = valueOf(after, 'switchyard_cost_usd_total', ok) - valueOf(before, 'switchyard_cost_usd_total', ok);
      expect(cost).toBeCloseTo(rows.reduce((total, row) => total + Number(row.cost_usd), 0), 12);
    });

    it('a mistyped model name mints no series of its own', async () => {
      const response = await chatOverHttp(gateway.httpUrl, 'gpt-4o-mistyped-7f3a', 'hello');
      expect(response.status).toBe(404);
      await eventually(async () => {
        const rows = await gateway.query(`SELECT 1 FROM usage_events WHERE model = 'gpt-4o-mistyped-7f3a'`);
        return rows.length === 1 ? rows : undefined;
      }, 'the usage row of the mistyped model');
      const texts = await Promise.all(gateway.metricsUrls.map((url) => fetch(url).then((answer) => answer.text())));
      expect(texts.filter((text) => text.includes('gpt-4o-mistyped-7f3a'))).toEqual([]);
    });

    it('answers a scrape during load, and counts every request of the load', async () => {
      const before = await scrapeAll(gateway.metricsUrls);
      const load = Array.from({ length: 40 }, (_, index) => chatOverHttp(gateway.httpUrl, MODEL, `load ${index}`).then((response) => response.status));
      const during = await scrapeMetrics(gateway.metricsUrls[gateway.metricsUrls.length - 1]);
      expect(during.size).toBeGreaterThan(0);
      expect(await Promise.all(load)).toEqual(Array.from({ length: 40 }, () => 200));
      const after = await scrapeAll(gateway.metricsUrls);
      expect(movedBy(before, after, { answered: ['switchyard_requests_total', { ...ok, status: 'ok' }] })).toEqual({ answered: 40 });
      expect(valueOf(after, 'switchyard_requests_in_flight')).toBe(0);
      expect(valueOf(after, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    });
  });
}
