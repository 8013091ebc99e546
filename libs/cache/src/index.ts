export * from './cache-key';
export * from './cache-store';
export * from './cached-answer';
export * from './response-cache';
