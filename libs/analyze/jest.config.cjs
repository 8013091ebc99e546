module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'analyze',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  testPathIgnorePatterns: ['\\.integration\\.spec\\.ts$'],
};
