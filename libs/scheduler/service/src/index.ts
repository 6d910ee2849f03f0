export * from './scheduler-service';
export * from './scheduler-consumer';
