import {
  BreakerBoard,
  CLOSED_BREAKER,
  DEFAULT_BREAKER,
  breakerApplied,
  breakerCalled,
  breakerFailed,
  breakerHealth,
  breakerReleased,
  breakerSucceeded,
  breakerTransition,
  parseRoute,
  plan,
  RouteError,
  type BreakerState,
  type PlanInputs,
  type RequestFacts,
  type RouteContext,
  type RouteNode,
  type TargetStats,
} from './index';

const context: RouteContext = {
  hasProvider: (name) => ['openai', 'azure-eu', 'anthropic', 'vision-less'].includes(name),
  capabilities: ['chat', 'vision'],
  targetCapabilities: (target) => (target.provider === 'vision-less' ? ['chat', 'streaming'] : undefined),
};

const route = (value: unknown): RouteNode => parseRoute(value, 'models.0.route', context);

/** A seeded generator (mulberry32), so that draws are the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const facts: RequestFacts = { metadata: undefined, api_key_id: 'k1', tools: false, images: false, stream: false };
const healthy: TargetStats = { health: 'closed', in_flight: 0 };

function inputs(overrides: Partial<PlanInputs> & { statsOf?: Record<string, Partial<TargetStats>> } = {}): PlanInputs {
  const { statsOf = {}, ...rest } = overrides;
  return { facts, random: seeded(1), stats: (node) => ({ ...healthy, ...statsOf[node.key] }), ...rest };
}

const keys = (tree: RouteNode, given: PlanInputs = inputs()) => plan(tree, given).map((attempt) => attempt.node.key);

describe('route parsing', () => {
  it.each([
    ['a string', 'openai', 'models.0.route: expected a route node'],
    ['an empty node', {}, 'models.0.route: an empty node'],
    ['two kinds in one node', { target: 'openai/a', fallback: [] }, 'models.0.route: one node holds target and fallback'],
    ['an unknown provider block', { fallback: [{ target: 'azre-eu/gpt-4o' }] }, 'models.0.route.fallback.0.target: unknown provider block "azre-eu"'],
    ['a target without a model', { target: 'openai/' }, 'models.0.route.target: expected <provider block>/<upstream model>'],
    ['an empty fallback', { fallback: [] }, 'models.0.route.fallback: expected a list of at least one route node'],
    ['a negative weight', { loadbalance: { targets: [{ target: 'openai/a', weight: -1 }] } }, 'models.0.route.loadbalance.targets.0.weight: expected a number from 0 to 1000000, got -1'],
    ['weights all 0', { loadbalance: { targets: [{ target: 'openai/a', weight: 0 }] } }, 'models.0.route.loadbalance.targets: every weight is 0'],
    ['an unknown strategy', { loadbalance: { strategy: 'fastest', targets: [{ target: 'openai/a' }] } }, 'models.0.route.loadbalance.strategy: expected one of weighted'],
    ['a weight outside a loadbalance', { target: 'openai/a', weight: 2 }, 'models.0.route.weight: unknown key (weight belongs to the members of a loadbalance)'],
    ['percents over 100', { split: [{ percent: 90, route: { target: 'openai/a' } }, { percent: 20, route: { target: 'openai/b' } }] }, 'models.0.route.split: the percents add up to 110'],
    ['a percent out of range', { split: [{ percent: 101, route: { target: 'openai/a' } }] }, 'models.0.route.split.0.percent: expected a number from 0 to 100, got 101'],
    ['a conditional without default', { conditional: [{ when: { tools: true }, route: { target: 'openai/a' } }] }, 'models.0.route.conditional: the last branch must be { default: <route> }'],
    ['an unknown condition', { conditional: [{ when: { api_key_id: 'x' }, route: { target: 'openai/a' } }, { default: { target: 'openai/b' } }] }, 'models.0.route.conditional.0.when.api_key_id: unknown condition; expected metadata.<key>, key, team, prompt_tokens, messages, tools, images, stream'],
    ['a size range upside down', { conditional: [{ when: { prompt_tokens: { min: 10, max: 5 } }, route: { target: 'openai/a' } }, { default: { target: 'openai/b' } }] }, 'models.0.route.conditional.0.when.prompt_tokens: max (5) is below min (10)'],
    ['a size that is not a range', { conditional: [{ when: { messages: 20 }, route: { target: 'openai/a' } }, { default: { target: 'openai/b' } }] }, 'models.0.route.conditional.0.when.messages: expected { min, max }, either or both'],
    ['an empty team', { conditional: [{ when: { team: '' }, route: { target: 'openai/a' } }, { default: { target: 'openai/b' } }] }, 'models.0.route.conditional.0.when.team: expected a string or a list of strings'],
    ['a target lacking a declared capability', { fallback: [{ target: 'openai/a' }, { target: 'vision-less/b' }] }, 'models.0.route.fallback.1.target: vision-less/b does not offer vision, which the model declares'],
    ['retry attempts out of range', { target: 'openai/a', retry: { attempts: 0 } }, 'models.0.route.retry.attempts: expected a whole number from 1 to 10, got 0'],
    ['a misspelt key', { target: 'openai/a', timeout: 5 }, 'models.0.route.timeout: unknown key'],
    ['an unknown fallback code', { fallback: [{ target: 'openai/a' }], on: ['internal'] }, 'models.0.route.on: expected codes from provider_invalid_request, provider_auth_failed'],
  ])('refuses %s, naming its path', (_name, value, message) => {
    expect(() => route(value)).toThrow(RouteError);
    expect(() => route(value)).toThrow(message);
  });

  it('lists every problem of a tree at once', () => {
    const error = (() => {
      try {
        route({ fallback: [{ target: 'nope/a' }, {}] });
      } catch (caught) {
        return caught as RouteError;
      }
      throw new Error('no error');
    })();
    expect(error.problems).toEqual([
      'models.0.route.fallback.0.target: unknown provider block "nope"; configure it under providers',
      'models.0.route.fallback.1: an empty node; give exactly one of target, fallback, loadbalance, conditional, split',
    ]);
  });

  it('splits a target at its first slash, and passes retry and timeout down to the targets below', () => {
    const tree = route({ fallback: [{ target: 'openai/org/model-a' }, { target: 'anthropic/b', retry: { attempts: 3 } }], retry: { attempts: 2, backoff_ms: 50 }, timeout_ms: 900 });
    expect(plan(tree, inputs()).map(({ node }) => ({ target: node.target, retry: node.retry, timeout_ms: node.timeout_ms, path: node.path }))).toEqual([
      { target: { provider: 'openai', upstream_model: 'org/model-a' }, retry: { attempts: 2, backoff_ms: 50, max_backoff_ms: 5000 }, timeout_ms: 900, path: 'models.0.route.fallback.0' },
      { target: { provider: 'anthropic', upstream_model: 'b' }, retry: { attempts: 3, backoff_ms: 50, max_backoff_ms: 5000 }, timeout_ms: 900, path: 'models.0.route.fallback.1' },
    ]);
  });
});

describe('planning', () => {
  const lb = route({
    fallback: [
      { loadbalance: { strategy: 'weighted', targets: [{ target: 'openai/a', weight: 3 }, { target: 'azure-eu/a', weight: 1 }] } },
      { target: 'anthropic/c' },
    ],
  });

  it('honours weights within 3% over 10,000 draws, and keeps the other members and the fallback after the chosen one', () => {
    const given = inputs({ random: seeded(42) });
    const firsts = { 'openai/a': 0, 'azure-eu/a': 0 } as Record<string, number>;
    const orders = new Set<string>();
    for (let draw = 0; draw < 10_000; draw++) {
      const order = keys(lb, given);
      orders.add(order.join(' '));
      firsts[order[0]]++;
    }
    expect([...orders].sort()).toEqual(['azure-eu/a openai/a anthropic/c', 'openai/a azure-eu/a anthropic/c']);
    expect(Math.abs(firsts['openai/a'] / 10_000 - 0.75)).toBeLessThan(0.03);
    expect(Math.abs(firsts['azure-eu/a'] / 10_000 - 0.25)).toBeLessThan(0.03);
  });

  it('splits traffic by percent within 3% over 10,000 draws, and never spills into the other branch', () => {
    const canary = route({ split: [{ percent: 90, route: { target: 'openai/a' } }, { percent: 10, route: { target: 'openai/b' } }] });
    const given = inputs({ random: seeded(7) });
    const plans = new Map<string, number>();
    for (let draw = 0; draw < 10_000; draw++) {
      const order = keys(canary, given).join(' ');
      plans.set(order, (plans.get(order) ?? 0) + 1);
    }
    expect([...plans.keys()].sort()).toEqual(['openai/a', 'openai/b']);
    const canaries = plans.get('openai/b')!;
    expect(Math.abs(canaries / 10_000 - 0.1)).toBeLessThan(0.03);
  });

  it('never picks a member of weight 0 first', () => {
    const tree = route({ loadbalance: { targets: [{ target: 'openai/a', weight: 0 }, { target: 'openai/b' }] } });
    const given = inputs({ random: seeded(3) });
    const orders = new Set(Array.from({ length: 1000 }, () => keys(tree, given).join(' ')));
    expect([...orders]).toEqual(['openai/b openai/a']);
  });

  const byTeam = route({
    conditional: [
      { when: { 'metadata.team': ['research', 'lab'] }, route: { target: 'anthropic/sonnet' } },
      { when: { tools: true, stream: true }, route: { target: 'openai/tools-stream' } },
      { when: { images: true }, route: { target: 'openai/vision' } },
      { default: { target: 'openai/mini' } },
    ],
  });

  it.each([
    ['metadata that matches', { metadata: { team: 'lab' } }, 'anthropic/sonnet'],
    ['metadata that does not', { metadata: { team: 'sales' } }, 'openai/mini'],
    ['tools and streaming', { tools: true, stream: true }, 'openai/tools-stream'],
    ['tools without streaming', { tools: true }, 'openai/mini'],
    ['an image', { images: true }, 'openai/vision'],
    ['nothing special', {}, 'openai/mini'],
  ])('routes a request with %s by the first branch that matches', (_name, overrides, expected) => {
    expect(keys(byTeam, inputs({ facts: { ...facts, ...overrides } }))).toEqual([expected]);
  });

  it.each([
    ['least_busy', { 'openai/a': { in_flight: 5 }, 'openai/b': { in_flight: 2 }, 'openai/c': { in_flight: 9 } }, ['openai/b', 'openai/a', 'openai/c']],
    ['least_latency', { 'openai/a': { latency_ms: 300 }, 'openai/b': { latency_ms: 900 }, 'openai/c': { latency_ms: 100 } }, ['openai/c', 'openai/a', 'openai/b']],
    [
      'least_cost',
      { 'openai/a': { price: { input_per_mtok: 1, output_per_mtok: 10 } }, 'openai/b': { price: { input_per_mtok: 3, output_per_mtok: 3 } } },
      ['openai/b', 'openai/a', 'openai/c'],
    ],
  ])('orders a %s loadbalance by its measure, unknown prices last', (strategy, statsOf, expected) => {
    const tree = route({ loadbalance: { strategy, targets: [{ target: 'openai/a' }, { target: 'openai/b' }, { target: 'openai/c' }] } });
    expect(keys(tree, inputs({ statsOf, facts: { ...facts, prompt_tokens: 100, completion_tokens: 100 } }))).toEqual(expected);
  });

  it('leaves out targets whose breaker is open and keeps one due a probe', () => {
    expect(keys(lb, inputs({ statsOf: { 'openai/a': { health: 'open' }, 'azure-eu/a': { health: 'probe' } } }))).toEqual(['azure-eu/a', 'anthropic/c']);
  });

  it('never leaves out more open targets than max_ejection_percent allows, nor all: those that reopen soonest stay, in their place', () => {
    const three = route({ fallback: [{ target: 'openai/a' }, { target: 'openai/b' }, { target: 'openai/c' }] });
    const open = (until: number) => ({ health: 'open' as const, open_until: until });
    const allOpen = { 'openai/a': open(3000), 'openai/b': open(1000), 'openai/c': open(2000) };
    expect(keys(three, inputs({ statsOf: allOpen }))).toEqual(['openai/b']);
    expect(keys(three, inputs({ statsOf: allOpen, max_ejection_percent: 34 }))).toEqual(['openai/b', 'openai/c']);
    expect(keys(three, inputs({ statsOf: { 'openai/a': open(3000), 'openai/b': open(1000) }, max_ejection_percent: 0 }))).toEqual(['openai/b', 'openai/c']);
    expect(keys(route({ target: 'openai/a' }), inputs({ statsOf: { 'openai/a': open(1000) } }))).toEqual(['openai/a']);
  });

  const byKey = route({
    conditional: [
      { when: { key: ['k-gold', 'gold-key'] }, route: { target: 'openai/gold' } },
      { when: { team: 'research' }, route: { target: 'anthropic/research' } },
      { when: { prompt_tokens: { min: 1000 } }, route: { target: 'anthropic/long' } },
      { when: { messages: { min: 2, max: 3 } }, route: { target: 'openai/few' } },
      { default: { target: 'openai/mini' } },
    ],
  });

  it.each([
    ['a key matched by its id', { api_key_id: 'k-gold' }, 'openai/gold'],
    ['a key matched by its name', { key_name: 'gold-key' }, 'openai/gold'],
    ['a team', { team: 'research' }, 'anthropic/research'],
    ['another team', { team: 'sales' }, 'openai/mini'],
    ['a long prompt, at the bound', { prompt_tokens: 1000 }, 'anthropic/long'],
    ['a prompt just below it', { prompt_tokens: 999 }, 'openai/mini'],
    ['three messages', { messages: 3 }, 'openai/few'],
    ['four messages', { messages: 4 }, 'openai/mini'],
  ])('routes a request with %s by key, team and size conditions', (_name, overrides, expected) => {
    expect(keys(byKey, inputs({ facts: { ...facts, ...overrides } }))).toEqual([expected]);
  });

  it('adds a fallback\'s `on` codes to the attempts below it', () => {
    const tree = route({ fallback: [{ target: 'openai/a' }, { fallback: [{ target: 'openai/b' }] }], on: ['provider_auth_failed'] });
    expect(plan(tree, inputs()).map((attempt) => attempt.on)).toEqual([['provider_auth_failed'], ['provider_auth_failed']]);
  });
});

describe('circuit breaker', () => {
  const settings = { ...DEFAULT_BREAKER, consecutive_failures: 3, min_calls: 0, cooldown_ms: 1000, max_cooldown_ms: 3000 };

  function failTimes(state: BreakerState, times: number, now: number, given = settings): BreakerState {
    for (let time = 0; time < times; time++) state = breakerFailed(breakerCalled(state, now), now, given);
    return state;
  }

  it('opens after consecutive failures, and a success in between starts the count again', () => {
    expect(breakerHealth(failTimes(CLOSED_BREAKER, 2, 0), 0)).toBe('closed');
    expect(breakerHealth(failTimes(breakerSucceeded(failTimes(CLOSED_BREAKER, 2, 0), 0, settings), 2, 0), 0)).toBe('closed');
    const open = failTimes(CLOSED_BREAKER, 3, 5);
    expect(open).toEqual({ failures: 3, openings: 1, open_until: 1005, probing: false, since: 5, window: [] });
    expect(breakerHealth(open, 1004)).toBe('open');
  });

  it('opens when the error rate over the window passes its threshold, once the window holds enough calls', () => {
    const byRate = { ...settings, consecutive_failures: 0, error_rate: 0.5, min_calls: 4, window_ms: 1000 };
    const call = (state: BreakerState, failed: boolean, now: number) => (failed ? breakerFailed(state, now, byRate) : breakerSucceeded(state, now, byRate));
    let state = CLOSED_BREAKER;
    for (const [failed, now] of [[true, 0], [false, 100], [true, 200]] as const) state = call(state, failed, now);
    expect(breakerHealth(state, 200)).toBe('closed');
    // Four calls, half failed: not over the threshold.
    state = call(state, false, 300);
    expect(breakerHealth(state, 300)).toBe('closed');
    state = call(state, true, 400);
    expect(state).toMatchObject({ openings: 1, open_until: 1400, since: 400 });
  });

  it('forgets the calls that slid out of the window', () => {
    const byRate = { ...settings, consecutive_failures: 0, error_rate: 0.5, min_calls: 3, window_ms: 1000 };
    let state = breakerFailed(breakerFailed(CLOSED_BREAKER, 0, byRate), 100, byRate);
    state = breakerFailed(state, 1150, byRate);
    expect(breakerHealth(state, 1150)).toBe('closed');
    expect(state.window).toEqual([{ slot: 11, calls: 1, failures: 1 }]);
  });

  it('sends one probe after the cooldown and closes when it succeeds', () => {
    const probing = breakerCalled(failTimes(CLOSED_BREAKER, 3, 0), 1000);
    expect(probing).toMatchObject({ probing: true, since: 1000 });
    expect(breakerHealth(probing, 1000)).toBe('open');
    expect(breakerSucceeded(probing, 1200, settings)).toEqual({ ...CLOSED_BREAKER, since: 1200 });
  });

  it('is not closed by the success of a call that began before it opened: the probe decides', () => {
    const open = failTimes(CLOSED_BREAKER, 3, 0);
    expect(breakerSucceeded(open, 500, settings)).toEqual({ ...open, failures: 0 });
  });

  it('re-opens at once when its probe fails, each time for longer by cooldown_growth, up to the most allowed', () => {
    const growing = { ...settings, cooldown_growth: 3, max_cooldown_ms: 20_000 };
    let state = failTimes(CLOSED_BREAKER, 3, 0, growing);
    state = failTimes(state, 1, 1000, growing);
    expect(state).toMatchObject({ openings: 2, open_until: 4000 });
    state = failTimes(state, 1, 4000, growing);
    expect(state).toMatchObject({ openings: 3, open_until: 13_000 });
    state = failTimes(state, 1, 13_000, growing);
    expect(state).toMatchObject({ openings: 4, open_until: 33_000 });
  });

  it('is not re-opened, nor its cooldown cut short, by a call that began before it opened', () => {
    const open = failTimes(CLOSED_BREAKER, 3, 0);
    expect(breakerFailed(open, 500, settings)).toEqual({ ...open, failures: 4 });
  });

  it('lets the next call probe when a probe ends without a verdict', () => {
    const probing = breakerCalled(failTimes(CLOSED_BREAKER, 3, 0), 1000);
    expect(breakerHealth(breakerReleased(probing), 1000)).toBe('probe');
  });

  it('names the transitions others must hear of, and none for a failure counted while closed', () => {
    const twice = failTimes(CLOSED_BREAKER, 2, 0);
    expect(breakerTransition(CLOSED_BREAKER, twice, 0)).toBeUndefined();
    const open = failTimes(twice, 1, 10);
    expect(breakerTransition(twice, open, 10)).toEqual({ state: 'open', since: 10, open_until: 1010, openings: 1, failures: 3 });
    const probing = breakerCalled(open, 1010);
    expect(breakerTransition(open, probing, 1010)).toEqual({ state: 'half_open', since: 1010, open_until: 1010, openings: 1, failures: 3 });
    expect(breakerTransition(probing, breakerSucceeded(probing, 1020, settings), 1020)).toEqual({ state: 'closed', since: 1020, open_until: 0, openings: 0, failures: 0 });
  });

  it('applies another instance\'s transitions: its deadline only extends, and a closing older than this instance\'s own opening is ignored', () => {
    const opened = { state: 'open' as const, since: 100, open_until: 5000, openings: 1, failures: 5 };
    const applied = breakerApplied(CLOSED_BREAKER, opened);
    expect(applied).toMatchObject({ openings: 1, open_until: 5000, since: 100 });
    expect(breakerHealth(applied, 4999)).toBe('open');
    expect(breakerApplied(applied, { ...opened, open_until: 3000 })).toBe(applied);
    expect(breakerApplied(applied, { state: 'half_open', since: 5000, open_until: 9000, openings: 1, failures: 5 })).toMatchObject({ open_until: 9000 });
    const ownOpening = failTimes(CLOSED_BREAKER, 3, 200);
    expect(breakerApplied(ownOpening, { state: 'closed', since: 150, open_until: 0, openings: 0, failures: 0 })).toBe(ownOpening);
    const closed = breakerApplied(ownOpening, { state: 'closed', since: 250, open_until: 0, openings: 0, failures: 0 });
    expect(closed).toEqual({ ...CLOSED_BREAKER, since: 250 });
    expect(breakerApplied(closed, opened)).toBe(closed);
  });

  it('shows each target\'s last transition, an open one whose cooldown passed as half_open, a target never reported as closed', () => {
    const board = new BreakerBoard();
    board.apply({ target: 'openai/a', state: 'open', since: 100, open_until: 5100, openings: 1, failures: 5, worker: 'w1' });
    expect(board.status('openai/a', 5000)).toEqual({ target: 'openai/a', state: 'open', since: 100, open_until: 5100, failures: 5 });
    expect(board.status('openai/a', 5100)).toMatchObject({ state: 'half_open' });
    expect(board.status('openai/b', 5100)).toEqual({ target: 'openai/b', state: 'closed', since: 0, open_until: 0, failures: 0 });
  });
});
