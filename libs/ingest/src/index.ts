export * from './ingest-service';
export * from './mail-worker';
export * from './smtp-edge';
export * from './parse-mail';
