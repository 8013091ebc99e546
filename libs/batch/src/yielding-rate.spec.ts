import { YieldingRate } from './yielding-rate';

/** Feeds one window of answers, each `ms` long, a second after the last window; the rate after it. */
function windowOf(rate: YieldingRate, at: { now: number }, ms: number[]): number {
  at.now += 1000;
  for (const each of ms) rate.observe(each, at.now);
  return Math.round(rate.perSecond * 100) / 100;
}

/** Ten answers: nine at `ms`, and one `slowest`. */
const answers = (ms: number, slowest = ms) => [...Array<number>(9).fill(ms), slowest];

describe('the rate batches run at over all', () => {
  it('starts at a tenth of the configured rate and grows to it while batch requests find the pipeline unqueued, however slow the pipeline itself or spread its times', () => {
    const at = { now: 0 };
    const rate = new YieldingRate(200, 5, at.now);
    expect(rate.perSecond).toBe(20);
    const spread = [
      [2, 10, 20, 30, 40, 41, 42, 43, 44, 90],
      [20, 25, 30, 35, 40, 41, 42, 43, 44, 60],
    ];
    const rates = Array.from({ length: 20 }, (_, i) => windowOf(rate, at, spread[i % 2]));
    expect(rates.slice(0, 3)).toEqual([30, 40, 50]);
    expect(rates.slice(-2)).toEqual([200, 200]);
  });

  it('is cut by a third each window whose 90th percentile is more than the target above the least of the last minute\'s, down to a twentieth of the configured rate, and grows back by a twentieth', () => {
    const at = { now: 0 };
    const rate = new YieldingRate(200, 5, at.now);
    for (let i = 0; i < 20; i++) windowOf(rate, at, [10, 10, 10, 10, 10, 11, 11, 11, 12, 40]);
    // The median as unqueued as before; the tail is not.
    const queued = [10, 10, 10, 10, 10, 11, 11, 30, 30, 30];
    expect([rate.perSecond, windowOf(rate, at, queued), windowOf(rate, at, queued)]).toEqual([200, 133.33, 88.89]);
    for (let i = 0; i < 20; i++) windowOf(rate, at, queued);
    expect(rate.perSecond).toBe(10);
    expect([windowOf(rate, at, answers(11, 14)), windowOf(rate, at, answers(11, 14))]).toEqual([20, 30]);
  });

  it('takes a slower pipeline for unqueued once the last minute has no faster percentile (regression: after a failover, batches stayed at their least rate)', () => {
    const at = { now: 0 };
    const rate = new YieldingRate(200, 5, at.now);
    windowOf(rate, at, answers(10));
    const rates = Array.from({ length: 90 }, () => windowOf(rate, at, answers(25)));
    expect(rates.slice(0, 3)).toEqual([20, 13.33, 10]);
    expect(rates.slice(-1)).toEqual([200]);
  });

  it('closes a window only after a second and ten answers, and with target 0 never moves', () => {
    const at = { now: 0 };
    const rate = new YieldingRate(100, 5, at.now);
    windowOf(rate, at, answers(10));
    expect(windowOf(rate, at, answers(90).slice(1))).toBe(15);
    expect(rate.observe(90, at.now)).toBe(true);
    const fixed = new YieldingRate(100, 0, 0);
    const fixedAt = { now: 0 };
    windowOf(fixed, fixedAt, answers(10));
    expect(windowOf(fixed, fixedAt, answers(90))).toBe(100);
  });
});
