export * from './service';
export * from './stage';
export * from './completions';
export * from './dead-letters';
export * from './health';
export * from './live-config';
export * from './metrics';
