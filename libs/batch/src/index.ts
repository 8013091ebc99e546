export * from './batch-input';
export * from './batch-runner';
export * from './batch-service';
export * from './batch-store';
export * from './records';
export * from './yielding-rate';
