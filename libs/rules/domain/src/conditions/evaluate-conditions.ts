import type { Condition, ConditionCheck, Trigger } from '../model';
import type { ConditionHandler, ConditionVerdict, RuleContext } from './condition-handler';
import { countConditions } from './count-conditions';
import { customFieldCondition, fieldConditions } from './field-conditions';
import { peopleConditions } from './people-conditions';
import { scheduleConditions } from './schedule-conditions';
import { textConditions } from './text-conditions';
import { updateConditions } from './update-conditions';

/** Every condition field the engine understands, by its Zendesk API name. Add new fields here. */
export const conditionHandlers: Readonly<Record<string, ConditionHandler>> = {
  ...fieldConditions,
  ...updateConditions,
  ...textConditions,
  ...countConditions,
  ...peopleConditions,
  ...scheduleConditions,
};

/** The handler of a field: a fixed one, or `custom_fields_<id>`. */
export const conditionHandlerFor = (field: unknown): ConditionHandler | undefined => {
  if (typeof field !== 'string') return undefined;
  if (Object.hasOwn(conditionHandlers, field)) return conditionHandlers[field];
  return customFieldCondition(field);
};

/** One condition's verdict. An unknown field, operator or value is a false condition with a reason. */
export const evaluateCondition = (condition: Condition, ctx: RuleContext): ConditionVerdict => {
  const handler = conditionHandlerFor(condition?.field);
  if (!handler) return { matched: false, problem: `unknown condition field "${String(condition?.field)}"` };
  try {
    return handler(condition, ctx);
  } catch (error) {
    // A handler bug must not stop the cycle for every other trigger; report it as this condition's reason.
    return { matched: false, problem: `condition could not be evaluated: ${(error as Error).message}` };
  }
};

/** ALL must hold, and at least one of ANY when there are any. Every condition is evaluated for the explanation. */
export const evaluateTriggerConditions = (
  trigger: Trigger,
  ctx: RuleContext,
): { matched: boolean; checks: ConditionCheck[] } => {
  const check = (group: 'all' | 'any') => (condition: Condition, index: number): ConditionCheck => {
    const verdict = evaluateCondition(condition, ctx);
    const result: ConditionCheck = { group, index, condition, matched: verdict.matched };
    if (verdict.detail !== undefined) result.detail = verdict.detail;
    if (verdict.problem !== undefined) result.problem = verdict.problem;
    return result;
  };
  const all = (trigger.conditions?.all ?? []).map(check('all'));
  const any = (trigger.conditions?.any ?? []).map(check('any'));
  const matched = all.every((c) => c.matched) && (any.length === 0 || any.some((c) => c.matched));
  return { matched, checks: [...all, ...any] };
};

/**
 * Whether the trigger's conditions hold, stopping at the first ALL condition that fails and the
 * first ANY condition that holds. Same answer as `evaluateTriggerConditions`, without the record.
 */
export const triggerConditionsHold = (trigger: Trigger, ctx: RuleContext): boolean => {
  const all = trigger.conditions?.all ?? [];
  for (let i = 0; i < all.length; i++) if (!evaluateCondition(all[i], ctx).matched) return false;
  const any = trigger.conditions?.any ?? [];
  if (any.length === 0) return true;
  for (let i = 0; i < any.length; i++) if (evaluateCondition(any[i], ctx).matched) return true;
  return false;
};
