export * from './scheduler-http-module';
