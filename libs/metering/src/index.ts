export * from './metering';
