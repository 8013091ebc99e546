export * from './adapter';
export * from './factory';
export * from './images';
export * from './moderation';
export * from './translate';
export type * from './wire';
