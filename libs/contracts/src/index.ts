export * from './chat';
export * from './errors';
export * from './events';
export * from './limits';
export * from './parse';
export * from './proto';
export * from './topics';
export * from './validate';
