import type { LimitHolder, RequestLimits, SettlementEvent } from '@switchyard/contracts';
import { Limiter, MinuteWindow, unreachableSpendLedger, type AdmissionRequest, type SpendLedger } from './limiter';

/** The ledger as Postgres keeps it: a row per request, recorded once. */
class MemoryLedger implements SpendLedger {
  readonly rows = new Map<string, { key_id: string; team_id?: string; received_at: Date; cost_usd: number }>();
  down = false;

  async spent(holder: { key_id: string } | { team_id: string }, since: Date): Promise<number> {
    if (this.down) throw new Error('connection refused');
    let sum = 0;
    for (const row of this.rows.values()) {
      const matches = 'key_id' in holder ? row.key_id === holder.key_id : row.team_id === holder.team_id;
      if (matches && row.received_at >= since) sum += row.cost_usd;
    }
    return sum;
  }

  async record(entry: { request_id: string; key_id: string; team_id?: string; received_at: Date; cost_usd: number }): Promise<boolean> {
    if (this.down) throw new Error('connection refused');
    if (this.rows.has(entry.request_id)) return false;
    this.rows.set(entry.request_id, entry);
    return true;
  }
}

const NONE: Omit<LimitHolder, 'id'> = { rpm: null, tpm: null, budget_usd: null, budget_period: null };
const T0 = Date.UTC(2026, 11, 2, 12, 0, 0);

function limitsOf(key: Partial<LimitHolder> & { max_concurrent?: number | null } = {}, team?: Partial<LimitHolder>): RequestLimits {
  return {
    owner: team ? 'team_1' : 'key_1',
    key: { id: 'key_1', ...NONE, max_concurrent: null, ...key },
    ...(team ? { team: { id: 'team_1', ...NONE, ...team } } : {}),
  };
}

let sequence = 0;
function request(limits: RequestLimits, overrides: Partial<AdmissionRequest> = {}): AdmissionRequest {
  return { request_id: `r${++sequence}`, received_at: T0, deadline_at: T0 + 30_000, limits, tokens: 10, max_cost_usd: 0.01, ...overrides };
}

function settlement(admitted: AdmissionRequest, used: { tokens: number; cost_usd: number }, reservation = { tokens: admitted.tokens, cost_usd: admitted.max_cost_usd ?? 0 }): SettlementEvent {
  return { type: 'settlement', request_id: admitted.request_id, received_at: admitted.received_at, limits: admitted.limits, reservation, ...used };
}

describe('MinuteWindow', () => {
  it('counts the last sixty seconds, and says when an amount fits again', () => {
    const window = new MinuteWindow();
    window.add(T0, 3);
    window.add(T0 + 10_500, 2);
    expect(window.total(T0 + 59_999)).toBe(5);
    expect(window.total(T0 + 60_000)).toBe(2);
    expect(window.waitMs(T0 + 20_000, 5, 1)).toBe(40_000);
    expect(window.waitMs(T0 + 20_000, 5, 3)).toBe(40_000);
    expect(window.waitMs(T0 + 20_000, 5, 4)).toBe(50_000);
    expect(window.waitMs(T0 + 20_000, 6, 1)).toBe(0);
    expect(window.emptyInMs(T0 + 20_000)).toBe(50_000);
  });
});

describe('Limiter', () => {
  let now: number;
  let ledger: MemoryLedger;
  let limiter: Limiter;
  beforeEach(() => {
    now = T0;
    ledger = new MemoryLedger();
    limiter = new Limiter(ledger, undefined, () => now);
  });

  it('lets exactly rpm requests through in a minute, and says when the next fits', async () => {
    const limits = limitsOf({ rpm: 60 });
    const decisions = [];
    for (let i = 0; i < 61; i++) {
      now = T0 + i * 500;
      decisions.push(await limiter.admit(request(limits)));
    }
    expect(decisions.filter((decision) => decision.admitted)).toHaveLength(60);
    const last = decisions[60];
    expect(last.admitted).toBe(false);
    expect(!last.admitted && last.error.code).toBe('rate_limited');
    expect(!last.admitted && last.error.message).toBe('the virtual key key_1 is over its limit of 60 requests a minute');
    // The first two requests (second T0) leave the window 60 s after T0; the refusal came at T0 + 30 s.
    expect(!last.admitted && last.error.retryAfterMs).toBe(30_000);
    // Back to its full 60 when the last request (second T0 + 29) leaves the window.
    expect(last.rate_limit).toEqual({ limit_requests: 60, remaining_requests: 0, reset_requests_ms: 59_000 });
    now = T0 + 60_000;
    expect((await limiter.admit(request(limits))).admitted).toBe(true);
  });

  it('counts a request against its team too, so a team bounds all its keys', async () => {
    const first = limitsOf({ rpm: 10 }, { rpm: 3 });
    const second: RequestLimits = { ...first, key: { ...first.key, id: 'key_2' } };
    const admitted = [];
    for (const limits of [first, second, first, second]) admitted.push((await limiter.admit(request(limits))).admitted);
    expect(admitted).toEqual([true, true, true, false]);
    const refused = await limiter.admit(request(second));
    expect(!refused.admitted && refused.error.message).toBe('the team team_1 is over its limit of 3 requests a minute');
    expect(refused.rate_limit).toMatchObject({ limit_requests: 3, remaining_requests: 0 });
  });

  it('reserves a request\'s tokens up front and settles them to what was used', async () => {
    const limits = limitsOf({ tpm: 1000 });
    const big = request(limits, { tokens: 600 });
    expect((await limiter.admit(big)).admitted).toBe(true);
    const refused = await limiter.admit(request(limits, { tokens: 500 }));
    expect(!refused.admitted && refused.error.message).toBe('the virtual key key_1 is over its limit of 1000 tokens a minute (this request counts 500: its prompt, and its max_tokens or the default reserved without one)');
    await limiter.settle(settlement(big, { tokens: 120, cost_usd: 0 }));
    const after = await limiter.admit(request(limits, { tokens: 500 }));
    expect(after).toMatchObject({ admitted: true, rate_limit: { limit_tokens: 1000, remaining_tokens: 380 } });
  });

  it('holds a key to max_concurrent requests in flight; a settlement frees a place', async () => {
    const limits = limitsOf({ max_concurrent: 2 });
    const first = request(limits);
    expect((await limiter.admit(first)).admitted).toBe(true);
    expect((await limiter.admit(request(limits))).admitted).toBe(true);
    const refused = await limiter.admit(request(limits));
    expect(!refused.admitted && refused.error.message).toBe('the virtual key key_1 has 2 requests in flight, its max_concurrent; retry when one ends');
    await limiter.settle(settlement(first, { tokens: 10, cost_usd: 0 }));
    expect((await limiter.admit(request(limits))).admitted).toBe(true);
  });

  it('lets 200 concurrent requests spend no more than a budget that covers 10 of them', async () => {
    const limits = limitsOf({ budget_usd: 0.1, budget_period: 'month' });
    const requests = Array.from({ length: 200 }, () => request(limits, { max_cost_usd: 0.01 }));
    const decisions = await Promise.all(requests.map((each) => limiter.admit(each)));
    const admitted = requests.filter((_, index) => decisions[index].admitted);
    expect(admitted).toHaveLength(10);
    const refused = decisions.find((decision) => !decision.admitted)!;
    expect(!refused.admitted && refused.error.code).toBe('budget_exceeded');
    expect(!refused.admitted && refused.error.message).toBe(
      "the virtual key key_1's budget of 0.1 USD a month has 0.000000 USD left, less than this request's highest possible cost of 0.010000 USD; it resets at 2027-01-01T00:00:00.000Z",
    );
    expect(!refused.admitted && refused.error.retryAfterMs).toBe(Date.UTC(2027, 0, 1) - T0);
    // Settled for less than reserved: what was left over goes back to the budget.
    await Promise.all(admitted.map((each) => limiter.settle(settlement(each, { tokens: 10, cost_usd: 0.004 }))));
    expect([...ledger.rows.values()].reduce((sum, row) => sum + row.cost_usd, 0)).toBeCloseTo(0.04, 10);
    const more = await Promise.all(Array.from({ length: 10 }, () => limiter.admit(request(limits, { max_cost_usd: 0.01 }))));
    expect(more.filter((decision) => decision.admitted)).toHaveLength(6);
  });

  it('starts from the ledger\'s spend after a restart, and counts a settlement delivered twice once', async () => {
    const limits = limitsOf({ budget_usd: 1, budget_period: 'day' });
    const spent = request(limits, { max_cost_usd: 0.5 });
    await limiter.admit(spent);
    await limiter.settle(settlement(spent, { tokens: 10, cost_usd: 0.5 }));
    await limiter.settle(settlement(spent, { tokens: 10, cost_usd: 0.5 }));
    expect(ledger.rows.size).toBe(1);

    // A request admitted before the restart settles after it, on the new instance: counted once, there.
    const inFlight = request(limits, { max_cost_usd: 0.3 });
    await limiter.admit(inFlight);
    const restarted = new Limiter(ledger, undefined, () => now);
    await restarted.settle(settlement(inFlight, { tokens: 10, cost_usd: 0.3 }));
    await restarted.settle(settlement(inFlight, { tokens: 10, cost_usd: 0.3 }));
    const refused = await restarted.admit(request(limits, { max_cost_usd: 0.25 }));
    expect(!refused.admitted && refused.error.message).toMatch(/has 0\.200000 USD left/);
    expect((await restarted.admit(request(limits, { max_cost_usd: 0.2 }))).admitted).toBe(true);
  });

  it('starts a budget\'s new period from nothing', async () => {
    const limits = limitsOf({ budget_usd: 1, budget_period: 'day' });
    const spent = request(limits, { max_cost_usd: 1 });
    await limiter.admit(spent);
    await limiter.settle(settlement(spent, { tokens: 10, cost_usd: 1 }));
    expect((await limiter.admit(request(limits, { max_cost_usd: 0.1 }))).admitted).toBe(false);
    now = Date.UTC(2026, 11, 3);
    expect((await limiter.admit(request(limits, { max_cost_usd: 0.1, received_at: now }))).admitted).toBe(true);
  });

  it('refuses a model without a price under a budget, rather than count it free', async () => {
    const decision = await limiter.admit(request(limitsOf({ budget_usd: 1, budget_period: 'total' }), { max_cost_usd: undefined }));
    expect(!decision.admitted && decision.error.code).toBe('model_not_allowed');
    expect((await limiter.admit(request(limitsOf({ rpm: 5 }), { max_cost_usd: undefined }))).admitted).toBe(true);
  });

  it('refuses budgeted requests while the ledger cannot be read, and reads it again after', async () => {
    ledger.down = true;
    const limits = limitsOf({ budget_usd: 1, budget_period: 'week' });
    await expect(limiter.admit(request(limits))).rejects.toMatchObject({ code: 'budget_exceeded', message: 'the spend of key key_1 could not be read, so its budget cannot be checked: connection refused' });
    ledger.down = false;
    expect((await limiter.admit(request(limits))).admitted).toBe(true);
  });

  it('keeps rate limits without a ledger, and refuses budgets saying why', async () => {
    const alone = new Limiter(unreachableSpendLedger('no DATABASE_URL'), undefined, () => now);
    expect((await alone.admit(request(limitsOf({ rpm: 1 })))).admitted).toBe(true);
    expect((await alone.admit(request(limitsOf({ rpm: 1 })))).admitted).toBe(false);
    await expect(alone.admit(request(limitsOf({ budget_usd: 1, budget_period: 'day' })))).rejects.toMatchObject({ code: 'budget_exceeded', message: expect.stringContaining('no DATABASE_URL') });
  });

  // Regression: a request whose settlement never came kept its place in max_concurrent and its reserved
  // cost until the router restarted.
  it('releases a reservation a minute after its deadline when no settlement came, and still counts a late one', async () => {
    const limits = limitsOf({ max_concurrent: 1, budget_usd: 1, budget_period: 'total' });
    const lost = request(limits, { max_cost_usd: 0.6 });
    expect((await limiter.admit(lost)).admitted).toBe(true);
    now = lost.deadline_at + 55_000;
    expect((await limiter.admit(request(limits, { max_cost_usd: 0.3 }))).admitted).toBe(false);
    // Looked for every 10 s.
    now = lost.deadline_at + 65_000;
    const next = request(limits, { max_cost_usd: 0.6, received_at: now, deadline_at: now + 30_000 });
    expect((await limiter.admit(next)).admitted).toBe(true);
    expect(limiter.inFlight).toBe(1);
    await limiter.settle(settlement(lost, { tokens: 10, cost_usd: 0.5 }));
    await limiter.settle(settlement(next, { tokens: 10, cost_usd: 0.4 }));
    const refused = await limiter.admit(request(limits, { max_cost_usd: 0.2, received_at: now, deadline_at: now + 30_000 }));
    expect(!refused.admitted && refused.error.message).toBe("the virtual key key_1's budget of 1 USD a total has 0.100000 USD left, less than this request's highest possible cost of 0.200000 USD; it does not reset (period total)");
  });

  // Regression: with virtual keys off, a producer on Kafka can name owners of its own, and every one
  // named stayed in memory.
  it('forgets owners idle for a whole window, keeping those with requests in flight', async () => {
    await limiter.admit(request(limitsOf({ rpm: 5 }, { rpm: 5 })));
    for (let n = 0; n < 100; n++) {
      const named = request({ owner: `producer-${n}`, key: { id: `producer-${n}`, ...NONE, rpm: 5, max_concurrent: null } });
      await limiter.admit(named);
      await limiter.settle(settlement(named, { tokens: 10, cost_usd: 0 }));
    }
    expect(limiter.owners).toBe(102);
    now += 61_000;
    await limiter.admit(request(limitsOf({ rpm: 5 }), { received_at: now, deadline_at: now + 30_000 }));
    // key_1 has requests in flight; its team and the producers' owners are idle.
    expect(limiter.owners).toBe(1);
    expect(limiter.inFlight).toBe(2);
  });
});
