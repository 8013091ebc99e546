export * from './bus';
export * from './in-memory-bus';
export * from './kafka-bus';
export * from './config-topic';
export * from './consumer-lag';
