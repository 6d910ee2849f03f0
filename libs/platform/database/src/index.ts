export * from './db';
export * from './data-source';
export { MIGRATIONS } from './migrations';
export * from './versioned-row';
