// Circuit breakers, as every provider-worker instance publishes their transitions and as ListModels
// and GET /v1/models show them.

/** closed: calls go out; open: no calls until open_until; half_open: one probe is out, or due. */
export type BreakerStateName = 'closed' | 'open' | 'half_open';

/** A route's target and its breaker, as the provider-workers last reported it. */
export interface TargetStatus {
  /** `<provider block>/<upstream model>`. */
  target: string;
  state: BreakerStateName;
  /** Epoch milliseconds the state began; 0 for a breaker never opened. */
  since: number;
  /** open: epoch milliseconds until which the target gets no call but a probe after; half_open: until which the probe holds it. */
  open_until: number;
  /** The failures in a row counted when the state began. */
  failures: number;
}

/** A breaker's transition, on the compacted breakers topic keyed by target: the last one per target is its state. */
export interface BreakerEvent extends TargetStatus {
  /** Openings since it was last closed: the cooldown grows with them. */
  openings: number;
  /** The provider-worker instance that saw it. */
  worker: string;
}
