export * from './analytics-sink';
export * from './usage-maintenance';
