export * from './key-admin';
export * from './key-directory';
export * from './key-feed';
export * from './key-store';
export * from './model-globs';
export * from './records';
export * from './secret';
