export * from './provider-worker';
