// Runs batches: takes each batch's requests without a result, sends them through the gateway's pipeline
// (the sender is the front door's own path), records each answer once, and ends the batch with its
// output and error files. Paced, a rate and an in-flight cap per batch and over all batches, so that
// interactive traffic keeps its headroom. Any number of runners share the work: a runner holds a batch
// by a lease it renews, and a batch whose runner died is taken over when the lease runs out.
import type { Logger } from '@switchyard/telemetry';
import { newId } from './batch-service';
import type { BatchStore } from './batch-store';
import type { BatchLine, BatchRecord, LineResult } from './records';
import { YieldingRate } from './yielding-rate';

/** How a runner paces batches (docs/batch.md); read from the environment by batchPacingFrom. */
export interface BatchPacing {
  /** Requests a second, over all batches this runner holds. */
  ratePerSecond: number;
  /** Requests a second of one batch. */
  batchRatePerSecond: number;
  /** Requests under way at once, over all batches. */
  inFlight: number;
  /** Requests under way at once, of one batch. */
  batchInFlight: number;
  /**
   * How much longer than unqueued batch requests may take in the pipeline before the rate over all
   * batches is lowered (see YieldingRate), in milliseconds; 0 keeps the rate at ratePerSecond.
   */
  queueTargetMs: number;
}

export const DEFAULT_BATCH_PACING: BatchPacing = { ratePerSecond: 200, batchRatePerSecond: 100, inFlight: 64, batchInFlight: 32, queueTargetMs: 5 };

/**
 * What became of a request sent: its result, or `retry` when the gateway could not take it now
 * (shutting down, overloaded, the key's rate limit), so it stays without a result and goes again later;
 * with, when answered, its time in the pipeline (its provider's time taken out), which paces the batches,
 * and `recorded` when the gateway has written the result in the batch already.
 */
export type SendOutcome = (LineResult | { retry: string }) & { pipeline_ms?: number; recorded?: boolean };

/** Sends one request of a batch through the pipeline, as the batch's owner. */
export type LineSender = (batch: BatchRecord, line: BatchLine) => Promise<SendOutcome>;

export interface BatchRunnerOptions {
  store: BatchStore;
  send: LineSender;
  logger: Logger;
  /** Names this runner in the batches' leases: unique among running runners. */
  runnerId: string;
  pacing?: BatchPacing;
  /** How long a lease lasts unrenewed; a dead runner's batches wait this long for another. */
  leaseMs?: number;
  /** How often the runner looks for batches (new, cancelled) when nothing else wakes it. */
  pollMs?: number;
  now?: () => Date;
}

/** Tokens a second, held up to one second's worth: a rate with a burst of one second. */
export class Pacer {
  private tokens: number;
  private last: number;

  constructor(
    private perSecond: number,
    now: number,
  ) {
    this.tokens = perSecond;
    this.last = now;
  }

  /** The tokens there now, whole. */
  available(now: number): number {
    this.refill(now);
    return Math.floor(this.tokens);
  }

  /** Takes a token if one is there. */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** From now on, `perSecond` tokens a second, held up to one second's worth. */
  setRate(perSecond: number, now: number): void {
    this.refill(now);
    this.perSecond = perSecond;
    this.tokens = Math.min(perSecond, this.tokens);
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
  }

  /** Milliseconds until the next token. */
  waitMs(): number {
    return Math.max(1, Math.ceil(((1 - this.tokens) / this.perSecond) * 1000));
  }
}

// A batch whose requests the gateway refused for now (retry) waits this long before the next one.
const HOLD_AFTER_RETRY_MS = 1000;
// A batch's requests are read this long ahead of the pace: one query for many requests, not one each.
const READ_AHEAD_SECONDS = 0.25;

interface Held {
  batch: BatchRecord;
  pacer: Pacer;
  inFlight: Set<string>;
  /** Requests read and not yet sent, in file order. */
  ahead: BatchLine[];
  heldUntil: number;
}

export class BatchRunner {
  private readonly pacing: BatchPacing;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly now: () => Date;
  private readonly pacer: Pacer;
  private readonly rate: YieldingRate;
  private readonly held = new Map<string, Held>();
  private readonly running = new Set<Promise<void>>();
  private lastClaim = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private ticking: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly options: BatchRunnerOptions) {
    this.pacing = options.pacing ?? DEFAULT_BATCH_PACING;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollMs = options.pollMs ?? 500;
    this.now = options.now ?? (() => new Date());
    this.rate = new YieldingRate(this.pacing.ratePerSecond, this.pacing.queueTargetMs, this.now().getTime());
    this.pacer = new Pacer(this.rate.perSecond, this.now().getTime());
  }

  start(): void {
    this.wake(0);
  }

  /** Tells the runner of a change (a batch made or cancelled) so it looks at once. */
  nudge(): void {
    this.lastClaim = 0;
    this.wake(0);
  }

  /** Starts no more requests and waits for those under way, whose results are recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    await Promise.all([...this.running]);
  }

  private wake(delayMs: number): void {
    if (this.stopped) return;
    // Timers run on the host's clock; the pace, holds and leases on the runner's (options.now).
    const at = Date.now() + delayMs;
    if (at >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timerAt = Infinity;
      this.tick();
    }, delayMs);
  }

  private tick(): void {
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = this.work()
      .catch((error) => this.options.logger.warn('batch runner pass failed; it tries again', { error: (error as Error).message }))
      .finally(() => {
        this.ticking = undefined;
        if (this.again) {
          this.again = false;
          this.wake(0);
        } else {
          this.wake(this.pollMs);
        }
      });
  }

  private async work(): Promise<void> {
    const now = this.now();
    // The lease is renewed well before it runs out; new and cancelled batches are seen as often.
    if (now.getTime() - this.lastClaim >= Math.min(this.pollMs * 2, this.leaseMs / 3)) {
      this.lastClaim = now.getTime();
      const claimed = await this.options.store.claim(this.options.runnerId, this.leaseMs, now);
      const ids = new Set(claimed.map((batch) => batch.id));
      for (const [id, held] of this.held) if (!ids.has(id) && held.inFlight.size === 0) this.held.delete(id);
      for (const batch of claimed) {
        const held = this.held.get(batch.id);
        if (held) held.batch = batch;
        else this.held.set(batch.id, { batch, pacer: new Pacer(this.pacing.batchRatePerSecond, now.getTime()), inFlight: new Set(), ahead: [], heldUntil: 0 });
      }
    }
    for (const held of this.held.values()) {
      if (this.stopped) return;
      await this.advance(held, now);
    }
  }

  /** Moves one batch on: starts it, sends its requests as the pace allows, or ends it. */
  private async advance(held: Held, now: Date): Promise<void> {
    const { store } = this.options;
    let { batch } = held;
    if (batch.status === 'validating') {
      batch = held.batch = (await store.transition(batch.id, { from: ['validating'], to: 'in_progress' }, now)) ?? batch;
    }
    // Past its window a batch sends nothing more, and ends expired once its requests under way are done.
    if (batch.status === 'in_progress' && now.getTime() / 1000 >= batch.expires_at) return this.end(held, 'expired', now);
    if (batch.status === 'cancelling') return this.end(held, 'cancelled', now);
    if (batch.status === 'finalizing') return this.end(held, 'completed', now);
    if (batch.status !== 'in_progress' || now.getTime() < held.heldUntil) return;
    // A request that ends wakes the runner when the caps are full; the pacers say when they are empty.
    const room = Math.min(this.pacing.batchInFlight - held.inFlight.size, this.pacing.inFlight - this.inFlight());
    if (room <= 0) return;
    const nowMs = this.now().getTime();
    const free = Math.min(room, this.pacer.available(nowMs), held.pacer.available(nowMs));
    if (free <= 0) return this.wake(Math.max(this.pacer.waitMs(), held.pacer.waitMs()));
    if (held.ahead.length < free) await this.readAhead(held, free);
    if (held.ahead.length === 0 && held.inFlight.size === 0) {
      held.batch = (await store.transition(batch.id, { from: ['in_progress'], to: 'finalizing' }, now)) ?? batch;
      return this.end(held, 'completed', now);
    }
    for (let started = 0; started < free && held.ahead.length > 0; started++) {
      const at = this.now().getTime();
      if (!this.pacer.take(at)) return this.wake(this.pacer.waitMs());
      if (!held.pacer.take(at)) return this.wake(held.pacer.waitMs());
      this.launch(held, held.ahead.shift()!);
    }
  }

  /**
   * Reads the batch's next requests not under way, in file order: at least `free`, and as many as the
   * pace sends in READ_AHEAD_SECONDS, so that a slow pace does not read many lines to send one. Those
   * under way when the read began stay out, also if they end during it: the read may predate the result.
   */
  private async readAhead(held: Held, free: number): Promise<void> {
    const count = Math.max(free, Math.ceil(Math.min(this.rate.perSecond, this.pacing.batchRatePerSecond) * READ_AHEAD_SECONDS));
    const underWay = new Set(held.inFlight);
    const lines = await this.options.store.pendingLines(held.batch.id, underWay.size + count);
    held.ahead = lines.filter((line) => !underWay.has(line.custom_id)).slice(0, count);
  }

  private launch(held: Held, line: BatchLine): void {
    held.inFlight.add(line.custom_id);
    const run = this.options
      .send(held.batch, line)
      .then(async ({ pipeline_ms: pipelineMs, recorded, ...outcome }) => {
        if (pipelineMs !== undefined) this.observe(pipelineMs);
        if ('retry' in outcome) {
          held.heldUntil = this.now().getTime() + HOLD_AFTER_RETRY_MS;
          return;
        }
        if (!recorded) await this.options.store.settleLine(line.batch_id, line.custom_id, outcome);
      })
      .catch((error) => {
        held.heldUntil = this.now().getTime() + HOLD_AFTER_RETRY_MS;
        this.options.logger.warn('a batch request could not be recorded; it goes again', { batch_id: line.batch_id, custom_id: line.custom_id, error: (error as Error).message });
      })
      .finally(() => {
        held.inFlight.delete(line.custom_id);
        this.running.delete(run);
        this.wake(0);
      });
    this.running.add(run);
  }

  /** Ends a batch once its requests under way are done: the rest get `status`'s error, and the files are written. */
  private async end(held: Held, status: 'completed' | 'cancelled' | 'expired', now: Date): Promise<void> {
    if (held.inFlight.size > 0) return;
    const { store } = this.options;
    if (status !== 'completed') {
      const message = status === 'cancelled' ? 'the batch was cancelled before this request was sent' : 'the batch expired (its 24 h completion window) before this request was sent';
      await store.settlePending(held.batch.id, { code: status === 'cancelled' ? 'batch_cancelled' : 'batch_expired', message });
    }
    held.batch = await store.finish(held.batch.id, status, { outputFileId: newId('file-'), errorFileId: newId('file-') }, now);
    this.held.delete(held.batch.id);
    this.options.logger.info('batch ended', { batch_id: held.batch.id, status, ...held.batch.request_counts });
  }

  private observe(pipelineMs: number): void {
    const now = this.now().getTime();
    if (!this.rate.observe(pipelineMs, now)) return;
    this.pacer.setRate(this.rate.perSecond, now);
    this.options.logger.debug('batch rate over all batches', { per_second: Math.round(this.rate.perSecond * 10) / 10, pipeline_ms: Math.round(pipelineMs) });
  }

  private inFlight(): number {
    let count = 0;
    for (const held of this.held.values()) count += held.inFlight.size;
    return count;
  }
}

/**
 * The pacing from SWITCHYARD_BATCH_RATE, _BATCH_RATE_PER_BATCH, _IN_FLIGHT, _IN_FLIGHT_PER_BATCH (positive
 * whole numbers) and SWITCHYARD_BATCH_QUEUE_TARGET_MS (a whole number, 0 for none).
 */
export function batchPacingFrom(env: NodeJS.ProcessEnv): BatchPacing {
  const read = (name: string, fallback: number, least = 1): number => {
    const text = env[name];
    if (text === undefined || text === '') return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < least || value > 100_000) throw new Error(`${name} must be a whole number from ${least} to 100000, not ${JSON.stringify(text)}`);
    return value;
  };
  return {
    ratePerSecond: read('SWITCHYARD_BATCH_RATE', DEFAULT_BATCH_PACING.ratePerSecond),
    batchRatePerSecond: read('SWITCHYARD_BATCH_RATE_PER_BATCH', DEFAULT_BATCH_PACING.batchRatePerSecond),
    inFlight: read('SWITCHYARD_BATCH_IN_FLIGHT', DEFAULT_BATCH_PACING.inFlight),
    batchInFlight: read('SWITCHYARD_BATCH_IN_FLIGHT_PER_BATCH', DEFAULT_BATCH_PACING.batchInFlight),
    queueTargetMs: read('SWITCHYARD_BATCH_QUEUE_TARGET_MS', DEFAULT_BATCH_PACING.queueTargetMs, 0),
  };
}
