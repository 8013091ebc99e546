export * from './schema';
export * from './sql-client';
export * from './usage-events';
