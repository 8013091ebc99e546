module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'embedded-app',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  testPathIgnorePatterns: ['\\.integration\\.spec\\.ts$'],
};
