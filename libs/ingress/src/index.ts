export * from './batch-lines';
export * from './gateway-core';
export * from './grpc-server';
export * from './http/http-server';
export * from './tls';
export * from './rate-limit-headers';
export * from './settled-calls';
