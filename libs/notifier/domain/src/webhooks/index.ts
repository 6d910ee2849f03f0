export * from './webhook-settings';
export * from './webhook-signature';
export * from './render-webhook-body';
export * from './webhook-retry';
