export * from './credential-scan';
export * from './distributed';
export * from './gateway-scenarios';
export * from './infrastructure';
export * from './openai-upstream';
export * from './waiting';
export * from './malformed-input/corpus';
export * from './malformed-input/runner';
