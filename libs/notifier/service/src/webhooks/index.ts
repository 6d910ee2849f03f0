export * from './webhooks-store';
export * from './webhook-calls';
export * from './webhook-sender';
export * from './target-guard';
