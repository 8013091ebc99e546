// Tracing with @opentelemetry/api. Every process installs a tracer provider, so spans have their own
// ids and the W3C trace context (traceparent) travels in Kafka headers from stage to stage: one request
// is one trace across all six services. Exporting is off unless OTEL_TRACES_EXPORTER says otlp
// (OTEL_EXPORTER_OTLP_* configure where) or console. With nothing to export to, spans are not sampled:
// the ingress's span still gets ids and its context travels, but nothing is recorded (recording cost
// ~10% of a stage's CPU), no context manager tracks the active span, and stages hand the context on as
// it came instead of making spans of their own (see inMessageSpan).
import { context, propagation, trace, INVALID_SPAN_CONTEXT, SpanStatusCode, type Context, type Span, type Tracer } from '@opentelemetry/api';
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
