import { readUsageRetentionDays } from './usage-maintenance';

describe('USAGE_EVENTS_RETENTION_DAYS', () => {
  it('is a whole number of days, or unset to keep every row', () => {
    expect(readUsageRetentionDays({})).toBeUndefined();
    expect(readUsageRetentionDays({ USAGE_EVENTS_RETENTION_DAYS: '' })).toBeUndefined();
    expect(readUsageRetentionDays({ USAGE_EVENTS_RETENTION_DAYS: '90' })).toBe(90);
    expect(readUsageRetentionDays({ USAGE_EVENTS_RETENTION_DAYS: '36500' })).toBe(36_500);
  });

  it.each(['0', '-1', '1.5', '30d', ' 30', '36501'])('refuses %j, saying what it takes', (raw) => {
    expect(() => readUsageRetentionDays({ USAGE_EVENTS_RETENTION_DAYS: raw })).toThrow(`USAGE_EVENTS_RETENTION_DAYS must be a whole number of days from 1 to 36500, not "${raw}"`);
  });
});
