// The issue's targets checked against one run's figures, and the markdown report. Added latency is the
// endpoint's latency minus the direct-to-mock latency of the same phase, percentile by percentile.
import type { BenchResults, GroupResult } from './main';
import type { EndpointResult } from './measure';
import { SCALE_OUT_FLOOR } from './scale-out';
import { round } from './stats';
import { DISTRIBUTED_SERVICES, ROUTED_MODELS } from './systems';

/** What routing may add to a request's CPU over a model of one target (issue 14). */
const ROUTING_CPU_LIMIT_MS = 0.05;
/** The share of a core an instance is planned to use, leaving room for bursts and a failover. */
const PLANNED_CORE_SHARE = 0.7;

export interface TargetCheck {
  area: string;
  target: string;
  value: number | null;
  limit: number | null;
  unit: string;
  /** null when a figure it needs was not measured in this run, or does not settle the target. */
  met: boolean | null;
}

type Phase = 'concurrency1' | 'reference' | 'firstChunk';

function endpoint(results: BenchResults, group: GroupResult['name'], id: string): EndpointResult | undefined {
  return results.groups.find((g) => g.name === group)?.endpoints.find((e) => e.id === id && !e.error);
}

function phaseValue(result: EndpointResult | undefined, phase: Phase, q: 'p50' | 'p99'): number | undefined {
  if (!result) return undefined;
  if (phase === 'concurrency1') return result.concurrency1?.latency[q];
  if (phase === 'reference') return result.reference?.excess[q];
  return result.firstChunk?.firstChunk[q];
}

/** The endpoint's latency over the direct-to-mock latency in the same group and phase. */
export function added(results: BenchResults, group: GroupResult['name'], id: string, phase: Phase, q: 'p50' | 'p99'): number | undefined {
  const through = phaseValue(endpoint(results, group, id), phase, q);
  const direct = phaseValue(endpoint(results, group, 'direct (mock)'), phase, q);
  return through === undefined || direct === undefined ? undefined : through - direct;
}

export function checkTargets(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const check = (area: string, target: string, unit: string, value: number | undefined, limit: number | undefined, atMost: boolean) => {
    // Two rates of zero (neither held the lowest step) say nothing about their ratio.
    const known = value !== undefined && limit !== undefined && Number.isFinite(value) && Number.isFinite(limit) && !(value === 0 && limit === 0);
    checks.push({ area, target, unit, value: value ?? null, limit: limit ?? null, met: known ? (atMost ? value! <= limit! : value! >= limit!) : null });
  };
  const times = (factor: number, value: number | undefined) => (value === undefined ? undefined : factor * value);
  const cpu = (group: GroupResult['name'], id: string) => endpoint(results, group, id)?.reference?.cpuMsPerRequest;
  const maxRate = (group: GroupResult['name'], id: string) => endpoint(results, group, id)?.maxRate;
  // "At least `factor` times another endpoint's highest rate". One that held none of its ladder held
  // less than the lowest rate it tried, so `factor` times that rate bounds the limit from above: a
  // rate at or over the bound meets the target, one under it cannot be judged.
  const rateCheck = (area: string, target: string, group: GroupResult['name'], id: string, factor: number, otherId: string) => {
    const value = maxRate(group, id);
    const other = endpoint(results, group, otherId);
    const lowestTried = other?.ladder.length ? Math.min(...other.ladder.map((step) => step.targetRate)) : undefined;
    if (other?.maxRate !== 0 || lowestTried === undefined || value === undefined) return check(area, target, 'rps', value, times(factor, other?.maxRate), false);
    const bound = factor * lowestTried;
    checks.push({ area, target: `${target} (${otherId} held no rate: under ${lowestTried} rps)`, unit: 'rps', value, limit: bound, met: value >= bound ? true : null });
  };

  const http = 'switchyard-embedded/http';
  check('embedded HTTP', 'added latency p50 at concurrency 1 <= 2x the HTTP floor', 'ms', added(results, 'embedded', http, 'concurrency1', 'p50'), times(2, added(results, 'embedded', 'floor/http', 'concurrency1', 'p50')), true);
  check('embedded HTTP', 'added latency p99 at concurrency 1 <= 2x the HTTP floor', 'ms', added(results, 'embedded', http, 'concurrency1', 'p99'), times(2, added(results, 'embedded', 'floor/http', 'concurrency1', 'p99')), true);
  check('embedded HTTP', 'CPU per request <= 2x the HTTP floor', 'ms', cpu('embedded', http), times(2, cpu('embedded', 'floor/http')), true);
  rateCheck('embedded HTTP', 'highest rate with p99 < 5 ms >= 1/2 the HTTP floor', 'embedded', http, 0.5, 'floor/http');
  rateCheck('embedded HTTP', "throughput >= 4x Portkey's", 'embedded', http, 4, 'portkey/http');
  check('embedded HTTP', "added p99 at concurrency 1 <= 1/4 of Portkey's", 'ms', added(results, 'embedded', http, 'concurrency1', 'p99'), times(0.25, added(results, 'embedded', 'portkey/http', 'concurrency1', 'p99')), true);

  // Issue 21: the process `npm start` runs, warmed up and idle, and at its most during the ladder.
  check('embedded memory', 'idle RSS <= 250 MB', 'MB', endpoint(results, 'embedded', http)?.idleRssMb, 250, true);
  check('embedded memory', 'RSS under load <= 350 MB', 'MB', endpoint(results, 'embedded', http)?.loadRssMb, 350, true);

  const grpc = 'switchyard-embedded/grpc';
  check('embedded gRPC', 'added latency p50 at concurrency 1 <= 2x the grpc-js floor', 'ms', added(results, 'embedded', grpc, 'concurrency1', 'p50'), times(2, added(results, 'embedded', 'floor/grpc', 'concurrency1', 'p50')), true);
  check('embedded gRPC', 'added latency p99 at concurrency 1 <= 2x the grpc-js floor', 'ms', added(results, 'embedded', grpc, 'concurrency1', 'p99'), times(2, added(results, 'embedded', 'floor/grpc', 'concurrency1', 'p99')), true);
  check('embedded gRPC', 'CPU per request <= 2x the grpc-js floor', 'ms', cpu('embedded', grpc), times(2, cpu('embedded', 'floor/grpc')), true);
  rateCheck('embedded gRPC', 'highest rate with p99 < 5 ms >= 1/2 the grpc-js floor', 'embedded', grpc, 0.5, 'floor/grpc');

  for (const protocol of ['http', 'grpc']) {
    const id = `switchyard-distributed/${protocol}`;
    const area = `distributed ${protocol === 'http' ? 'HTTP' : 'gRPC'}`;
    check(area, 'added latency p50 at 200 rps <= 8 ms', 'ms', added(results, 'distributed', id, 'reference', 'p50'), 8, true);
    check(area, 'added latency p99 at 200 rps <= 25 ms', 'ms', added(results, 'distributed', id, 'reference', 'p99'), 25, true);
    check(area, 'sustains >= 1,000 rps (p99 < 50 ms, < 0.1% errors)', 'rps', maxRate('distributed', id), 1000, false);
    check(area, 'added time to first chunk p50 <= 10 ms', 'ms', added(results, 'distributed', id, 'firstChunk', 'p50'), 10, true);
  }
  const distributed = results.groups.find((g) => g.name === 'distributed');
  if (distributed) {
    for (const [service, mb] of Object.entries(distributed.idleRssByProcessMb)) {
      if (service !== 'mock-upstream' && !service.startsWith('kafka-floor')) check('distributed memory', `${service} idle RSS < 100 MB`, 'MB', mb, 100, true);
    }
  }
  // A step that fell behind or failed requests measured an overloaded gateway, whose CPU per request says nothing of routing.
  const keptPace = (id: string) => {
    const step = endpoint(results, 'embedded', id)?.reference;
    return step !== undefined && step.errors === 0 && step.achievedRate >= 0.95 * step.targetRate;
  };
  for (const model of ROUTED_MODELS) {
    const routed = `${http} ${model}`;
    const overSingle = keptPace(http) && keptPace(routed) ? cpu('embedded', routed)! - cpu('embedded', http)! : undefined;
    check('embedded routing', `${model}: CPU per request over the single-target model's <= ${ROUTING_CPU_LIMIT_MS} ms (one step each, both keeping pace: see BENCHMARKS.md for alternating runs)`, 'ms', overSingle, ROUTING_CPU_LIMIT_MS, true);
  }
  const scaleOut = results.scaleOut;
  if (scaleOut && !scaleOut.error) {
    check('scale-out', `two provider-workers serve >= ${SCALE_OUT_FLOOR}x the rate of one (the worker's calls the bound)`, 'x', scaleOut.ratio, SCALE_OUT_FLOOR, false);
    // Counts that must be zero: check() reads a zero against a zero limit as a rate held by neither.
    const none = (target: string, count: number | undefined) => checks.push({ area: 'scale-out', target, unit: 'requests', value: count ?? null, limit: 0, met: count === undefined ? null : count === 0 });
    const added = scaleOut.added;
    none('a provider-worker added under load: requests not answered', added ? added.errors + added.sent - added.answered : undefined);
    none('a provider-worker added under load: answers without exactly one usage row, ok', added ? added.withoutRow + added.withSeveralRows + added.notOk : undefined);
  }
  const direct = results.analytics?.direct;
  if (direct?.length) check('analytics', 'direct insertUsageEvents into Postgres >= 50,000 rows/s', 'rows/s', Math.max(...direct.map((r) => r.rowsPerSecond)), 50_000, false);
  // The service's own rate: a backlog drained into Postgres. Published while it runs, the bench's producer shares the cores (the second line of the report).
  const pipeline = results.analytics?.pipelineBacklog ?? results.analytics?.pipeline;
  if (pipeline) check('analytics', 'through Kafka and the analytics service >= 50,000 rows/s', 'rows/s', pipeline.rowsPerSecond, 50_000, false);
  return checks;
}

const fmt = (value: number | null | undefined, unit = '') => (value === null || value === undefined || !Number.isFinite(value) ? '–' : `${round(value)}${unit}`);

/** "value (SY n×)": how Switchyard's figure compares with this endpoint's, beside it. */
function withRatio(value: number | undefined, switchyard: number | undefined, isSwitchyard: boolean): string {
  if (value === undefined || !Number.isFinite(value)) return '–';
  if (isSwitchyard || switchyard === undefined || !Number.isFinite(switchyard) || value === 0) return fmt(value);
  return `${fmt(value)} (SY ${round(switchyard / value)}×)`;
}

function groupTable(results: BenchResults, group: GroupResult): string[] {
  const lines: string[] = [];
  const limit = group.p99LimitMs;
  lines.push(
    `| endpoint | c=1 p50 / p99 ms | added c=1 p50 | added c=1 p99 | added @${group.referenceRate} rps p50 / p99 | CPU ms/req @${group.referenceRate} rps | max rps (p99 < ${limit} ms) | added first chunk p50 | RSS idle / load MB |`,
    '|---|---|---|---|---|---|---|---|---|',
  );
  for (const e of group.endpoints) {
    if (e.error) {
      lines.push(`| ${e.id} | failed: ${e.error.replace(/\|/g, '/').slice(0, 200)} | | | | | | | |`);
      continue;
    }
    const isDirect = e.id === 'direct (mock)';
    const switchyardId = `switchyard-${group.name}/${e.protocol}`;
    const isSwitchyard = e.id.startsWith('switchyard') || isDirect;
    const sy = (phase: Phase, q: 'p50' | 'p99') => (switchyardId ? added(results, group.name, switchyardId, phase, q) : undefined);
    const syEndpoint = switchyardId ? endpoint(results, group.name, switchyardId) : undefined;
    const a = (phase: Phase, q: 'p50' | 'p99') => (isDirect ? undefined : added(results, group.name, e.id, phase, q));
    lines.push(
      [
        e.id,
        `${fmt(e.concurrency1?.latency.p50)} / ${fmt(e.concurrency1?.latency.p99)}`,
        withRatio(a('concurrency1', 'p50'), sy('concurrency1', 'p50'), isSwitchyard),
        withRatio(a('concurrency1', 'p99'), sy('concurrency1', 'p99'), isSwitchyard),
        `${fmt(a('reference', 'p50'))} / ${fmt(a('reference', 'p99'))}${e.reference && e.reference.errors > 0 ? ` (${e.reference.errors} errors)` : ''}`,
        withRatio(e.reference?.cpuMsPerRequest, syEndpoint?.reference?.cpuMsPerRequest, isSwitchyard) +
          (e.reference?.infrastructureCpuMsPerRequest !== undefined ? ` + ${fmt(e.reference.infrastructureCpuMsPerRequest)} Kafka/PG` : ''),
        withRatio(e.maxRate, syEndpoint?.maxRate, isSwitchyard),
        e.firstChunk && e.firstChunk.firstChunk.count === 0
          ? `failed: ${(e.firstChunk.errorSamples[0] ?? '').replace(/\|/g, '/').slice(0, 80)}`
          : withRatio(a('firstChunk', 'p50'), sy('firstChunk', 'p50'), isSwitchyard),
        `${fmt(e.idleRssMb)} / ${fmt(e.loadRssMb)}`,
      ].join(' | ').replace(/^/, '| ') + ' |',
    );
  }
  lines.push('', `Capacity ladder (open loop, upstream delay 20-60 ms; rate: p99 over the delay in ms, ✓ held / ✗ not, a missed step is tried twice; generator CPU % of a core; other load in cores):`, '');
  for (const e of group.endpoints.filter((e) => e.ladder.length > 0)) {
    const steps = e.ladder.map((s) => `${s.targetRate}: ${fmt(s.excess.p99)}${s.errors ? ` (${s.errors} err)` : ''} ${s.passed ? '✓' : '✗'}${s.retried ? ' (2nd try)' : ''} [gen ${Math.round(s.generatorCpuPct)}%, other ${s.otherLoadCores.toFixed(2)}]`);
    lines.push(`- ${e.id}: ${steps.join('; ')}`);
  }
  return lines;
}

export function renderMarkdown(results: BenchResults): string {
  const lines: string[] = [
    `# Switchyard benchmark: ${results.generatedAt}`,
    '',
    `Command: \`${results.command}\` (${results.durationSeconds} s). Machine: ${results.machine.cpu}, ${results.machine.cores} cores, ${results.machine.memoryGb} GB, Node ${results.machine.node}, ${results.machine.platform}.`,
    `Load average before ${results.loadBefore.loadAverage}, after ${results.loadAfter?.loadAverage ?? '?'}; other busy processes before: ${describeBusy(results.loadBefore.busiest)}; after: ${describeBusy(results.loadAfter?.busiest ?? [])}.`,
    ...(results.loadBefore.calibrationMs
      ? [`Host speed: the calibration loop (a fixed CPU loop in a fresh node) took ${results.loadBefore.calibrationMs} ms before the run and ${results.loadAfter?.calibrationMs ?? '?'} ms after; compare absolute figures only between runs where it is alike.`]
      : []),
    '',
    'Latencies in ms. "Added" = through the endpoint minus direct to the mock, same phase, same percentile. c=1: closed loop, one request at a time, upstream delay 0.',
    'Open-loop rates are constant arrival rates; latency counts from each request\'s due time. "(SY n×)" = Switchyard\'s figure (same protocol) over this one\'s.',
    '',
  ];
  for (const group of results.groups) {
    lines.push(`## ${group.name === 'embedded' ? 'Embedded mode (one process), floors and other gateways' : 'Distributed mode (six processes on Kafka and Postgres)'}`, '');
    lines.push(...groupTable(results, group), '');
    if (group.name === 'distributed') {
      lines.push(`Idle RSS per service (MB): ${Object.entries(group.idleRssByProcessMb).map(([name, mb]) => `${name} ${fmt(mb)}`).join(', ')}.`, '');
      lines.push(...instancesTable(group));
    }
  }
  if (results.competitors.length > 0) {
    lines.push('## Other gateways', '');
    for (const c of results.competitors) lines.push(`- ${c.name}: ${c.status}${c.reason ? ` — ${c.reason}` : ''}`);
    lines.push('');
  }
  if (results.analytics) {
    const a = results.analytics;
    lines.push('## Analytics writes', '');
    const other = (cores: number | undefined) => (cores === undefined ? '' : `; other load ${cores.toFixed(2)} cores`);
    const cpu = (p: { serviceCpuUsPerRow?: number; infrastructureCpuUsPerRow?: number }) =>
      p.serviceCpuUsPerRow === undefined ? '' : `; CPU per row: service ${fmt(p.serviceCpuUsPerRow)} µs, Kafka and Postgres ${fmt(p.infrastructureCpuUsPerRow)} µs`;
    for (const r of a.direct ?? []) lines.push(`- insertUsageEvents into Postgres, batches of ${r.batchSize}: ${fmt(r.rowsPerSecond)} rows/s (${r.rows} rows${other(r.otherCores)})`);
    if (a.pglite) lines.push(`- insertUsageEvents into PGlite (embedded), batches of ${a.pglite.batchSize}: ${fmt(a.pglite.rowsPerSecond)} rows/s (${a.pglite.rows} rows${other(a.pglite.otherCores)})`);
    if (a.pipelineBacklog) lines.push(`- through Kafka and the analytics service, a backlog drained (published while the service was stopped): ${fmt(a.pipelineBacklog.rowsPerSecond)} rows/s (${a.pipelineBacklog.rowsWritten} of ${a.pipelineBacklog.rows} rows in ${fmt(a.pipelineBacklog.seconds)} s${cpu(a.pipelineBacklog)}${other(a.pipelineBacklog.otherCores)})`);
    if (a.pipeline) lines.push(`- through Kafka and the analytics service, published meanwhile by the bench (whose producer shares the cores): ${fmt(a.pipeline.rowsPerSecond)} rows/s (${a.pipeline.rowsWritten} of ${a.pipeline.rows} rows in ${fmt(a.pipeline.seconds)} s, of which publishing ${fmt(a.pipeline.publishSeconds)} s${other(a.pipeline.otherCores)})`);
    if (a.error) lines.push(`- failed: ${a.error}`);
    lines.push('');
  }
  if (results.scaleOut) lines.push(...scaleOutLines(results.scaleOut));
  lines.push('## Targets', '', '| area | target | value | limit | met |', '|---|---|---|---|---|');
  for (const t of results.targets ?? []) {
    lines.push(`| ${t.area} | ${t.target} | ${fmt(t.value)} ${t.unit} | ${fmt(t.limit)} ${t.unit} | ${t.met === null ? 'cannot tell' : t.met ? 'yes' : 'no'} |`);
  }
  return lines.join('\n') + '\n';
}

/**
 * Each service's CPU per request at the reference rate, over each front door, and the instances of it
 * that 1,000 and 10,000 requests a second need (from the larger of the two figures).
 */
function instancesTable(group: GroupResult): string[] {
  const protocols = ['http', 'grpc'] as const;
  const references = protocols.map((protocol) => group.endpoints.find((e) => e.id === `switchyard-distributed/${protocol}`)?.reference);
  const byService = references.map((reference) => reference?.cpuMsPerRequestByProcess);
  if (byService.every((figures) => figures === undefined)) return [];
  const instances = (rate: number, ms: number) => Math.ceil((rate * ms) / 1000 / PLANNED_CORE_SHARE);
  const lines = [
    `CPU per request by service at ${group.referenceRate} rps (each service's processes over the step, over the requests answered), and the instances of each that a rate needs at ${PLANNED_CORE_SHARE * 100}% of a core each:`,
    '',
    '| service | CPU ms/req HTTP | CPU ms/req gRPC | instances @1,000 rps | instances @10,000 rps |',
    '|---|---|---|---|---|',
  ];
  for (const service of DISTRIBUTED_SERVICES) {
    const [overHttp, overGrpc] = byService.map((figures) => figures?.[service]);
    const larger = Math.max(overHttp ?? 0, overGrpc ?? 0);
    lines.push(`| ${service} | ${fmt(overHttp)} | ${fmt(overGrpc)} | ${instances(1000, larger)} | ${instances(10_000, larger)} |`);
  }
  const [kafkaHttp, kafkaGrpc] = references.map((reference) => reference?.infrastructureCpuMsPerRequest);
  const kafka = Math.max(kafkaHttp ?? 0, kafkaGrpc ?? 0);
  lines.push(`| Kafka + Postgres (cores, not instances) | ${fmt(kafkaHttp)} | ${fmt(kafkaGrpc)} | ${fmt(kafka)} | ${fmt(10 * kafka)} |`);
  return [...lines, ''];
}

function scaleOutLines(scaleOut: NonNullable<BenchResults['scaleOut']>): string[] {
  const lines = ['## Scale-out (distributed, the provider-worker the bound)', ''];
  if (scaleOut.error) return [...lines, `- failed: ${scaleOut.error}`, ''];
  const rates = (measured: typeof scaleOut.one) =>
    measured ? `${measured.rates.map((rate) => fmt(rate)).join(', ')} rps${measured.errors ? ` (${measured.errors} errors: ${measured.errorSamples[0] ?? ''})` : ''}` : '–';
  lines.push(
    `Each provider-worker holds at most ${scaleOut.providerCalls?.maxInFlightPerRoute} calls to the mock, which answers after ${scaleOut.upstreamDelayMs} ms; ${scaleOut.callers} callers each send a request when their last is answered (\`start:distributed --scale provider-worker=N\`).`,
    '',
    `- one provider-worker: ${rates(scaleOut.one)}`,
    `- two provider-workers: ${rates(scaleOut.two)}`,
    `- two over one (medians): ${fmt(scaleOut.ratio)}×`,
  );
  const added = scaleOut.added;
  if (added) {
    lines.push(
      `- a second provider-worker started under load on one (ready in ${fmt(added.startSeconds)} s): ${added.answered} of ${added.sent} requests answered, ${added.errors} errors${added.errorSamples.length ? ` (${added.errorSamples[0]})` : ''}; ` +
        `usage rows: ${added.withoutRow} answers without one, ${added.withSeveralRows} with several, ${added.notOk} not ok; ${fmt(added.rateBefore)} rps before, ${fmt(added.rateAfter)} rps once it was ready`,
    );
  }
  return [...lines, ''];
}

function describeBusy(busy: { command: string; cpuPct: number }[]): string {
  return busy.length === 0 ? 'none' : busy.map((b) => `${b.command.split(' ').slice(0, 3).join(' ')} ${b.cpuPct}%`).join(', ');
}
