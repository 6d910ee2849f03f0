import { TICKET_PRIORITIES, TICKET_STATUSES, TICKET_TYPES, type SatisfactionScore } from '@mailroom/contracts';
import {
  applyAction,
  evaluateCondition,
  type Action,
  type ActionContext,
  type Condition,
  type Person,
  type RuleContext,
  type RuleTicket,
} from '@mailroom/rules-domain';
import { automationUpdate } from '../conditions/evaluate-automation';
import { splitOperator, isTimeField, isTimeOperator } from '../time/time-conditions';

/**
 * Zendesk refuses an automation that could fire on the same ticket every hour for ever: it must
 * contain "a condition that is true only once" or "an action that nullifies at least one
 * condition" (reference §2.1).
 *
 * True only once: a time condition with `is` (calendar or business hours) — the whole hours equal
 * the value for one hourly run only.
 *
 * Nullifies: judged with the trigger engine's own handlers on probe tickets. For each ALL
 * condition, probes are made on which it holds (its own field set to each value it could have);
 * the automation's actions are applied to each; if the condition fails after the actions on every
 * probe where it held before, the actions nullify it ("status is solved" → "status closed";
 * "satisfaction is unoffered" → "offered_to_requester"; "tags do not include x" → "add tag x").
 * Time conditions are not counted as nullified: an update moves `updated_at`, but Zendesk's
 * validator does not take that as a nullifier and neither does this one.
 */

const SATISFACTION: readonly SatisfactionScore[] = ['unoffered', 'offered', 'good', 'good_with_comment', 'bad', 'bad_with_comment'];

const base: RuleTicket = {
  id: 1,
  status: 'open',
  priority: 'normal',
  type: 'question',
  groupId: 3,
  assigneeId: 7,
  requesterId: 5,
  organizationId: 9,
  tags: [],
  ccIds: [],
  recipient: 'support@probe.invalid',
  subject: 'probe',
  hasPublicComments: true,
  via: 'email',
  reopens: 0,
  replies: 0,
  satisfactionScore: 'unoffered',
  customFields: {},
  scheduleId: null,
};

const person = (id: number): Person => ({ id, name: `User ${id}`, email: `user${id}@probe.invalid`, role: id === 5 ? 'end_user' : 'agent', locale: 'en-US', timeZone: 'UTC' });
const directory = { person, agents: () => [person(7)], groupMembers: () => [person(7)] };
const NOW = new Date('2026-01-05T10:00:00Z');

const idOf = (raw: unknown): number | null => {
  const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d{1,15}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : null;
};

const words = (raw: unknown): string[] =>
  (typeof raw === 'string' ? raw.split(/\s+/) : Array.isArray(raw) ? raw.filter((x): x is string => typeof x === 'string') : [])
    .map((t) => t.trim().toLowerCase())
    .filter(Boolean);

/** Tickets that differ from the base only in the condition's field, over the values that field can have. */
const probesFor = (condition: Condition): RuleTicket[] => {
  const refs = (raw: unknown) => [null, 3, 7, idOf(raw)].filter((v, i, all) => all.indexOf(v) === i);
  switch (condition.field) {
    case 'status':
      return TICKET_STATUSES.map((status) => ({ ...base, status }));
    case 'priority':
      return [null, ...TICKET_PRIORITIES].map((priority) => ({ ...base, priority }));
    case 'type':
      return [null, ...TICKET_TYPES].map((type) => ({ ...base, type }));
    case 'satisfaction_score':
      return SATISFACTION.map((satisfactionScore) => ({ ...base, satisfactionScore }));
    case 'group_id':
      return refs(condition.value).map((groupId) => ({ ...base, groupId }));
    case 'assignee_id':
      return refs(condition.value).map((assigneeId) => ({ ...base, assigneeId }));
    case 'organization_id':
      return refs(condition.value).map((organizationId) => ({ ...base, organizationId }));
    case 'schedule_id':
      return refs(condition.value).map((scheduleId) => ({ ...base, scheduleId }));
    case 'current_tags':
      return [{ ...base, tags: [] }, { ...base, tags: words(condition.value) }];
    default:
      if (typeof condition.field === 'string' && condition.field.startsWith('custom_fields_')) {
        const id = condition.field.slice('custom_fields_'.length);
        const value = ['string', 'number', 'boolean'].includes(typeof condition.value) ? (condition.value as string | number | boolean) : null;
        return [{ ...base, customFields: {} }, { ...base, customFields: { [id]: value } }];
      }
      return [base];
  }
};

const contextFor = (ticket: RuleTicket): RuleContext => ({
  update: automationUpdate('probe', ticket, NOW.toISOString()),
  ticket,
  directory,
  now: NOW,
  brief: true,
});

const afterActions = (ticket: RuleTicket, actions: readonly Action[]): RuleTicket => {
  let current = ticket;
  actions.forEach((action, actionIndex) => {
    const ctx: ActionContext = {
      ...contextFor(current),
      trigger: { id: 'probe', title: 'probe', active: true, position: 0, category_id: null, conditions: { all: [], any: [] }, actions: [...actions] },
      actionIndex,
    };
    current = applyAction(action, ctx).ticket;
  });
  return current;
};

/** Whether the actions make the (non-time) condition false on every probe where it held. */
export const actionsNullify = (condition: Condition, actions: readonly Action[]): boolean => {
  if (isTimeField(condition.field)) return false;
  const held = probesFor(condition).filter((t) => evaluateCondition(condition, contextFor(t)).matched);
  if (held.length === 0) return false;
  return held.every((t) => !evaluateCondition(condition, contextFor(afterActions(t, actions))).matched);
};

export const isTrueOnlyOnce = (condition: Condition): boolean =>
  isTimeField(condition.field) && isTimeOperator(condition.operator) && splitOperator(condition.operator).comparison === 'is';

/** Whether the automation has a true-once condition or an action nullifying one of its ALL conditions. */
export const hasNullifier = (conditions: { all: Condition[]; any: Condition[] }, actions: readonly Action[]): boolean => {
  // A single ANY condition acts like an ALL one (reference §3.2).
  const required = conditions.any.length === 1 ? [...conditions.all, ...conditions.any] : conditions.all;
  return required.some(isTrueOnlyOnce) || required.some((c) => actionsNullify(c, actions));
};
