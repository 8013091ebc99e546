export * from './adapter';
export * from './translate';
export type * from './wire';
