import { scheduleFor, withinSchedule } from '../schedules/business-hours';
import { type ConditionHandler, problem, unknownOperator } from './condition-handler';
import { parseBoolean, parseId } from './values';

/**
 * `in_business_hours` (true/false, against the ticket's schedule or the default one) and
 * `within_schedule` (is / is_not a given schedule's hours), judged at the injected clock.
 */

const inBusinessHours: ConditionHandler = (condition, ctx) => {
  if (condition.operator !== 'is' && condition.operator !== 'is_not') return unknownOperator(condition, ['is', 'is_not']);
  const wanted = parseBoolean(condition.value, 'business hours');
  if ('problem' in wanted) return problem(wanted.problem);
  const schedule = scheduleFor(ctx.ticket.scheduleId, ctx.schedules);
  if (!schedule) return problem('no business-hours schedule is set up');
  if (!ctx.now) return problem('no clock was given to judge business hours');
  const verdict = withinSchedule(schedule, ctx.now);
  if ('problem' in verdict) return problem(verdict.problem);
  const matched = verdict.within === wanted.value;
  return { matched: condition.operator === 'is' ? matched : !matched, detail: verdict.reason };
};

const withinNamedSchedule: ConditionHandler = (condition, ctx) => {
  if (condition.operator !== 'is' && condition.operator !== 'is_not') return unknownOperator(condition, ['is', 'is_not']);
  const id = parseId(condition.value);
  if (id === undefined) return problem(`${JSON.stringify(condition.value ?? null)} is not a schedule id`);
  const schedule = ctx.schedules?.find((s) => s.id === id);
  if (!schedule) return problem(`schedule ${id} does not exist`);
  if (!ctx.now) return problem('no clock was given to judge business hours');
  const verdict = withinSchedule(schedule, ctx.now);
  if ('problem' in verdict) return problem(verdict.problem);
  return { matched: condition.operator === 'is' ? verdict.within : !verdict.within, detail: verdict.reason };
};

export const scheduleConditions: Record<string, ConditionHandler> = {
  in_business_hours: inBusinessHours,
  within_schedule: withinNamedSchedule,
};
