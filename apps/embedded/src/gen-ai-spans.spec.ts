// Traces of the embedded gateway: one trace a request across every stage, with the provider call as a
// GenAI client span (OpenTelemetry's GenAI semantic conventions).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { parseGatewayConfig } from '@switchyard/config';
import { createLogger, startTracing, stopTracing } from '@switchyard/telemetry';
import { chatOverHttp, e2eConfigYaml, E2E_UPSTREAM_KEY, eventually, startOpenAIUpstream, type OpenAIUpstream } from '@switchyard/testing';
import { startEmbeddedGateway, type EmbeddedGateway } from './embedded-gateway';

jest.setTimeout(60_000);

describe('GenAI spans', () => {
  const exporter = new InMemorySpanExporter();
  let upstream: OpenAIUpstream;
  let gateway: EmbeddedGateway;
  let dataDir: string;

  beforeAll(async () => {
    await stopTracing();
    startTracing('gen-ai-spans-test', [new SimpleSpanProcessor(exporter)]);
    upstream = await startOpenAIUpstream();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-spans-'));
    gateway = await startEmbeddedGateway({
      config: parseGatewayConfig(e2eConfigYaml(upstream.baseUrl)),
      grpcAddress: '127.0.0.1:0',
      httpAddress: '127.0.0.1:0',
      dataDir,
      logger: createLogger('gen-ai-spans-test', 'error'),
      env: { ...process.env, E2E_OPENAI_KEY: E2E_UPSTREAM_KEY },
    });
  });

  afterAll(async () => {
    await gateway?.stop();
    await upstream?.close();
    await stopTracing();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  beforeEach(() => exporter.reset());

  const spansOfTrace = (traceId: string, names: number) =>
    eventually(async () => {
      const spans = exporter.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId);
      return spans.length >= names ? spans : undefined;
    }, `${names} spans of trace ${traceId}`);

  it('records the call as a GenAI client span, in the one trace of the request across every stage', async () => {
    const response = await chatOverHttp(gateway.httpUrl!, 'upstream-gpt', 'trace me');
    expect(response.status).toBe(200);
    const ingress = exporter.getFinishedSpans().find((span) => span.name === 'ingress chat')!;
    const spans = await spansOfTrace(ingress.spanContext().traceId, 7);
    expect(spans.map((span) => span.name).sort()).toEqual(['analytics', 'chat gpt-test', 'guardrail', 'ingress chat', 'metering', 'provider-worker', 'router']);
    expect(ingress.attributes).toMatchObject({
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'upstream-gpt',
      'gen_ai.provider.name': 'openai-e2e',
      'gen_ai.response.model': 'upstream-gpt',
      'gen_ai.usage.input_tokens': 11,
      'gen_ai.usage.output_tokens': 7,
      'gen_ai.response.finish_reasons': ['stop'],
    });
    const call = spans.find((span) => span.name === 'chat gpt-test')!;
    const worker = spans.find((span) => span.name === 'provider-worker')!;
    expect([call.kind, call.parentSpanContext?.spanId]).toEqual([SpanKind.CLIENT, worker.spanContext().spanId]);
    expect(call.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai-e2e',
      'gen_ai.request.model': 'gpt-test',
      'gen_ai.response.model': 'gpt-test',
      'gen_ai.usage.input_tokens': 11,
      'gen_ai.usage.output_tokens': 7,
      'gen_ai.response.finish_reasons': ['stop'],
    });
  });

  it('names the error type of a request that failed', async () => {
    const response = await chatOverHttp(gateway.httpUrl!, 'no-such-model', 'trace my failure');
    expect(response.status).toBe(404);
    const ingress = await eventually(async () => exporter.getFinishedSpans().find((span) => span.name === 'ingress chat'), 'the ingress span');
    expect([ingress.attributes['error.type'], ingress.attributes['gen_ai.request.model'], ingress.status.code]).toEqual(['model_not_found', 'no-such-model', 2]);
  });
});
