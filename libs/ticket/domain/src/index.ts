export * from './ticket';
export * from './follow-up';
