// The rate batches run at over all, below the configured one while their requests find the pipeline
// queued, so that a batch takes only the capacity interactive traffic leaves (as LEDBAT does for
// background transfers). The signal is each batch request's time in the gateway, its provider's time
// taken out: it grows with the queues the pipeline's stages build, whoever's requests build them, and
// it does not grow with a slow provider. Each window's 90th percentile is held against the least of the
// last minute's (the pipeline's time unqueued): the tail, not the median, as the tail is where
// interactive callers feel batches first (the median let batches run until interactive p99 had doubled).
// More than the target above it and the rate is cut by a third, down to a twentieth of the configured
// rate, so that a batch always moves and is always measured; otherwise it grows by a twentieth. It starts
// at a tenth, so that a batch's first seconds do not flood a pipeline already busy.

/** A window closes after this long, once it holds enough answers for its 90th percentile not to be its slowest. */
const WINDOW_MS = 1000;
const WINDOW_MIN_SAMPLES = 10;
const PERCENTILE = 0.9;
/** The unqueued time is the least of the last minute's percentiles, so that it follows a change of path. */
const BASE_MS = 60_000;
const START = 1 / 10;
const CUT = 2 / 3;
const GROWTH = 1 / 20;
const LEAST = 1 / 20;

export class YieldingRate {
  private rate: number;
  private window: number[] = [];
  private windowStart: number;
  private readonly tails: { at: number; ms: number }[] = [];

  /** `targetMs` 0: the rate stays the configured one. */
  constructor(
    private readonly maxPerSecond: number,
    private readonly targetMs: number,
    now: number,
  ) {
    this.rate = targetMs === 0 ? maxPerSecond : Math.max(1, maxPerSecond * START);
    this.windowStart = now;
  }

  /** Requests a second now. */
  get perSecond(): number {
    return this.rate;
  }

  /** Takes one batch request's time in the pipeline; says whether the rate changed. */
  observe(pipelineMs: number, now: number): boolean {
    if (this.targetMs === 0 || !Number.isFinite(pipelineMs)) return false;
    this.window.push(pipelineMs);
    if (now - this.windowStart < WINDOW_MS || this.window.length < WINDOW_MIN_SAMPLES) return false;
    const sorted = this.window.sort((a, b) => a - b);
    this.window = [];
    this.windowStart = now;
    const tail = sorted[Math.ceil(sorted.length * PERCENTILE) - 1];
    this.tails.push({ at: now, ms: tail });
    while (now - this.tails[0].at > BASE_MS) this.tails.shift();
    const queued = tail - Math.min(...this.tails.map((each) => each.ms));
    const before = this.rate;
    const step = Math.max(1, this.maxPerSecond * GROWTH);
    this.rate = queued > this.targetMs ? Math.max(this.maxPerSecond * LEAST, 1, this.rate * CUT) : Math.min(this.maxPerSecond, this.rate + step);
    return this.rate !== before;
  }
}
