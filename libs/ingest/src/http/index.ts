export * from './ingest-http-module';
export { Attachments } from './attachments-controller';
