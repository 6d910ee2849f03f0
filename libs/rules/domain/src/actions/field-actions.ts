import { TICKET_PRIORITIES, TICKET_STATUSES, TICKET_TYPES } from '@mailroom/contracts';
import { NOBODY, parseEnum, parseReference, parseTags } from '../conditions/values';
import type { RuleTicket } from '../model';
import { type ActionContext, type ActionHandler, type ActionResult, skipped } from './action-handler';

/** Actions that set ticket fields and tags on the cycle's in-memory copy of the ticket. */

const setField = <K extends keyof RuleTicket>(ctx: ActionContext, key: K, value: RuleTicket[K]): ActionResult => {
  const current = ctx.ticket[key];
  const same = Array.isArray(current) && Array.isArray(value)
    ? current.length === value.length && current.every((v, i) => v === value[i])
    : current === value;
  if (same) return { ticket: ctx.ticket, outcome: 'unchanged' };
  return { ticket: { ...ctx.ticket, [key]: value }, outcome: 'changed' };
};

const status: ActionHandler = (action, ctx) => {
  const parsed = parseEnum(action.value, TICKET_STATUSES, 'status', false);
  if ('problem' in parsed) return skipped(ctx, parsed.problem);
  // System rule: a ticket never goes back to New.
  if (parsed.value === 'new' && ctx.ticket.status !== 'new') return skipped(ctx, 'a ticket cannot be set back to new');
  return setField(ctx, 'status', parsed.value as RuleTicket['status']);
};

const priority: ActionHandler = (action, ctx) => {
  const parsed = parseEnum(action.value, TICKET_PRIORITIES, 'priority', true);
  if ('problem' in parsed) return skipped(ctx, parsed.problem);
  return setField(ctx, 'priority', parsed.value as RuleTicket['priority']);
};

const type: ActionHandler = (action, ctx) => {
  const parsed = parseEnum(action.value, TICKET_TYPES, 'type', true);
  if ('problem' in parsed) return skipped(ctx, parsed.problem);
  return setField(ctx, 'type', parsed.value as RuleTicket['type']);
};

const groupId: ActionHandler = (action, ctx) => {
  const parsed = parseReference(action.value, ctx, 'group', []);
  if ('problem' in parsed) return skipped(ctx, parsed.problem);
  return setField(ctx, 'groupId', parsed.value as number | null);
};

const assigneeId: ActionHandler = (action, ctx) => {
  const parsed = parseReference(action.value, ctx, 'assignee', ['current_user', 'requester_id']);
  if ('problem' in parsed) return skipped(ctx, parsed.problem);
  if (parsed.value === NOBODY) return skipped(ctx, 'the update was not made by a user, so there is no current user to assign');
  return setField(ctx, 'assigneeId', parsed.value);
};

const addTags: ActionHandler = (action, ctx) => {
  const tags = parseTags(action.value);
  return setField(ctx, 'tags', [...ctx.ticket.tags, ...tags.filter((t) => !ctx.ticket.tags.includes(t))]);
};

const setTags: ActionHandler = (action, ctx) => setField(ctx, 'tags', parseTags(action.value));

const removeTags: ActionHandler = (action, ctx) => {
  const tags = parseTags(action.value);
  return setField(ctx, 'tags', ctx.ticket.tags.filter((t) => !tags.includes(t)));
};

export const fieldActions: Record<string, ActionHandler> = {
  status,
  priority,
  type,
  group_id: groupId,
  assignee_id: assigneeId,
  current_tags: addTags,
  set_tags: setTags,
  remove_tags: removeTags,
};
