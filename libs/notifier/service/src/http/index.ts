export * from './notifier-http-module';
