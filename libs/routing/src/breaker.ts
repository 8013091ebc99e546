// A circuit breaker per target, as a pure state machine: the executor keeps one state per target and
// replaces it with what these functions return.
import type { TargetHealth } from './plan';

export interface BreakerSettings {
  /** Consecutive failures that open the breaker. */
  failures_to_open: number;
  /** How long the breaker stays open the first time; each re-opening doubles it, up to max_cooldown_ms. */
  cooldown_ms: number;
  max_cooldown_ms: number;
}

export const DEFAULT_BREAKER: BreakerSettings = { failures_to_open: 5, cooldown_ms: 5_000, max_cooldown_ms: 300_000 };

export interface BreakerState {
  /** Failures since the last success. */
  failures: number;
  /** Times opened since it was last closed by a success; the cooldown grows with it. */
  openings: number;
  /** Epoch milliseconds until which the target gets no call; 0 when closed. */
  open_until: number;
  /** A probe is in flight: the target gets no other call until it ends. */
  probing: boolean;
}

export const CLOSED_BREAKER: BreakerState = { failures: 0, openings: 0, open_until: 0, probing: false };

export function breakerHealth(state: BreakerState, now: number): TargetHealth {
  if (state.openings === 0) return 'closed';
  return state.probing || now < state.open_until ? 'open' : 'probe';
}

/** A call goes to the target: when its breaker was due a probe, this call is the probe. */
export function breakerCalled(state: BreakerState, now: number): BreakerState {
  return breakerHealth(state, now) === 'probe' ? { ...state, probing: true } : state;
}

export function breakerSucceeded(state: BreakerState): BreakerState {
  return state.failures === 0 && state.openings === 0 ? state : CLOSED_BREAKER;
}

/** A probe that ended with no verdict (its caller left): the next call may probe again. */
export function breakerReleased(state: BreakerState): BreakerState {
  return state.probing ? { ...state, probing: false } : state;
}

/**
 * A retryable failure. It opens the breaker after enough in a row, or at once when it was a probe; an
 * open breaker's deadline only ever moves later, so a re-opening never shortens a longer cooldown.
 */
export function breakerFailed(state: BreakerState, now: number, settings: BreakerSettings): BreakerState {
  const failures = state.failures + 1;
  // A call that began before the breaker opened, failing now, does not re-open it.
  if (!state.probing && (failures < settings.failures_to_open || now < state.open_until)) return { ...state, failures };
  const cooldown = Math.min(settings.max_cooldown_ms, settings.cooldown_ms * 2 ** state.openings);
  return { failures, openings: state.openings + 1, open_until: Math.max(state.open_until, now + cooldown), probing: false };
}
