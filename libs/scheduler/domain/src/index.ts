export * from './model';
export * from './time/time-conditions';
export { businessMillisBetween } from './time/business-time';
export * from './conditions/evaluate-automation';
export * from './validation/validate-automation';
export { actionsNullify, hasNullifier, isTrueOnlyOnce } from './validation/nullifiers';
export * from './standard-automations/standard-automations';
export * from './cycle/run-automation-cycle';
export * from './sql/to-sql-filter';
