export * from './env';
export * from './load';
export * from './schema';
export * from './catalog';
export * from './credentials';
export * from './live';
export * from './watch';
