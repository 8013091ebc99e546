module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'keys',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  testPathIgnorePatterns: ['\\.integration\\.spec\\.ts$'],
};
