export * from './test-database';
export * from './tcp-proxy';
export * from './wait';
export * from './corpus';
export * from './fake-dns';
