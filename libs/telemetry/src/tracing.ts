// Tracing with @opentelemetry/api. Every process installs a tracer provider, so spans have their own
// ids and the W3C trace context (traceparent) travels in Kafka headers from stage to stage: one request
// is one trace across all six services. Exporting is off unless OTEL_TRACES_EXPORTER says otlp
// (OTEL_EXPORTER_OTLP_* configure where) or console. With nothing to export to, spans are not sampled:
// the ingress's span still gets ids and its context travels, but nothing is recorded (recording cost
// ~10% of a stage's CPU), no context manager tracks the active span, and stages hand the context on as
// it came instead of making spans of their own (see inMessageSpan).
import { context, propagation, trace, INVALID_SPAN_CONTEXT, SpanKind, SpanStatusCode, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOffSampler, BatchSpanProcessor, ConsoleSpanExporter, NodeTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-node';

let provider: NodeTracerProvider | undefined;
let recording = false;

/** Installs tracing for this process; later calls are no-ops. Extra span processors serve tests. */
export function startTracing(serviceName: string, extraProcessors: SpanProcessor[] = []): void {
  if (provider) return;
  const processors: SpanProcessor[] = [...extraProcessors];
  const exporter = (process.env.OTEL_TRACES_EXPORTER || 'none').toLowerCase();
  if (exporter === 'otlp') {
    // Loaded only when used: the OTLP exporter and its HTTP stack are several MB of every process.
    const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
    processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  }
  if (exporter === 'console') processors.push(new BatchSpanProcessor(new ConsoleSpanExporter()));
  recording = processors.length > 0;
  provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': process.env.OTEL_SERVICE_NAME || serviceName }),
    spanProcessors: processors,
    ...(recording ? {} : { sampler: new AlwaysOffSampler() }),
  });
  // The active context (AsyncLocalStorage, a hook on every promise) only nests spans that are recorded;
  // unrecorded spans get their parents explicitly (inSpan, headersForSpan), so it is left out then.
  provider.register({ propagator: new W3CTraceContextPropagator(), ...(recording ? {} : { contextManager: null }) });
}

export async function stopTracing(): Promise<void> {
  await provider?.shutdown();
  // Unregistered too, so that tracing can be started again (the API refuses a second registration).
  trace.disable();
  propagation.disable();
  context.disable();
  provider = undefined;
  recording = false;
}

export function tracer(): Tracer {
  return trace.getTracer('switchyard');
}

/** The trace context carried by a message's headers. */
export function contextFromHeaders(headers: Record<string, string> | undefined): Context {
  if (!headers) return context.active();
  return propagation.extract(context.active(), headers);
}

/** Headers that carry the given span's trace context to the next stage. */
export function headersForSpan(span: Span): Record<string, string> {
  const headers: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), headers);
  return headers;
}

/** Runs `work` in a span that is a child of `parent`, recording a thrown error on the span. */
async function inSpan<T>(name: string, parent: Context, work: (span: Span) => Promise<T>): Promise<T> {
  const span = tracer().startSpan(name, undefined, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
    throw error;
  } finally {
    span.end();
  }
}

const UNRECORDED_SPAN = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * Runs a stage's work on one message. When spans are recorded, the work runs in a child span of the
 * message's trace and `outgoing` carries that span's context. When they are not, making a span only to
 * drop it was a tenth of a stage's allocations: the work gets a span that records nothing and
 * `outgoing` carries the message's own trace context on unchanged, so the request's trace id still
 * reaches every stage.
 */
export function inMessageSpan<T>(
  name: string,
  incoming: Record<string, string> | undefined,
  work: (span: Span, outgoing: Record<string, string>) => Promise<T>,
): Promise<T> {
  if (!recording) return work(UNRECORDED_SPAN, traceHeadersOf(incoming));
  return inSpan(name, contextFromHeaders(incoming), (span) => work(span, headersForSpan(span)));
}

function traceHeadersOf(headers: Record<string, string> | undefined): Record<string, string> {
  const trace: Record<string, string> = {};
  if (headers?.traceparent) trace.traceparent = headers.traceparent;
  if (headers?.tracestate) trace.tracestate = headers.tracestate;
  return trace;
}

/** The trace id a message's traceparent header carries (for its logs), or undefined. */
export function traceIdOf(headers: Record<string, string> | undefined): string | undefined {
  const traceparent = headers?.traceparent;
  // version-traceid-spanid-flags, e.g. 00-<32 hex>-<16 hex>-01
  return traceparent && traceparent.length >= 55 ? traceparent.slice(3, 35) : undefined;
}

/** What OpenTelemetry's GenAI semantic conventions call an operation: gen_ai.operation.name. */
export type GenAiOperation = 'chat' | 'embeddings' | 'moderation' | 'rerank' | 'image_generation' | 'transcription';

/** The operation of each kind of request (RequestKind in @switchyard/contracts). */
export const GEN_AI_OPERATIONS = { chat: 'chat', embed: 'embeddings', moderation: 'moderation', rerank: 'rerank', image_generation: 'image_generation', transcription: 'transcription' } as const satisfies Record<string, GenAiOperation>;

/**
 * A client span for one call to a model provider, after OpenTelemetry's GenAI semantic conventions
 * (named "{operation} {model}"), a child of `parent`. When the parent is not recorded neither is this,
 * and nothing is made.
 */
export function startGenAiSpan(parent: Span, operation: GenAiOperation, provider: string, model: string): Span {
  if (!parent.isRecording()) return UNRECORDED_SPAN;
  return tracer().startSpan(
    `${operation} ${model}`,
    { kind: SpanKind.CLIENT, attributes: { 'gen_ai.operation.name': operation, 'gen_ai.provider.name': provider, 'gen_ai.request.model': model } },
    trace.setSpan(context.active(), parent),
  );
}

export interface GenAiOutcome {
  provider?: string;
  responseModel?: string;
  inputTokens?: number;
  outputTokens?: number;
  finishReasons?: string[];
  /** The error's class, low in cardinality: the gateway's error code. */
  errorType?: string;
  errorMessage?: string;
}

/** Records a GenAI operation's outcome on its span (attributes of the GenAI conventions), if it is recorded. */
export function setGenAiOutcome(span: Span, outcome: GenAiOutcome): void {
  if (!span.isRecording()) return;
  if (outcome.provider) span.setAttribute('gen_ai.provider.name', outcome.provider);
  if (outcome.responseModel) span.setAttribute('gen_ai.response.model', outcome.responseModel);
  if (outcome.inputTokens !== undefined) span.setAttribute('gen_ai.usage.input_tokens', outcome.inputTokens);
  if (outcome.outputTokens !== undefined) span.setAttribute('gen_ai.usage.output_tokens', outcome.outputTokens);
  if (outcome.finishReasons && outcome.finishReasons.length > 0) span.setAttribute('gen_ai.response.finish_reasons', outcome.finishReasons);
  if (outcome.errorType) {
    span.setAttribute('error.type', outcome.errorType);
    span.setStatus({ code: SpanStatusCode.ERROR, message: outcome.errorMessage });
  }
}
