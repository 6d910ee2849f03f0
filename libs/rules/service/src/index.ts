export * from './rules-service';
export * from './rules-consumer';
export * from './rule-ticket';
