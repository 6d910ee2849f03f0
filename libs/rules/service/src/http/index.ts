export * from './rules-http-module';
