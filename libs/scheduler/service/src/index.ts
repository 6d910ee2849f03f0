export * from './scheduler-service';
export * from './scheduler-consumer';
export * from './scheduler-rebuild';
export * from './automations/automation-store';
export * from './automations/automation-cycle';
export * from './simulate/proposed-automations';
export * from './simulate/automation-simulation';
export type { CycleDiff, NotificationDiff, TicketDiff } from './simulate/automation-replay';
