export * from './rules-service';
export * from './rules-consumer';
export * from './rule-ticket';
export * from './triggers/trigger-store';
export * from './triggers/compiled-triggers';
export * from './explanations';
export * from './simulate/trigger-simulation';
export * from './simulate/proposed-triggers';
