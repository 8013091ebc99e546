module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'dead-letter-app',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  testPathIgnorePatterns: ['\\.integration\\.spec\\.ts$'],
};
