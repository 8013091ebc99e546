module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'config-publish-app',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  testPathIgnorePatterns: ['\\.integration\\.spec\\.ts$'],
};
