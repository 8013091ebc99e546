export * from './service';
export * from './stage';
export * from './completions';
