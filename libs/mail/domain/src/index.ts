export * from './ticket-token';
export * from './message-ids';
