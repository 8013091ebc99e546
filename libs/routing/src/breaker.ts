// A circuit breaker per target, as a pure state machine: the executor keeps one state per target and
// replaces it with what these functions return.
import type { BreakerEvent, BreakerStateName, TargetStatus } from '@switchyard/contracts';
import type { TargetHealth } from './plan';

export interface BreakerSettings {
  /** Failures in a row that open the breaker; 0: only the error rate opens it. */
  consecutive_failures: number;
  /** The share of the calls in the window that failed (0 to 1) above which the breaker opens... */
  error_rate: number;
  /** ...once the window holds at least this many calls; 0: only consecutive failures open it. */
  min_calls: number;
  /** The error rate's window, sliding in tenths of it. */
  window_ms: number;
  /** How long the breaker stays open the first time; each re-opening multiplies it by cooldown_growth, up to max_cooldown_ms. */
  cooldown_ms: number;
  cooldown_growth: number;
  max_cooldown_ms: number;
  /** The share of a request's targets (percent) that open breakers may take out of its plan; at least one, never all. */
  max_ejection_percent: number;
}

export const DEFAULT_BREAKER: BreakerSettings = {
  consecutive_failures: 5,
  error_rate: 0.5,
  min_calls: 20,
  window_ms: 30_000,
  cooldown_ms: 5_000,
  cooldown_growth: 2,
  max_cooldown_ms: 300_000,
  max_ejection_percent: 50,
};

/** Calls and failures in one tenth of the window. */
interface Bucket {
  slot: number;
  calls: number;
  failures: number;
}

const BUCKETS = 10;

export interface BreakerState {
  /** Failures since the last success. */
  failures: number;
  /** Times opened since it was last closed by a success; the cooldown grows with it. */
  openings: number;
  /** Epoch milliseconds until which the target gets no call; 0 when closed. */
  open_until: number;
  /** A probe is in flight: the target gets no other call until it ends. */
  probing: boolean;
  /** Epoch milliseconds the breaker last opened, closed or sent a probe; 0 before it ever did. */
  since: number;
  /** The calls of the error rate's window, oldest first. */
  window: readonly Bucket[];
}

export const CLOSED_BREAKER: BreakerState = { failures: 0, openings: 0, open_until: 0, probing: false, since: 0, window: [] };

export function breakerHealth(state: BreakerState, now: number): TargetHealth {
  if (state.openings === 0) return 'closed';
  return state.probing || now < state.open_until ? 'open' : 'probe';
}

export function breakerStateName(state: BreakerState, now: number): BreakerStateName {
  if (state.openings === 0) return 'closed';
  return state.probing || now >= state.open_until ? 'half_open' : 'open';
}

/** A call goes to the target: when its breaker was due a probe, this call is the probe. */
export function breakerCalled(state: BreakerState, now: number): BreakerState {
  return breakerHealth(state, now) === 'probe' ? { ...state, probing: true, since: now } : state;
}

/**
 * An answer, if only a refusal: the target is up. A probe's answer closes the breaker; an open breaker
 * is not closed by a call that began before it opened, so the probe alone decides.
 */
export function breakerSucceeded(state: BreakerState, now: number, settings: BreakerSettings): BreakerState {
  if (state.probing) return { ...CLOSED_BREAKER, since: now };
  if (state.openings > 0) return state.failures === 0 ? state : { ...state, failures: 0 };
  if (settings.min_calls === 0) return state.failures === 0 ? state : { ...state, failures: 0 };
  return { ...state, failures: 0, window: counted(state.window, now, false, settings) };
}

/** A probe that ended with no verdict (its caller left): the next call may probe again. */
export function breakerReleased(state: BreakerState): BreakerState {
  return state.probing ? { ...state, probing: false } : state;
}

/**
 * A retryable failure. It opens the breaker after enough in a row, or when the window's error rate
 * passes its threshold, or at once when it was a probe; an open breaker's deadline only ever moves
 * later, so a re-opening never shortens a longer cooldown.
 */
export function breakerFailed(state: BreakerState, now: number, settings: BreakerSettings): BreakerState {
  const failures = state.failures + 1;
  // A call that began before the breaker opened, failing now, does not re-open it.
  if (!state.probing && now < state.open_until) return { ...state, failures };
  const window = settings.min_calls === 0 ? state.window : counted(state.window, now, true, settings);
  if (!state.probing && !tripped(failures, window, settings)) return { ...state, failures, window };
  const cooldown = Math.min(settings.max_cooldown_ms, settings.cooldown_ms * settings.cooldown_growth ** state.openings);
  return { failures, openings: state.openings + 1, open_until: Math.max(state.open_until, now + cooldown), probing: false, since: now, window: [] };
}

/** What one provider-worker instance saw of a target's breaker, as it publishes it for the others. */
export type BreakerTransition = Omit<BreakerEvent, 'target' | 'worker'>;

/**
 * Another instance's transition, applied here: an opening (or a probe out there) keeps the target from
 * this instance's calls too, never for less than this instance already keeps it; a closing closes it
 * unless this instance opened it, or sent its own probe, later. Instances' clocks are taken to agree
 * to well within a cooldown.
 */
export function breakerApplied(state: BreakerState, transition: BreakerTransition): BreakerState {
  if (transition.state === 'closed') {
    if (state.openings === 0 || state.since > transition.since) return state;
    return { ...CLOSED_BREAKER, since: transition.since };
  }
  // An opening from before this instance's breaker last closed is news it has already had.
  if (state.openings === 0 && transition.since < state.since) return state;
  const openings = Math.max(state.openings, transition.openings, 1);
  const open_until = Math.max(state.open_until, transition.open_until);
  if (openings === state.openings && open_until === state.open_until) return state;
  return { ...state, openings, open_until, failures: Math.max(state.failures, transition.failures), since: Math.max(state.since, transition.since) };
}

/** The transition a change of state is, when it is one others must hear of. */
export function breakerTransition(before: BreakerState, after: BreakerState, now: number): BreakerTransition | undefined {
  if (before === after) return undefined;
  const state = breakerStateName(after, now);
  const changed = after.openings !== before.openings || after.probing !== before.probing || after.open_until !== before.open_until;
  if (!changed) return undefined;
  return { state, since: after.since, open_until: after.open_until, openings: after.openings, failures: after.failures };
}

function tripped(failures: number, window: readonly Bucket[], settings: BreakerSettings): boolean {
  if (settings.consecutive_failures > 0 && failures >= settings.consecutive_failures) return true;
  if (settings.min_calls === 0) return false;
  let calls = 0;
  let failed = 0;
  for (const bucket of window) {
    calls += bucket.calls;
    failed += bucket.failures;
  }
  return calls >= settings.min_calls && failed / calls > settings.error_rate;
}

/** The window with one more call, its buckets older than the window dropped. */
function counted(window: readonly Bucket[], now: number, failed: boolean, settings: BreakerSettings): Bucket[] {
  const slot = Math.floor((now * BUCKETS) / settings.window_ms);
  const kept = window.filter((bucket) => bucket.slot > slot - BUCKETS);
  const last = kept[kept.length - 1];
  if (last?.slot === slot) kept[kept.length - 1] = { slot, calls: last.calls + 1, failures: last.failures + (failed ? 1 : 0) };
  else kept.push({ slot, calls: 1, failures: failed ? 1 : 0 });
  return kept;
}

/**
 * The breakers as the provider-workers report them, for those who show them (the front doors): the
 * last transition of each target. Pure bookkeeping; whoever reads the breakers topic feeds it.
 */
export class BreakerBoard {
  private readonly last = new Map<string, BreakerEvent>();

  apply(event: BreakerEvent): void {
    this.last.set(event.target, event);
  }

  status(target: string, now: number): TargetStatus {
    const event = this.last.get(target);
    if (!event) return { target, state: 'closed', since: 0, open_until: 0, failures: 0 };
    // An open breaker whose cooldown has passed is due its probe.
    const state = event.state === 'open' && now >= event.open_until ? 'half_open' : event.state;
    return { target, state, since: event.since, open_until: event.open_until, failures: event.failures };
  }
}
