export * from './route';
export * from './parse';
export * from './plan';
export * from './breaker';
