export * from './event-store';
export * from './log-processor';
export * from './log-wakeup';
export * from './log-rebuild';
