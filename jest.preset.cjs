// Shared jest settings. ts-jest only transpiles here (isolatedModules); `npm run typecheck` type-checks
// the whole workspace once, which is much cheaper than type-checking per test file on two cores.
const path = require('node:path');
const { pathsToModuleNameMapper } = require('ts-jest');
const { compilerOptions } = require('./tsconfig.base.json');

process.env.OTEL_TRACES_EXPORTER ??= 'none';
process.env.OTEL_METRICS_EXPORTER ??= 'none';
process.env.OTEL_LOGS_EXPORTER ??= 'none';

module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.json') }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // Hooks start gateways and open PGlite; on two cores shared with a broker and Postgres that can take
  // far longer than jest's 5 s. A timeout here is a hang guard, not a speed target.
  testTimeout: 120_000,
  moduleNameMapper: pathsToModuleNameMapper(compilerOptions.paths, { prefix: __dirname + '/' }),
};
