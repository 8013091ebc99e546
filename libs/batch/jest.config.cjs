module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'batch',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  testPathIgnorePatterns: ['\\.integration\\.spec\\.ts$'],
};
