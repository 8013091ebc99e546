import { globMatches, modelMatcher } from './model-globs';

describe('modelMatcher', () => {
  it('allows every model when a key names none', () => {
    expect(modelMatcher([])('anything')).toBe(true);
  });

  it('matches names exactly and globs with * and ?', () => {
    const allows = modelMatcher(['gpt-4o*', 'claude-?-haiku', 'mock-echo']);
    expect(['gpt-4o', 'gpt-4o-mini', 'claude-3-haiku', 'mock-echo'].map(allows)).toEqual([true, true, true, true]);
    expect(['gpt-4', 'claude-35-haiku', 'mock-echo2', 'xgpt-4o'].map(allows)).toEqual([false, false, false, false]);
  });

  it('takes a glob of many stars against a long name in time linear in their product, not exponential (a backtracking regex hangs here)', () => {
    expect(globMatches(`${'*a'.repeat(100)}*b`, 'a'.repeat(256))).toBe(false);
    expect(globMatches('*a*', 'bab')).toBe(true);
    expect(globMatches('a*', '')).toBe(false);
    expect(globMatches('*', '')).toBe(true);
  });
});
