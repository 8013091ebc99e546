export * from './database-errors';
export * from './maintenance';
export * from './rollups';
export * from './sanitise';
export * from './schema';
export * from './sql-client';
export * from './usage-events';
export * from './usage-report';
