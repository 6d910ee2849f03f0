export * from './ticket';
export * from './follow-up';
export * from './bounces';
export * from './superseded-rule-changes';
export * from './satisfaction';
export * from './snapshot';
