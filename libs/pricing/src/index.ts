export * from './pricing';
export * from './tokens';
