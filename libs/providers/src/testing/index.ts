// Test helpers for adapters: the replay server and the conformance suite. Not exported from the
// library's index, so production code never pulls in jest globals; specs import this by relative path.
export * from './conformance';
export * from './kind-conformance';
export * from './replay-server';
