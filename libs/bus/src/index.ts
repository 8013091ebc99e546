export * from './bus';
export * from './in-memory-bus';
export * from './kafka-bus';
export * from './consumer-lag';
