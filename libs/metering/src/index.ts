export * from './metering';
export * from './tokens';
