export * from './adapter';
export * from './factory';
export * from './translate';
export type * from './wire';
