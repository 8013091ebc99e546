export * from './analyze-request';
export * from './tasks';
export * from './results';
