import { budgetPeriodAt, parseListLimit, parseSince, validateKeyInput, validateTeamInput } from './keys';

describe('validateKeyInput', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');

  it('takes a key\'s fields, bounded, with null clearing a field on a change', () => {
    expect(validateKeyInput({ name: 'app', team: 'search', models: ['gpt-4o*', 'gpt-4o*'], rpm: 60, budget_usd: 25, budget_period: 'month', expires_at: '2031-01-01T00:00:00+02:00' }, true, now)).toEqual({
      name: 'app',
      team: 'search',
      models: ['gpt-4o*'],
      rpm: 60,
      budget_usd: 25,
      budget_period: 'month',
      expires_at: '2030-12-31T22:00:00.000Z',
    });
    expect(validateKeyInput({ rpm: null, budget_usd: null, models: null }, false, now)).toEqual({ rpm: null, budget_usd: null, budget_period: null, models: [] });
  });

  it.each([
    [{}, 'name is required'],
    [{ name: 'a b' }, "name must start with a letter or digit and hold only letters, digits, '.', '_', ':' and '-'"],
    [{ name: 'a', models: ['gpt 4'] }, 'models[0] must be a model name, or a glob of one with * and ?, without spaces'],
    [{ name: 'a', models: Array(257).fill('m') }, 'models holds 257 entries; at most 256 are accepted'],
    [{ name: 'a', rpm: 1.5 }, 'rpm must be an integer'],
    [{ name: 'a', tpm: '5' }, 'tpm must be a finite number'],
    [{ name: 'a', budget_usd: 0, budget_period: 'day' }, 'budget_usd must be more than 0 (null removes the budget)'],
    [{ name: 'a', budget_period: 'year', budget_usd: 1 }, 'budget_period is "year"; expected one of day, week, month, total'],
    [{ name: 'a', budget_period: 'day' }, 'budget_usd is required with budget_period (periods: day, week, month, total)'],
    [{ name: 'a', expires_at: 'tomorrow' }, 'expires_at must be an ISO 8601 time, such as 2030-01-31T00:00:00Z'],
    [{ name: 'a', metadata: { k: 1 } }, 'metadata.k must be a string'],
    [[], 'body must be an object'],
  ])('refuses %j: %s', (body, message) => {
    expect(() => validateKeyInput(body, true, now)).toThrow(message);
  });

  it('refuses a change of a team\'s name', () => {
    expect(() => validateTeamInput({ name: 'other' }, false)).toThrow('name of a team cannot change: keys name their team by it');
  });
});

describe('parseSince and parseListLimit', () => {
  const now = new Date('2030-01-10T00:00:00Z');

  it('reads spans back from now and ISO times, and refuses the rest', () => {
    expect(parseSince('7d', now).toISOString()).toBe('2030-01-03T00:00:00.000Z');
    expect(parseSince('90m', now).toISOString()).toBe('2030-01-09T22:30:00.000Z');
    expect(parseSince('2030-01-01T00:00:00Z', now).toISOString()).toBe('2030-01-01T00:00:00.000Z');
    expect(parseSince(undefined, now).toISOString()).toBe('2029-12-11T00:00:00.000Z');
    expect(() => parseSince('999999d', now)).toThrow('since reaches back more than 3650 days');
    expect(() => parseSince('last week', now)).toThrow('since must be a span such as 30m, 24h or 7d, or an ISO 8601 time');
    expect([parseListLimit(undefined), parseListLimit('20')]).toEqual([1000, 20]);
    expect(() => parseListLimit('5000')).toThrow('limit is 5000; it must be between 1 and 1000');
  });
});

describe('budgetPeriodAt', () => {
  it('gives UTC calendar periods, weeks from Monday', () => {
    const wednesday = new Date('2030-01-16T15:00:00Z');
    expect(budgetPeriodAt('day', wednesday)).toEqual({ start: new Date('2030-01-16T00:00:00Z'), resets_at: new Date('2030-01-17T00:00:00Z') });
    expect(budgetPeriodAt('week', wednesday)).toEqual({ start: new Date('2030-01-14T00:00:00Z'), resets_at: new Date('2030-01-21T00:00:00Z') });
    expect(budgetPeriodAt('month', wednesday)).toEqual({ start: new Date('2030-01-01T00:00:00Z'), resets_at: new Date('2030-02-01T00:00:00Z') });
    expect(budgetPeriodAt('total', wednesday)).toEqual({ start: new Date(0), resets_at: null });
  });
});
