export * from './model';
export { deterministicUuid } from './deterministic-id';
export type { ConditionHandler, ConditionVerdict, RuleContext } from './conditions/condition-handler';
export { conditionHandlers, evaluateCondition, evaluateTriggerConditions } from './conditions/evaluate-conditions';
export type { ActionContext, ActionHandler, ActionResult } from './actions/action-handler';
export { actionHandlers, applyAction } from './actions/apply-action';
export * from './evaluate-triggers/evaluate-triggers';
export * from './standard-triggers/standard-triggers';
