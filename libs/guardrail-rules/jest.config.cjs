module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'guardrail-rules',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.spec.ts'],
  testPathIgnorePatterns: ['\\.integration\\.spec\\.ts$'],
};
