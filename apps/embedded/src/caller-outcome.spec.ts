// A caller and its usage row agree when the pipeline's answer does not reach the caller: the provider
// answered (and billed), but the answer came after the deadline, or after the caller had gone.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { createGatewayClient } from '@switchyard/client';
import { parseGatewayConfig } from '@switchyard/config';
import { TOPICS } from '@switchyard/contracts';
import { createLogger } from '@switchyard/telemetry';
import { chat, eventually, startOpenAIUpstream, type OpenAIUpstream } from '@switchyard/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway';

jest.setTimeout(60_000);

// Long enough for a request to reach the provider, short enough to wait for the 504.
const TIMEOUT_MS = 3000;

function configYaml(upstreamUrl: string): string {
  return `
models:
  - { name: upstream-gpt, provider: openai-e2e, upstream_model: gpt-test, capabilities: [chat, streaming] }
providers:
  openai-e2e: { kind: openai, base_url: "${upstreamUrl}", api_key_env: E2E_OPENAI_KEY }
limits: { max_request_bytes: 65536, default_timeout_ms: ${TIMEOUT_MS} }
pricing:
  openai-e2e/gpt-test: { input_per_mtok: 1.0, output_per_mtok: 2.0, cached_input_per_mtok: 0.5 }
`;
}

// What the test upstream bills for every answer: 11 prompt tokens (2 cached) and 7 completion tokens.
const BILLED = { prompt_tokens: 11, completion_tokens: 7, cost_usd: '0.0000240000' };

describe('usage rows of answers the caller did not get (embedded)', () => {
  let gateway: EmbeddedGateway;
  let upstream: OpenAIUpstream;
  let dataDir: string;

  beforeAll(async () => {
    upstream = await startOpenAIUpstream();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-outcome-'));
    gateway = await startEmbeddedGateway({
      config: parseGatewayConfig(configYaml(upstream.baseUrl)),
      grpcAddress: '127.0.0.1:0',
      httpAddress: '127.0.0.1:0',
      dataDir,
      logger: createLogger('caller-outcome-test', 'error'),
      env: { ...process.env, E2E_OPENAI_KEY: 'sk-upstream' },
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /**
   * Holds the provider-worker's completions on their way to metering, as a metering that lags behind
   * would: the provider has answered, and the caller's answer waits. Returns the release.
   */
  function holdCompletions(): () => void {
    const { bus } = gateway;
    const publish = bus.publish.bind(bus);
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    bus.publish = async (topic, messages) => {
      if (topic === TOPICS.completions) await released;
      return publish(topic, messages);
    };
    return () => {
      bus.publish = publish;
      release();
    };
  }

  /** The rows of the request tagged `tag` in its metadata, once metering's part has been written. */
  const rowsTagged = (tag: string) =>
    eventually(async () => {
      const rows = (
        await gateway.db.query(
          `SELECT status, error_code, stream, prompt_tokens, completion_tokens, cost_usd, metered, caller_outcome FROM usage_events WHERE metadata->>'case' = $1`,
          [tag],
        )
      ).rows;
      return rows.length > 0 ? rows : undefined;
    }, `the usage row of ${tag}`);

  // Regression: callers got 504 and their rows said ok.
  it('records a provider answer that came after the deadline as the deadline the caller got, with the tokens and cost billed', async () => {
    const release = holdCompletions();
    const client = createGatewayClient(`127.0.0.1:${gateway.port}`);
    const [http, rpc] = await Promise.all([
      fetch(`${gateway.httpUrl}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'upstream-gpt', messages: [{ role: 'user', content: 'too late' }], metadata: { case: 'late-http' } }),
      }),
      chat(client, { model: 'upstream-gpt', messages: [{ role: 'user', content: 'too late' }], metadata: { case: 'late-grpc' } }, TIMEOUT_MS).then(
        () => undefined,
        (error: grpc.ServiceError) => error,
      ),
    ]);
    client.close();
    expect(http.status).toBe(504);
    expect(((await http.json()) as { error: { code: string } }).error.code).toBe('deadline_exceeded');
    expect(rpc?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(upstream.requests).toHaveLength(2);
    release();

    const late = { status: 'error', error_code: 'deadline_exceeded', stream: false, ...BILLED, metered: true, caller_outcome: true };
    expect(await rowsTagged('late-http')).toEqual([late]);
    expect(await rowsTagged('late-grpc')).toEqual([late]);
  });

  it('records a stream whose caller left before its end as cancelled, with the tokens and cost billed', async () => {
    const cancelled: unknown[] = [];
    await gateway.bus.subscribe({ topic: TOPICS.cancellations, group: 'test-cancellations', handleBatch: async (messages) => void cancelled.push(...messages) });
    const release = holdCompletions();
    const controller = new AbortController();
    const response = await fetch(`${gateway.httpUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'upstream-gpt', stream: true, messages: [{ role: 'user', content: 'leaving early' }], metadata: { case: 'left-stream' } }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toMatch(/^data: .*"content":"upstream"/);
    controller.abort();
    // Once the gateway has seen the caller go, the held answer may come: it finds nobody to write to.
    await eventually(async () => (cancelled.length > 0 ? cancelled : undefined), 'the cancellation');
    release();

    expect(await rowsTagged('left-stream')).toEqual([
      { status: 'cancelled', error_code: 'cancelled', stream: true, ...BILLED, metered: true, caller_outcome: true },
    ]);
  });

  it('adds no caller outcome to a call answered in time', async () => {
    const response = await fetch(`${gateway.httpUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'upstream-gpt', messages: [{ role: 'user', content: 'in time' }], metadata: { case: 'in-time' } }),
    });
    expect(response.status).toBe(200);
    expect(await rowsTagged('in-time')).toEqual([{ status: 'ok', error_code: null, stream: false, ...BILLED, metered: true, caller_outcome: false }]);
  });
});
