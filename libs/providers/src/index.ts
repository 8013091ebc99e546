export * from './http';
export * from './mock/mock-provider';
export * from './openai';
export * from './openai-compatible';
export * from './provider';
export * from './registry';
export * from './stream-accumulator';
