export * from './adapter';
export * from './factory';
export * from './images';
export * from './moderation';
export * from './transcription';
export * from './translate';
export type * from './wire';
