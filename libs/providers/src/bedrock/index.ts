export * from './adapter';
export * from './eventstream';
export * from './sigv4';
export * from './translate';
export type * from './wire';
