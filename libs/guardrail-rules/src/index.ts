export * from './deny';
export * from './detector';
export * from './injection';
export * from './output';
export * from './pii';
export * from './policy';
export * from './schema';
export * from './secrets';
