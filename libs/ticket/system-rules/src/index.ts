export * from './system-rules';
export * from './ccs';
