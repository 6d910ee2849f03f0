export * from './support-addresses-http-module';
