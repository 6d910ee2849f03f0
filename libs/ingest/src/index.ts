export * from './ingest-service';
export * from './mail-worker';
export * from './smtp-edge';
export * from './parse-mail';
export * from './support-address-book';
export * from './suspension/suspend-mail';
