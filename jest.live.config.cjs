// The opt-in run against the real providers (`npm run test:live`): every *.live.spec.ts in the
// workspace, in band, needing no infrastructure. Providers without credentials in the environment
// are reported as skipped, with the variables to set; verbose so those reasons are printed.
const preset = require('./jest.preset.cjs');

module.exports = {
  ...preset,
  displayName: 'live',
  rootDir: __dirname,
  testMatch: ['<rootDir>/{apps,libs}/**/*.live.spec.ts'],
  maxWorkers: 1,
  testTimeout: 120_000,
  verbose: true,
};
