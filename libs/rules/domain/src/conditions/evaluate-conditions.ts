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
    return {
      group,
      index,
      condition,
      matched: verdict.matched,
      ...(verdict.detail !== undefined ? { detail: verdict.detail } : {}),
      ...(verdict.problem !== undefined ? { problem: verdict.problem } : {}),
    };
  };
  const all = (trigger.conditions?.all ?? []).map(check('all'));
  const any = (trigger.conditions?.any ?? []).map(check('any'));
  const matched = all.every((c) => c.matched) && (any.length === 0 || any.some((c) => c.matched));
  return { matched, checks: [...all, ...any] };
};
