// The limits check: requests and tokens a minute, concurrent requests and budgets, per virtual key and
// per team. One instance holds all of an owner's counters (the requests topic is keyed by the owner, see
// RequestLimits), so a decision needs no shared store and cannot race another instance's: it checks and
// reserves in one synchronous step. Budgets reserve a request's highest possible cost before the call
// and settle the metered cost after it; settled spend is kept in a ledger, so a restart or a rebalance
// starts from what was spent.
import { budgetPeriodAt, GatewayError, type LimitHolder, type RateLimitStatus, type RequestLimits, type Reservation, type SettlementEvent } from '@switchyard/contracts';

const WINDOW_SECONDS = 60;
const COST_EPSILON_USD = 1e-11;
// A reservation is released this long after its request's deadline if no settlement came: metering
// settles every request, so only a lost event leaves one held. A settlement that comes later still counts
// its cost (see settle: one not held is counted from the ledger).
const SETTLEMENT_GRACE_MS = 60_000;
// How often expired reservations and idle owners are looked for. Owners idle for a whole window hold
// nothing a decision needs; forgetting them bounds memory when producers name owners of their own.
const SWEEP_INTERVAL_MS = 10_000;

/**
 * What was spent, per key and team, kept where it survives the process. `record` is idempotent by
 * request id, so a settlement delivered twice (metering redelivered, or a partition that moved) counts once.
 */
export interface SpendLedger {
  /** The cost recorded for a key (or a team) on requests received since `since`. */
  spent(holder: { key_id: string } | { team_id: string }, since: Date): Promise<number>;
  /** Records a request's cost; false when it was recorded already. */
  record(entry: { request_id: string; key_id: string; team_id?: string; received_at: Date; cost_usd: number }): Promise<boolean>;
}

/** Counts over the last minute in one-second slots: bounded memory, exact to the second. */
export class MinuteWindow {
  private readonly counts = new Float64Array(WINDOW_SECONDS);
  private readonly seconds = new Float64Array(WINDOW_SECONDS).fill(-Infinity);

  total(nowMs: number): number {
    const oldest = Math.floor(nowMs / 1000) - WINDOW_SECONDS;
    let total = 0;
    for (let slot = 0; slot < WINDOW_SECONDS; slot++) if (this.seconds[slot] > oldest) total += this.counts[slot];
    return total;
  }

  add(atMs: number, amount: number): void {
    const second = Math.floor(atMs / 1000);
    const slot = second % WINDOW_SECONDS;
    if (this.seconds[slot] !== second) {
      this.seconds[slot] = second;
      this.counts[slot] = 0;
    }
    this.counts[slot] += amount;
  }

  /** Corrects what was added at `atMs` (a reservation settled), while that second is still counted. */
  adjust(atMs: number, delta: number): void {
    const second = Math.floor(atMs / 1000);
    const slot = second % WINDOW_SECONDS;
    if (this.seconds[slot] === second) this.counts[slot] = Math.max(0, this.counts[slot] + delta);
  }

  /** Milliseconds until the window holds nothing: OpenAI's x-ratelimit-reset-* (the limit back to its initial state). */
  emptyInMs(nowMs: number): number {
    const now = Math.floor(nowMs / 1000);
    for (let second = now; second > now - WINDOW_SECONDS; second--) {
      const slot = ((second % WINDOW_SECONDS) + WINDOW_SECONDS) % WINDOW_SECONDS;
      if (this.seconds[slot] === second && this.counts[slot] > 0) return (second + WINDOW_SECONDS) * 1000 - nowMs;
    }
    return 0;
  }

  /** Milliseconds until `amount` more fits under `limit` as the oldest seconds leave the window (0: it fits now). */
  waitMs(nowMs: number, limit: number, amount: number): number {
    const now = Math.floor(nowMs / 1000);
    let excess = this.total(nowMs) + amount - limit;
    if (excess <= 0) return 0;
    for (let second = now - WINDOW_SECONDS + 1; second <= now; second++) {
      const slot = ((second % WINDOW_SECONDS) + WINDOW_SECONDS) % WINDOW_SECONDS;
      if (this.seconds[slot] !== second) continue;
      excess -= this.counts[slot];
      if (excess <= 0) return (second + WINDOW_SECONDS) * 1000 - nowMs;
    }
    // More than the limit even alone: it never fits; the caller is told to wait a whole window.
    return WINDOW_SECONDS * 1000;
  }
}

interface Budget {
  periodStart: number;
  resetsAt: number | null;
  spent: number;
  reserved: number;
  /** Settles once the period's spend is read from the ledger. */
  loaded: Promise<void>;
}

interface HolderState {
  requests: MinuteWindow;
  tokens: MinuteWindow;
  inFlight: number;
  budget?: Budget;
  /** When a decision or a settlement last used it. */
  usedAt: number;
}

interface Held {
  at: number;
  /** When it is released if no settlement has come. */
  expiresAt: number;
  tokens: number;
  cost: number;
  key: HolderState;
  team?: HolderState;
  budgets: Budget[];
}

/** A request the limits check let through, with its reservation and the caller's standing after it. */
export type Admission =
  | { admitted: true; reservation: Reservation; rate_limit: RateLimitStatus }
  | { admitted: false; error: GatewayError; rate_limit: RateLimitStatus; limit: LimitName; holder: 'key' | 'team' };

/** Which limit refused a request (a metric's label, so a closed set). */
export type LimitName = 'rpm' | 'tpm' | 'max_concurrent' | 'budget';

interface Refusal {
  error: GatewayError;
  limit: LimitName;
  holder: 'key' | 'team';
}

export interface AdmissionRequest {
  request_id: string;
  received_at: number;
  limits: RequestLimits;
  /** Prompt tokens counted, plus the most the answer may hold. */
  tokens: number;
  /** The request's highest possible cost; undefined when a model it may be served by has no price. */
  max_cost_usd: number | undefined;
  /** When the front door stops waiting for the answer (epoch ms). */
  deadline_at: number;
}

export class Limiter {
  private readonly holders = new Map<string, HolderState>();
  private readonly held = new Map<string, Held>();
  private sweptAt: number;

  constructor(
    private readonly ledger: SpendLedger,
    private readonly onLedgerError: (error: Error) => void = () => undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.sweptAt = now();
  }

  /** Decides a request and, when it is let through, reserves its share of every limit at once. */
  async admit(request: AdmissionRequest): Promise<Admission> {
    const { limits } = request;
    const nowMs = this.now();
    if (nowMs - this.sweptAt >= SWEEP_INTERVAL_MS) this.sweep(nowMs);
    const key = this.holder('key', limits.key.id, nowMs);
    const team = limits.team ? this.holder('team', limits.team.id, nowMs) : undefined;
    const budgets = await this.budgetsOf(limits, key, team, nowMs);
    // From here to the reservation nothing waits: no other decision can come between the check and it.
    const checks: [LimitHolder, HolderState][] = team ? [[limits.key, key], [limits.team!, team]] : [[limits.key, key]];
    const refusal = this.refusal(request, checks, budgets, nowMs);
    if (refusal) return { admitted: false, ...refusal, rate_limit: this.status(checks, nowMs) };
    const cost = budgets.length > 0 ? request.max_cost_usd! : 0;
    for (const [, state] of checks) {
      state.requests.add(nowMs, 1);
      state.tokens.add(nowMs, request.tokens);
    }
    key.inFlight++;
    for (const { budget } of budgets) budget.reserved += cost;
    this.held.set(request.request_id, { at: nowMs, expiresAt: request.deadline_at + SETTLEMENT_GRACE_MS, tokens: request.tokens, cost, key, team, budgets: budgets.map(({ budget }) => budget) });
    return { admitted: true, reservation: { tokens: request.tokens, cost_usd: cost }, rate_limit: this.status(checks, nowMs) };
  }

  /** Settles an admitted request: its tokens and cost replace what was reserved; a settlement seen before is ignored. */
  async settle(settlement: SettlementEvent): Promise<void> {
    const held = this.held.get(settlement.request_id);
    const budgeted = settlement.limits.key.budget_usd !== null || (settlement.limits.team?.budget_usd ?? null) !== null;
    if (held) {
      this.release(settlement.request_id, held);
      held.key.tokens.adjust(held.at, settlement.tokens - held.tokens);
      held.team?.tokens.adjust(held.at, settlement.tokens - held.tokens);
      for (const budget of held.budgets) budget.spent += settlement.cost_usd;
    }
    if (!budgeted || settlement.cost_usd === 0) return;
    // A settlement this instance reserved nothing for (a restart or a rebalance came between) counts once
    // the ledger is read, so that it is not in both the ledger's sum and what is added here.
    const nowMs = this.now();
    const budgets = held
      ? []
      : (await this.budgetsOf(settlement.limits, this.holder('key', settlement.limits.key.id, nowMs), settlement.limits.team && this.holder('team', settlement.limits.team.id, nowMs), nowMs)).map(({ budget }) => budget);
    let recorded: boolean;
    try {
      recorded = await this.ledger.record({
        request_id: settlement.request_id,
        key_id: settlement.limits.key.id,
        ...(settlement.limits.team ? { team_id: settlement.limits.team.id } : {}),
        received_at: new Date(settlement.received_at),
        cost_usd: settlement.cost_usd,
      });
    } catch (error) {
      // The spend stays counted here; only a restart before the ledger is back would forget it.
      this.onLedgerError(error as Error);
      return;
    }
    if (held && !recorded) for (const budget of held.budgets) budget.spent -= settlement.cost_usd;
    if (!held && recorded) {
      for (const budget of budgets) if (settlement.received_at >= budget.periodStart) budget.spent += settlement.cost_usd;
    }
  }

  /** Requests reserved and not yet settled (for tests and metrics). */
  get inFlight(): number {
    return this.held.size;
  }

  /** Keys and teams whose counters are kept (for tests). */
  get owners(): number {
    return this.holders.size;
  }

  private release(requestId: string, held: Held): void {
    this.held.delete(requestId);
    held.key.inFlight--;
    for (const budget of held.budgets) budget.reserved -= held.cost;
  }

  /** Releases reservations long past their deadline, and forgets owners idle for a whole window. */
  private sweep(nowMs: number): void {
    this.sweptAt = nowMs;
    for (const [requestId, held] of this.held) if (held.expiresAt <= nowMs) this.release(requestId, held);
    const idleSince = nowMs - WINDOW_SECONDS * 1000;
    for (const [name, state] of this.holders) {
      const reserving = state.inFlight > 0 || (state.budget !== undefined && state.budget.reserved > COST_EPSILON_USD);
      if (!reserving && state.usedAt < idleSince) this.holders.delete(name);
    }
  }

  private holder(kind: 'key' | 'team', id: string, nowMs: number): HolderState {
    const name = `${kind}:${id}`;
    let state = this.holders.get(name);
    if (!state) {
      state = { requests: new MinuteWindow(), tokens: new MinuteWindow(), inFlight: 0, usedAt: nowMs };
      this.holders.set(name, state);
    }
    state.usedAt = nowMs;
    return state;
  }

  /** The budgets that bound a request, each read from the ledger for its current period first. */
  private async budgetsOf(limits: RequestLimits, key: HolderState, team: HolderState | undefined, nowMs: number): Promise<{ holder: LimitHolder; kind: 'key' | 'team'; budget: Budget }[]> {
    const found: { holder: LimitHolder; kind: 'key' | 'team'; budget: Budget }[] = [];
    const consider = (holder: LimitHolder, kind: 'key' | 'team', state: HolderState) => {
      if (holder.budget_usd === null || holder.budget_period === null) return;
      const period = budgetPeriodAt(holder.budget_period, new Date(nowMs));
      if (state.budget?.periodStart !== period.start.getTime()) {
        const budget: Budget = { periodStart: period.start.getTime(), resetsAt: period.resets_at?.getTime() ?? null, spent: 0, reserved: 0, loaded: Promise.resolve() };
        budget.loaded = this.ledger.spent(kind === 'key' ? { key_id: holder.id } : { team_id: holder.id }, period.start).then(
          (spent) => void (budget.spent += spent),
          (error: Error) => {
            // Unknown spend: refuse what the budget bounds until the ledger answers (fail closed), and ask it again.
            if (state.budget === budget) state.budget = undefined;
            throw new GatewayError('budget_exceeded', `the spend of ${kind} ${holder.id} could not be read, so its budget cannot be checked: ${error.message}`, { retryAfterMs: 1000 });
          },
        );
        state.budget = budget;
      }
      found.push({ holder, kind, budget: state.budget });
    };
    consider(limits.key, 'key', key);
    if (limits.team && team) consider(limits.team, 'team', team);
    for (const { budget } of found) await budget.loaded;
    return found;
  }

  private refusal(request: AdmissionRequest, checks: [LimitHolder, HolderState][], budgets: { holder: LimitHolder; kind: 'key' | 'team'; budget: Budget }[], nowMs: number): Refusal | undefined {
    const { limits } = request;
    const [key] = checks[0];
    if (limits.key.max_concurrent !== null && checks[0][1].inFlight >= limits.key.max_concurrent) {
      const error = new GatewayError('rate_limited', `the virtual key ${key.id} has ${limits.key.max_concurrent} requests in flight, its max_concurrent; retry when one ends`, { retryAfterMs: 1000 });
      return { error, limit: 'max_concurrent', holder: 'key' };
    }
    for (const [holder, state] of checks) {
      const kind = holder === key ? 'key' : 'team';
      const who = kind === 'key' ? `the virtual key ${holder.id}` : `the team ${holder.id}`;
      if (holder.rpm !== null) {
        const wait = state.requests.waitMs(nowMs, holder.rpm, 1);
        if (wait > 0) return { error: new GatewayError('rate_limited', `${who} is over its limit of ${holder.rpm} requests a minute`, { retryAfterMs: wait }), limit: 'rpm', holder: kind };
      }
      if (holder.tpm !== null) {
        const wait = state.tokens.waitMs(nowMs, holder.tpm, request.tokens);
        const message = `${who} is over its limit of ${holder.tpm} tokens a minute (this request counts ${request.tokens}: its prompt, and its max_tokens or the default reserved without one)`;
        if (wait > 0) return { error: new GatewayError('rate_limited', message, { retryAfterMs: wait }), limit: 'tpm', holder: kind };
      }
    }
    for (const { holder, kind, budget } of budgets) {
      const who = kind === 'key' ? `the virtual key ${holder.id}` : `the team ${holder.id}`;
      if (request.max_cost_usd === undefined) {
        const error = new GatewayError('model_not_allowed', `${who} has a budget, and a model this request may be served by has no price, so its cost could not be counted; price it in the configuration's pricing`);
        return { error, limit: 'budget', holder: kind };
      }
      const remaining = holder.budget_usd! - budget.spent - budget.reserved;
      // Costs are whole multiples of 1e-10 USD (pricing rounds them); sums of them carry float noise below that.
      if (request.max_cost_usd > remaining + COST_EPSILON_USD) {
        const resets = budget.resetsAt === null ? 'it does not reset (period total)' : `it resets at ${new Date(budget.resetsAt).toISOString()}`;
        const error = new GatewayError(
          'budget_exceeded',
          `${who}'s budget of ${holder.budget_usd} USD a ${holder.budget_period} has ${Math.max(0, remaining).toFixed(6)} USD left, less than this request's highest possible cost of ${request.max_cost_usd.toFixed(6)} USD; ${resets}`,
          budget.resetsAt === null ? {} : { retryAfterMs: budget.resetsAt - nowMs },
        );
        return { error, limit: 'budget', holder: kind };
      }
    }
    return undefined;
  }

  /** The tightest requests and tokens limits among the key's and the team's. */
  private status(checks: [LimitHolder, HolderState][], nowMs: number): RateLimitStatus {
    const status: RateLimitStatus = {};
    for (const [holder, state] of checks) {
      if (holder.rpm !== null) {
        const remaining = Math.max(0, holder.rpm - state.requests.total(nowMs));
        if (status.remaining_requests === undefined || remaining < status.remaining_requests) {
          status.limit_requests = holder.rpm;
          status.remaining_requests = remaining;
          status.reset_requests_ms = state.requests.emptyInMs(nowMs);
        }
      }
      if (holder.tpm !== null) {
        const remaining = Math.max(0, holder.tpm - state.tokens.total(nowMs));
        if (status.remaining_tokens === undefined || remaining < status.remaining_tokens) {
          status.limit_tokens = holder.tpm;
          status.remaining_tokens = remaining;
          status.reset_tokens_ms = state.tokens.emptyInMs(nowMs);
        }
      }
    }
    return status;
  }
}

/** The ledger of a process that has none: budgets are refused with the reason (fail closed), rate limits still hold. */
export function unreachableSpendLedger(reason: string): SpendLedger {
  const fail = () => Promise.reject(new Error(reason));
  return { spent: fail, record: fail };
}
