export * from './bus';
export * from './in-memory-bus';
export * from './kafka-batches';
export * from './kafka-bus';
export * from './config-topic';
export * from './consumer-lag';
export * from './platformatic-bus';
