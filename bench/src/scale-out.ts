// Scale-out of the distributed mode (issue 13): with the provider-worker the bound, because the mock
// answers after a fixed delay and the worker holds at most a few calls to it at once, two
// provider-workers must serve at least 1.8x the rate of one; and a provider-worker added under load
// must lose nothing: every request answered, each answer with exactly one usage row.
// Both systems run as `npm run start:distributed -- --scale provider-worker=N` runs them.
import { Client } from 'pg';
import { httpChatClient, type ChatClient } from './load';
import { sleep } from './services';
import { median } from './stats';
import { startSupervised, type Infrastructure, type ProviderCalls, type SupervisedSystem } from './systems';

/**
 * Each worker's calls to the mock at once: with the delay below, one worker serves at most 16 requests a
 * second. Low rates, so that the services' CPU is nowhere near a bound even on two shared cores, and a
 * delay long enough that a call's own overhead (the mock's round trip, the event loop) is a small part of it.
 */
const PROVIDER_CALLS: ProviderCalls = { maxInFlightPerRoute: 4, maxQueuedPerRoute: 256 };
const UPSTREAM_DELAY_MS = 250;
/** Callers, each sending its next request when its last is answered: four times the slots of two workers, to keep them full. */
const CALLERS = 32;
/**
 * Load before a system's rate is counted. A system just started is still forming its groups, and the
 * first may meet a broker that has served nothing yet (`--only=scale-out`): after 5 s, such runs
 * measured one worker at a fifth to a third of its rate, and two at 83% of theirs.
 */
const WARMUP_MS = 15_000;
export const SCALE_OUT_FLOOR = 1.8;

export interface SaturatedRates {
  /** Requests answered a second in each window. */
  rates: number[];
  /** Failed requests over the whole load, warm-up included. */
  errors: number;
  errorSamples: string[];
}

export interface InstanceAdded {
  sent: number;
  answered: number;
  errors: number;
  errorSamples: string[];
  /** Answered requests with no usage row, with more than one, or with one whose status is not ok. */
  withoutRow: number;
  withSeveralRows: number;
  notOk: number;
  /** Answered a second before the instance was added, and from when it was ready to the end. */
  rateBefore: number;
  rateAfter: number;
  /** From starting the second instance to its saying it is ready, in s. */
  startSeconds: number;
}

export interface ScaleOutResult {
  providerCalls?: ProviderCalls;
  upstreamDelayMs?: number;
  callers?: number;
  /** One provider-worker, and two. */
  one?: SaturatedRates;
  two?: SaturatedRates;
  /** Median rate with two over median rate with one. */
  ratio?: number;
  added?: InstanceAdded;
  error?: string;
}

interface Load {
  /** Answered requests' ids, and when each was answered (performance.now()). */
  answers: { id: string | undefined; at: number }[];
  errors: number;
  errorSamples: string[];
  sent: number;
  stop(): Promise<void>;
}

/** CALLERS closed loops, each one request after another with the fixed upstream delay, until stopped. */
function saturate(client: ChatClient): Load {
  let running = true;
  const load: Load = {
    answers: [],
    errors: 0,
    errorSamples: [],
    sent: 0,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
  const loop = async () => {
    while (running) {
      load.sent++;
      try {
        load.answers.push({ id: await client.chat(UPSTREAM_DELAY_MS), at: performance.now() });
      } catch (error) {
        load.errors++;
        if (load.errorSamples.length < 3) load.errorSamples.push((error as Error).message.slice(0, 200));
      }
    }
  };
  const loops = Array.from({ length: CALLERS }, loop);
  return load;
}

const answeredBetween = (load: Load, from: number, to: number) => load.answers.filter((answer) => answer.at >= from && answer.at < to).length;

/** The rate answered in each of `windows` windows of `windowMs`, after a warm-up that fills the workers' slots and queues. */
async function saturatedRates(client: ChatClient, windows: number, windowMs: number, warmupMs: number): Promise<SaturatedRates> {
  const load = saturate(client);
  await sleep(warmupMs);
  const bounds = [performance.now()];
  for (let i = 0; i < windows; i++) {
    await sleep(windowMs);
    bounds.push(performance.now());
  }
  await load.stop();
  return { rates: bounds.slice(1).map((to, i) => answeredBetween(load, bounds[i], to) / ((to - bounds[i]) / 1000)), errors: load.errors, errorSamples: load.errorSamples };
}

/** Under the saturating load, a second provider-worker is started; then every answer's usage rows are checked. */
async function addUnderLoad(system: SupervisedSystem, client: ChatClient, databaseUrl: string, phaseMs: number): Promise<InstanceAdded> {
  const load = saturate(client);
  await sleep(WARMUP_MS + phaseMs);
  const addedAt = performance.now();
  await system.addInstance('provider-worker');
  const readyAt = performance.now();
  await sleep(phaseMs);
  const endedAt = performance.now();
  await load.stop();
  const ids = load.answers.map((answer) => answer.id).filter((id): id is string => id !== undefined);
  const rows = await usageRows(databaseUrl, ids);
  return {
    sent: load.sent,
    answered: load.answers.length,
    errors: load.errors + (load.answers.length - ids.length),
    errorSamples: ids.length < load.answers.length ? [...load.errorSamples, `${load.answers.length - ids.length} answers without an id`] : load.errorSamples,
    withoutRow: ids.filter((id) => !rows.has(id)).length,
    withSeveralRows: [...rows.values()].filter((statuses) => statuses.length > 1).length,
    notOk: [...rows.values()].filter((statuses) => statuses.some((status) => status !== 'ok')).length,
    rateBefore: answeredBetween(load, addedAt - phaseMs, addedAt) / (phaseMs / 1000),
    rateAfter: answeredBetween(load, readyAt, endedAt) / ((endedAt - readyAt) / 1000),
    startSeconds: (readyAt - addedAt) / 1000,
  };
}

/** Each request's usage rows' statuses, once every request has one (rows follow answers), or after 60 s. */
async function usageRows(databaseUrl: string, ids: string[]): Promise<Map<string, string[]>> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const found = await db.query<{ request_id: string; statuses: string[] }>('SELECT request_id, array_agg(status) AS statuses FROM usage_events WHERE request_id = ANY($1) GROUP BY request_id', [ids]);
      if (found.rows.length === ids.length || Date.now() > deadline) return new Map(found.rows.map((row) => [row.request_id, row.statuses]));
      await sleep(500);
    }
  } finally {
    await db.end();
  }
}

/**
 * One provider-worker, then two (`--scale provider-worker=2`), then one and two again (A B A B: the
 * machine's drift falls on both alike), each system's rate over `windows` windows; on the first, a
 * second provider-worker is then added under load.
 */
export async function measureScaleOut(upstreamBaseUrl: string, infrastructure: Infrastructure, options: { rounds: number; windows: number; windowMs: number; log(line: string): void }): Promise<ScaleOutResult> {
  const { log } = options;
  const result: ScaleOutResult = { providerCalls: PROVIDER_CALLS, upstreamDelayMs: UPSTREAM_DELAY_MS, callers: CALLERS };
  for (let round = 0; round < 2 * options.rounds; round++) {
    const workers = 1 + (round % 2);
    log(`scale-out: ${workers} provider-worker(s), ${PROVIDER_CALLS.maxInFlightPerRoute} calls each at most, upstream delay ${UPSTREAM_DELAY_MS} ms, ${CALLERS} callers`);
    const system = await startSupervised(upstreamBaseUrl, infrastructure, `provider-worker=${workers}`, PROVIDER_CALLS);
    const client = httpChatClient(system.http!);
    try {
      const measured = await saturatedRates(client, options.windows, options.windowMs, WARMUP_MS);
      log(`  ${measured.rates.map((rate) => `${rate.toFixed(1)} rps`).join(', ')}; errors ${measured.errors}${measured.errorSamples.length ? ` (${measured.errorSamples[0]})` : ''}`);
      const key = workers === 1 ? 'one' : 'two';
      const before = result[key];
      result[key] = before ? { rates: [...before.rates, ...measured.rates], errors: before.errors + measured.errors, errorSamples: [...before.errorSamples, ...measured.errorSamples].slice(0, 3) } : measured;
      if (round === 0) {
        log('scale-out: a second provider-worker started under load');
        result.added = await addUnderLoad(system, client, infrastructure.databaseUrl, options.windowMs);
        const added = result.added;
        log(
          `  ${added.answered} of ${added.sent} answered, ${added.errors} errors; rows: ${added.withoutRow} missing, ${added.withSeveralRows} duplicated, ${added.notOk} not ok; ` +
            `${added.rateBefore.toFixed(1)} rps before, ${added.rateAfter.toFixed(1)} rps after (ready in ${added.startSeconds.toFixed(1)} s)`,
        );
      }
    } finally {
      client.close();
      await system.stop();
    }
  }
  result.ratio = median(result.two?.rates ?? []) / median(result.one?.rates ?? []);
  log(`scale-out: two provider-workers serve ${result.ratio.toFixed(2)}x the rate of one (floor ${SCALE_OUT_FLOOR}x)`);
  return result;
}
