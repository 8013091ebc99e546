// Key and team records as the store and the keys topic hold them, for tests.
import type { KeyRecord, TeamRecord } from './records';

export function keyRecordOf(overrides: Partial<KeyRecord> = {}): KeyRecord {
  return {
    id: 'vk_0123456789abcdef',
    secret_hash: '0'.repeat(64),
    name: 'app',
    team: null,
    models: [],
    rpm: null,
    tpm: null,
    max_concurrent: null,
    budget_usd: null,
    budget_period: null,
    expires_at: null,
    metadata: {},
    status: 'active',
    created_at: '2029-01-01T00:00:00.000Z',
    updated_at: '2029-01-01T00:00:00.000Z',
    version: 1,
    ...overrides,
  };
}

export function teamRecordOf(overrides: Partial<TeamRecord> = {}): TeamRecord {
  return { id: 'team_0123456789abcdef', name: 'search', rpm: null, tpm: null, budget_usd: null, budget_period: null, metadata: {}, status: 'active', created_at: '', updated_at: '', version: 1, ...overrides };
}
