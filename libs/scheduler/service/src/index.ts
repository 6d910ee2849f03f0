export * from './scheduler-service';
export * from './scheduler-consumer';
export * from './scheduler-rebuild';
export * from './automations/automation-store';
export * from './automations/automation-cycle';
