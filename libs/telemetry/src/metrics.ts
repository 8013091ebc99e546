// Prometheus metrics, with prom-client for the registry, the text format and Node's process metrics.
// Counters and histograms on the request path are kept here instead of in prom-client's own classes:
// those hash their label object on every update (1-3 µs each, a dozen updates a request), where a
// label key looked up in a Map costs a few tens of nanoseconds. prom-client reads them at scrape time.
// Every label is bounded: a model is one the configuration names (configureMetrics), other values are
// kept up to a fixed number of distinct ones, and what is beyond is folded into OTHER_LABEL.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { Logger } from './logger';

/** The value a label takes for what it may not name: a model not configured, a value past the bound. */
export const OTHER_LABEL = '(other)';

// Distinct values a label other than the model keeps before it folds the rest: providers, error codes,
// stages, topics and breaker targets come from the code and configuration, far fewer than this.
const MAX_LABEL_VALUES = 200;

class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(private readonly limit = MAX_LABEL_VALUES) {}

  of(value: string): string {
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.limit) return OTHER_LABEL;
    this.seen.add(value);
    return value;
  }
}

type LabelValues = readonly string[];

interface MetricValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** A counter whose values are read at scrape time; `inc` takes label values in labelNames order. */
export class FastCounter {
  private readonly cells = new Map<string, { labels: LabelValues; value: number }>();
  readonly type = 'counter';

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
  ) {}

  inc(labels: LabelValues, by = 1): void {
    const key = labels.join('\u001f');
    const cell = this.cells.get(key);
    if (cell) cell.value += by;
    else this.cells.set(key, { labels, value: by });
  }

  get(): { name: string; help: string; type: string; values: MetricValue[]; aggregator: 'sum' } {
    const values = [...this.cells.values()].map((cell) => ({ labels: labelObject(this.labelNames, cell.labels), value: cell.value }));
    return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' };
  }
}

/** A histogram whose buckets are read at scrape time; `observe` takes label values in labelNames order. */
export class FastHistogram {
  private readonly cells = new Map<string, { labels: LabelValues; counts: Float64Array; sum: number; count: number }>();
  readonly type = 'histogram';

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    private readonly buckets: readonly number[],
  ) {}

  observe(labels: LabelValues, value: number): void {
    const key = labels.join('\u001f');
    let cell = this.cells.get(key);
    if (!cell) this.cells.set(key, (cell = { labels, counts: new Float64Array(this.buckets.length), sum: 0, count: 0 }));
    let bucket = 0;
    while (bucket < this.buckets.length && value > this.buckets[bucket]) bucket++;
    if (bucket < this.buckets.length) cell.counts[bucket]++;
    cell.sum += value;
    cell.count++;
  }

  get(): { name: string; help: string; type: string; values: MetricValue[]; aggregator: 'sum' } {
    const values: MetricValue[] = [];
    for (const cell of this.cells.values()) {
      const labels = labelObject(this.labelNames, cell.labels);
      let cumulative = 0;
      this.buckets.forEach((bound, index) => {
        cumulative += cell.counts[index];
        values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: bound }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: '+Inf' }, value: cell.count });
      values.push({ metricName: `${this.name}_sum`, labels, value: cell.sum });
      values.push({ metricName: `${this.name}_count`, labels, value: cell.count });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' };
  }
}

function labelObject(names: readonly string[], values: LabelValues): Record<string, string> {
  const labels: Record<string, string> = {};
  names.forEach((name, index) => (labels[name] = values[index]));
  return labels;
}

// OpenTelemetry's GenAI buckets for gen_ai.client.operation.duration: a call takes from milliseconds to minutes.
const CALL_SECONDS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
// The gateway's own work on a request, a stage's on an event, a publish: well under a second.
const WORK_SECONDS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** A breaker's state as a number: what a gauge can hold and a graph can draw. */
export const BREAKER_STATE_VALUES = { closed: 0, probe: 1, open: 2 } as const;

export interface ConsumerLag {
  group: string;
  topic: string;
  partition: number;
  lag: number;
}

/** Every metric the gateway records. One instance a process (gatewayMetrics). */
export class GatewayMetrics {
  readonly registry = new Registry();
  /** True when METRICS_KEY_LABEL=true: requests, tokens and cost are also labelled by api_key_id. */
  readonly keyLabel: boolean;
  private models = new Set<string>();
  private readonly providers = new BoundedLabel();
  private readonly errorCodes = new BoundedLabel();
  private readonly keys = new BoundedLabel();
  private readonly stages = new BoundedLabel();
  private readonly topics = new BoundedLabel();
  private readonly targets = new BoundedLabel();

  readonly requests: FastCounter;
  readonly requestDuration: FastHistogram;
  readonly providerDuration: FastHistogram;
  readonly timeToFirstChunk: FastHistogram;
  readonly overhead: FastHistogram;
  readonly tokens: FastCounter;
  readonly cost: FastCounter;
  readonly retries: FastCounter;
  readonly fallbacks: FastCounter;
  readonly limitRefusals: FastCounter;
  readonly guardrailFindings: FastCounter;
  readonly stageEvents: FastCounter;
  readonly stageDuration: FastHistogram;
  readonly deadLetters: FastCounter;
  readonly publishDuration: FastHistogram;
  readonly rowsWritten: FastCounter;
  readonly databaseErrors: FastCounter;
  readonly responseCacheOutcomes: FastCounter;
  private readonly lag: Gauge;
  private inFlightSources: (() => number)[] = [];
  private breakerSources: (() => { target: string; health: keyof typeof BREAKER_STATE_VALUES }[])[] = [];
  private readonly breakerTargets = new Set<string>();

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.keyLabel = env.METRICS_KEY_LABEL === 'true';
    const key = this.keyLabel ? ['key'] : [];
    const add = <M extends FastCounter | FastHistogram>(metric: M): M => {
      this.registry.registerMetric(metric as never);
      return metric;
    };
    this.requests = add(new FastCounter('switchyard_requests_total', 'Requests answered, by the status the caller got.', ['model', 'provider', 'status', 'error_code', ...key]));
    this.requestDuration = add(new FastHistogram('switchyard_request_duration_seconds', 'Time from receiving a request to answering it, as the caller saw it.', ['model', 'provider'], CALL_SECONDS));
    this.providerDuration = add(new FastHistogram('switchyard_provider_duration_seconds', 'Time of one provider call, retries each counted.', ['model', 'provider', 'status'], CALL_SECONDS));
    this.timeToFirstChunk = add(new FastHistogram('switchyard_time_to_first_chunk_seconds', 'Time from a streamed provider call to its first chunk.', ['model', 'provider'], CALL_SECONDS));
    this.overhead = add(new FastHistogram('switchyard_gateway_overhead_seconds', "The gateway's own time on a request: from receiving it to metering it, less the time of the provider call that answered it.", ['model', 'provider'], WORK_SECONDS));
    this.tokens = add(new FastCounter('switchyard_tokens_total', 'Tokens metered; cached is the part of input the provider served from its cache.', ['model', 'provider', 'type', ...key]));
    this.cost = add(new FastCounter('switchyard_cost_usd_total', 'Cost metered, in US dollars.', ['model', 'provider', ...key]));
    this.retries = add(new FastCounter('switchyard_provider_retries_total', 'Provider calls tried again on the same target after a failure.', ['model', 'provider']));
    this.fallbacks = add(new FastCounter('switchyard_provider_fallbacks_total', 'Requests moved on from a failed target to the next; provider is the one left.', ['model', 'provider']));
    this.limitRefusals = add(new FastCounter('switchyard_limit_refusals_total', "Requests the limits check refused, by the limit (rpm, tpm, max_concurrent, budget) and whose it was (key, team).", ['limit', 'holder']));
    // Rule names come from the configuration, entities and actions from the guardrails' closed sets: bounded labels.
    this.guardrailFindings = add(new FastCounter('switchyard_guardrail_findings_total', 'Values the guardrails found, by rule, entity, action (mask, block, flag) and direction (input, output); never the values.', ['rule', 'entity', 'action', 'direction']));
    this.stageEvents = add(new FastCounter('switchyard_stage_events_total', 'Events a stage took from its topic, by outcome (handled, failed, dead_lettered).', ['stage', 'outcome']));
    this.stageDuration = add(new FastHistogram('switchyard_stage_duration_seconds', 'Time a stage spent on an event, publishing its outputs included.', ['stage'], WORK_SECONDS));
    this.deadLetters = add(new FastCounter('switchyard_dead_letters_total', 'Events dead-lettered, by the stage that could not handle them.', ['stage']));
    this.publishDuration = add(new FastHistogram('switchyard_bus_publish_duration_seconds', 'Time from publishing to Kafka acknowledging it; reply topics are one topic, replies.', ['topic'], WORK_SECONDS));
    this.rowsWritten = add(new FastCounter('switchyard_analytics_rows_written_total', 'Usage rows analytics wrote (a redelivered row that was already written is not counted).', []));
    this.responseCacheOutcomes = add(new FastCounter('switchyard_response_cache_total', 'Response cache outcomes of requests to cached models (hit, semantic_hit, miss, bypass), and operations its store could not serve (unavailable).', ['outcome']));
    this.databaseErrors = add(new FastCounter('switchyard_analytics_database_errors_total', 'Failed writes of usage rows: transient (retried) or refused (the row is written sanitised).', ['kind']));

    const inFlight: Gauge = new Gauge({
      name: 'switchyard_requests_in_flight',
      help: 'Requests received and not yet answered.',
      registers: [this.registry],
      collect: () => inFlight.set(this.inFlightSources.reduce((total, source) => total + source(), 0)),
    });
    const breakerState: Gauge = new Gauge({
      name: 'switchyard_breaker_state',
      help: 'Circuit breaker of each target (provider/upstream_model): 0 closed, 1 probing, 2 open.',
      labelNames: ['target'],
      registers: [this.registry],
      collect: () => {
        const now = new Map<string, number>();
        for (const source of this.breakerSources) for (const { target, health } of source()) now.set(this.targets.of(target), BREAKER_STATE_VALUES[health]);
        for (const target of now.keys()) this.breakerTargets.add(target);
        for (const target of this.breakerTargets) breakerState.set({ target }, now.get(target) ?? BREAKER_STATE_VALUES.closed);
      },
    });
    this.lag = new Gauge({
      name: 'switchyard_kafka_consumer_lag',
      help: "Messages of a partition not yet committed by a consumer group: the partition's end offset less the group's committed offset.",
      labelNames: ['group', 'topic', 'partition'],
      registers: [this.registry],
    });
    collectDefaultMetrics({ register: this.registry });
  }

  /** The models the configuration names: the only values the model label takes besides OTHER_LABEL. */
  configure(settings: { models: readonly string[] }): void {
    this.models = new Set(settings.models);
  }

  model(name: string): string {
    return this.models.has(name) ? name : OTHER_LABEL;
  }

  provider(name: string | null | undefined): string {
    return name ? this.providers.of(name) : '';
  }

  /** Ingress: a request answered (or failed) as the caller saw it. */
  requestAnswered(model: string, provider: string | undefined, status: string, errorCode: string | undefined, keyId: string, seconds: number): void {
    const modelLabel = this.model(model);
    const providerLabel = this.provider(provider);
    const labels = [modelLabel, providerLabel, status, errorCode ? this.errorCodes.of(errorCode) : ''];
    if (this.keyLabel) labels.push(this.keys.of(keyId));
    this.requests.inc(labels);
    this.requestDuration.observe([modelLabel, providerLabel], seconds);
  }

  /** Provider-worker: one provider call; `firstChunkSeconds` when it streamed a chunk. */
  providerCalled(model: string, provider: string, ok: boolean, seconds: number, firstChunkSeconds?: number): void {
    const modelLabel = this.model(model);
    const providerLabel = this.provider(provider);
    this.providerDuration.observe([modelLabel, providerLabel, ok ? 'ok' : 'error'], seconds);
    if (firstChunkSeconds !== undefined) this.timeToFirstChunk.observe([modelLabel, providerLabel], firstChunkSeconds);
  }

  /** Provider-worker: what the response cache did for a request, or `unavailable` for an operation its store could not serve. */
  responseCache(outcome: 'hit' | 'semantic_hit' | 'miss' | 'bypass' | 'unavailable'): void {
    this.responseCacheOutcomes.inc([outcome]);
  }

  /** Metering: what a request used and cost, and the gateway's own time on it. */
  metered(model: string, provider: string | null, keyId: string, usage: { input: number; output: number; cached: number; costUsd: number }, overheadSeconds: number): void {
    const modelLabel = this.model(model);
    const providerLabel = this.provider(provider);
    const key = this.keyLabel ? [this.keys.of(keyId)] : [];
    if (usage.input > 0) this.tokens.inc([modelLabel, providerLabel, 'input', ...key], usage.input);
    if (usage.output > 0) this.tokens.inc([modelLabel, providerLabel, 'output', ...key], usage.output);
    if (usage.cached > 0) this.tokens.inc([modelLabel, providerLabel, 'cached', ...key], usage.cached);
    if (usage.costUsd > 0) this.cost.inc([modelLabel, providerLabel, ...key], usage.costUsd);
    if (provider) this.overhead.observe([modelLabel, providerLabel], overheadSeconds);
  }

  stage(name: string): string {
    return this.stages.of(name);
  }

  /** A bus topic as a label: the ingress instances' reply topics are one value, `replies`. */
  topic(name: string, replyTopicPrefixes: readonly string[]): string {
    // A loop, not some(): this runs for every message published.
    for (const prefix of replyTopicPrefixes) if (name.startsWith(prefix)) return 'replies';
    return this.topics.of(name);
  }

  /** Adds a count of requests in flight (the ingress's calls waiting for their answer). */
  countInFlight(source: () => number): void {
    this.inFlightSources.push(source);
  }

  /** Adds a source of breaker states: the targets whose breaker is not closed. */
  watchBreakers(source: () => { target: string; health: keyof typeof BREAKER_STATE_VALUES }[]): void {
    this.breakerSources.push(source);
  }

  /** Replaces the consumer lag with the latest poll's. */
  setConsumerLag(lags: readonly ConsumerLag[]): void {
    this.lag.reset();
    for (const { group, topic, partition, lag } of lags) this.lag.set({ group, topic, partition: String(partition) }, lag);
  }

  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

let instance: GatewayMetrics | undefined;

/** This process's metrics, made on first use. */
export function gatewayMetrics(): GatewayMetrics {
  return (instance ??= new GatewayMetrics());
}

export interface RunningMetricsServer {
  /** e.g. http://127.0.0.1:9464/metrics */
  url: string;
  stop(): Promise<void>;
}

/** Serves this process's metrics at GET /metrics on `address` (host:port; port 0 for any free one). */
export async function serveMetrics(address: string, logger: Logger): Promise<RunningMetricsServer> {
  const colon = address.lastIndexOf(':');
  const host = address.slice(0, colon).replace(/^\[|\]$/g, '') || '0.0.0.0';
  const port = Number(address.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`METRICS_ADDR ${JSON.stringify(address)} is not host:port (e.g. 127.0.0.1:9464)`);
  const server = http.createServer((req, res) => {
    if ((req.url ?? '').split('?')[0] !== '/metrics' || req.method !== 'GET') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics is served here\n');
      return;
    }
    gatewayMetrics()
      .exposition()
      .then(({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body))
      .catch((error) => {
        logger.error('could not collect metrics', { error });
        res.writeHead(500, { 'content-type': 'text/plain' }).end('metrics could not be collected\n');
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}/metrics`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
