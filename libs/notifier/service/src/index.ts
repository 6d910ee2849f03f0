export * from './notifier-service';
export * from './notifier-consumer';
export * from './outbound-sender';
export * from './webhooks';
export * from './http';
