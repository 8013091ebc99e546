export * from './analytics-sink';
