export * from './api-host';
export * from './api-limits';
export * from './auth';
export * from './errors';
export * from './health';
export * from './json-body';
export * from './paths';
