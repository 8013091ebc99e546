export * from './guardrail';
export * from './rules';
