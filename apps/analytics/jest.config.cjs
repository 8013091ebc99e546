module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'analytics-app',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  testPathIgnorePatterns: ['\\.integration\\.spec\\.ts$'],
};
