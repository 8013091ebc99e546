// `npx tsx bench/src/metrics-cost.ts [--requests=1000000]`: the CPU the metrics and (unrecorded) spans
// add to one request of the embedded gateway, measured in-process: the calls one request makes (the
// ingress's answer, four stages' events, the provider call, metering), repeated, timed with
// process.cpuUsage. Independent of how loaded the machine is, unlike CPU per request under load.
import { gatewayMetrics, setGenAiOutcome, startGenAiSpan, traceIdOf } from '@switchyard/telemetry';
import { INVALID_SPAN_CONTEXT, trace } from '@opentelemetry/api';

const requests = Number(process.argv.find((arg) => arg.startsWith('--requests='))?.split('=')[1] ?? 1_000_000);
const metrics = gatewayMetrics();
metrics.configure({ models: ['bench-gpt'] });
const unrecorded = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
const stages = ['router', 'guardrail', 'provider-worker', 'metering'].map((stage) => {
  const label = metrics.stage(stage);
  return { handled: [label, 'handled'] as const, stage: [label] as const };
});
const headers = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00' };

function oneRequest(): void {
  const startedAt = performance.now();
  for (const stage of stages) {
    const stageStart = performance.now();
    metrics.stageEvents.inc(stage.handled);
    metrics.stageDuration.observe(stage.stage, (performance.now() - stageStart) / 1000);
  }
  const span = startGenAiSpan(unrecorded, 'chat', 'openai', 'gpt-4o-mini');
  metrics.providerCalled('bench-gpt', 'openai', true, 0.012);
  setGenAiOutcome(span, { inputTokens: 11, outputTokens: 7 });
  metrics.metered('bench-gpt', 'openai', 'key_0123456789abcdef', { input: 11, output: 7, cached: 2, costUsd: 0.0000123 }, 0.0004);
  metrics.requestAnswered('bench-gpt', 'openai', 'ok', undefined, 'key_0123456789abcdef', (performance.now() - startedAt) / 1000);
  if (unrecorded.isRecording()) traceIdOf(headers);
}

for (let warm = 0; warm < 100_000; warm++) oneRequest();
const before = process.cpuUsage();
for (let index = 0; index < requests; index++) oneRequest();
const used = process.cpuUsage(before);
const perRequestUs = (used.user + used.system) / requests;
console.log(`metrics and unrecorded spans: ${perRequestUs.toFixed(3)} µs of CPU per request (${requests} requests)`);
