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
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // Layers: apps wire features; features hold stage logic; data-access talks to Kafka,
            // Postgres and providers; util and contract are leaves.
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:feature', 'type:data-access', 'type:util', 'type:contract'] },
            {
              sourceTag: 'type:feature',
              onlyDependOnLibsWithTags: ['type:data-access', 'type:util', 'type:contract'],
              bannedExternalImports: infrastructurePackages,
            },
            { sourceTag: 'type:data-access', onlyDependOnLibsWithTags: ['type:data-access', 'type:util', 'type:contract'] },
            {
              sourceTag: 'type:util',
              onlyDependOnLibsWithTags: ['type:util', 'type:contract'],
              bannedExternalImports: infrastructurePackages,
            },
            { sourceTag: 'type:contract', onlyDependOnLibsWithTags: ['type:contract'], bannedExternalImports: infrastructurePackages },
            // Scopes: a service's code uses its own libraries and shared ones, never another service's.
            ...pipelineScopes.map((scope) => ({
              sourceTag: `scope:${scope}`,
              onlyDependOnLibsWithTags: [`scope:${scope}`, 'scope:shared'],
            })),
            { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
            { sourceTag: 'scope:embedded', onlyDependOnLibsWithTags: ['scope:*'] },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Events are tagged by `kind` rather than typed as unions, so the matching field is asserted.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
];
