export * from './guardrail';
