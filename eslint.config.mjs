import nx from '@nx/eslint-plugin';

const pipelineScopes = ['ingress', 'router', 'guardrail', 'provider-worker', 'metering', 'analytics'];
const infrastructurePackages = ['kafkajs', 'pg', '@electric-sql/pglite', '@electric-sql/pglite-socket'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  { ignores: ['**/node_modules', '**/dist', '**/generated', '.nx', 'infra/.cache', 'infra/.data', 'data'] },
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', boundaries({ forTests: false })],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Events are tagged by `kind` rather than typed as unions, so the matching field is asserted.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // Routing decisions are pure: no clock, network, file or process of their own.
    files: ['libs/routing/src/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['node:*', 'fs', 'net', 'http', 'https', 'child_process'], message: 'libs/routing is pure: its callers bring I/O, time and randomness.' }] }] },
  },
  {
    // Tests (and the scenario files they share) may also use the test harness in libs/testing.
    files: ['**/*.spec.ts', '**/*.scenarios.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries({ forTests: true })] },
  },
];

function boundaries({ forTests }) {
  const testing = forTests ? ['type:testing'] : [];
  return {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      // Layers: apps wire features; features hold stage logic; data-access talks to Kafka, Postgres
      // and providers; util and contract are leaves. Only tests may use the harness (type:testing).
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util', 'type:contract', ...testing] },
      {
        sourceTag: 'type:feature',
        onlyDependOnLibsWithTags: ['type:data-access', 'type:util', 'type:contract', ...testing],
        bannedExternalImports: forTests ? [] : infrastructurePackages,
      },
      { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:util', 'type:contract', ...testing] },
      {
        sourceTag: 'type:util',
        onlyDependOnLibsWithTags: ['type:util', 'type:contract', ...testing],
        bannedExternalImports: forTests ? [] : infrastructurePackages,
      },
      { sourceTag: 'type:contract', onlyDependOnLibsWithTags: ['type:contract', ...testing], bannedExternalImports: forTests ? [] : infrastructurePackages },
      { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:app', 'type:feature', 'type:data-access', 'type:util', 'type:contract', 'type:testing'] },
      // Scopes: a service's code uses its own libraries and shared ones, never another service's.
      ...pipelineScopes.map((scope) => ({
        sourceTag: `scope:${scope}`,
        onlyDependOnLibsWithTags: [`scope:${scope}`, 'scope:shared'],
      })),
      { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
      { sourceTag: 'scope:embedded', onlyDependOnLibsWithTags: ['scope:*'] },
      // The cluster manifests' checks read every service's constants.
      { sourceTag: 'scope:deployment', onlyDependOnLibsWithTags: ['scope:*'] },
    ],
  };
}
