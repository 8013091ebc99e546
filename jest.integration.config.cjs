// The integration run: every *.integration.spec.ts in the workspace, in band (two cores carry the
// broker, Postgres and six services already), against one Kafka and one Postgres provisioned by the
// global setup.
const preset = require('./jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'integration',
  rootDir: __dirname,
  testMatch: ['<rootDir>/{apps,libs}/**/*.integration.spec.ts'],
  globalSetup: '<rootDir>/libs/testing/src/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/global-teardown.ts',
  maxWorkers: 1,
  testTimeout: 120_000,
  // In band, a suite that failed before its afterAll could clean up leaves its clients retrying in this
  // process; the run must then end red rather than wait for them (a CI run hung past its limit this way).
  forceExit: true,
};
