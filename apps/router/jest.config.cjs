module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'router-app',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  testPathIgnorePatterns: ['\\.integration\\.spec\\.ts$'],
};
