export * from './gateway-core';
export * from './grpc-server';
