export * from './database-errors';
export * from './sanitise';
export * from './schema';
export * from './sql-client';
export * from './usage-events';
export * from './usage-report';
