module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'providers',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  // Live specs call the real providers; only `npm run test:live` runs them.
  testPathIgnorePatterns: ['\\.integration\\.spec\\.ts$', '\\.live\\.spec\\.ts$'],
};
