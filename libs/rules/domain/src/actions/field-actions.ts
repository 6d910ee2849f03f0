import { TICKET_PRIORITIES, TICKET_STATUSES, TICKET_TYPES } from '@mailroom/contracts';
import { MAX_CCS, ccsAfter, goesBackToNew } from '@mailroom/system-rules';
import { CUSTOM_FIELD_PREFIX } from '../conditions/field-conditions';
import { NOBODY, parseEnum, parseId, parseReference, parseTags } from '../conditions/values';
import type { CustomFieldValue, RuleTicket } from '../model';
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
  if (goesBackToNew(ctx.ticket.status, parsed.value as RuleTicket['status'])) return skipped(ctx, 'a ticket cannot be set back to new');
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

const setTags: ActionHandler = (action, ctx) => setField(ctx, 'tags', [...parseTags(action.value)]);

const removeTags: ActionHandler = (action, ctx) => {
  const tags = parseTags(action.value);
  return setField(ctx, 'tags', ctx.ticket.tags.filter((t) => !tags.includes(t)));
};

export { MAX_CCS } from '@mailroom/system-rules';

/** `cc`: adds a user (id or `current_user`) as CC; the requester is never their own CC. */
const addCc: ActionHandler = (action, ctx) => {
  const values = Array.isArray(action.value) ? action.value : [action.value];
  let ccIds = ctx.ticket.ccIds;
  for (const raw of values) {
    const ref = parseReference(raw, ctx, 'user to copy', ['current_user']);
    if ('problem' in ref) return skipped(ctx, ref.problem);
    if (ref.value === NOBODY || ref.value === null) return skipped(ctx, 'there is nobody to copy');
    const id = ref.value;
    if (!ctx.directory.person(id)) return skipped(ctx, `user ${id} is not known`);
    // System rule (shared with the decider): never the requester, MAX_CCS at most.
    const next = ccsAfter(ccIds, ctx.ticket.requesterId, [id]);
    if (next.refused.length) return skipped(ctx, `the ticket already has ${MAX_CCS} CCs`);
    ccIds = next.ccIds;
  }
  return setField(ctx, 'ccIds', ccIds);
};

/** Rules can only offer the survey: `offered_to_requester` moves an unoffered ticket to offered. */
const satisfactionScore: ActionHandler = (action, ctx) => {
  if (action.value !== 'offered_to_requester' && action.value !== 'offered') {
    return skipped(ctx, `${JSON.stringify(action.value ?? null)} is not a satisfaction action (offered_to_requester)`);
  }
  const current = ctx.ticket.satisfactionScore ?? 'unoffered';
  if (current !== 'unoffered') return { ticket: ctx.ticket, outcome: 'unchanged', note: `satisfaction is already ${current}` };
  return { ticket: { ...ctx.ticket, satisfactionScore: 'offered' }, outcome: 'changed' };
};

const scheduleId: ActionHandler = (action, ctx) => {
  const raw = action.value;
  if (raw === '' || raw === null) return setField(ctx, 'scheduleId', null);
  const id = parseId(raw);
  if (id === undefined) return skipped(ctx, `${JSON.stringify(raw ?? null)} is not a schedule id`);
  if (ctx.schedules && !ctx.schedules.some((s) => s.id === id)) return skipped(ctx, `schedule ${id} does not exist`);
  return setField(ctx, 'scheduleId', id);
};

/** `custom_fields_<id>`: sets a custom field; "" clears it; `current_user` for lookup fields. */
export const customFieldAction = (field: string): ActionHandler | undefined => {
  if (!field.startsWith(CUSTOM_FIELD_PREFIX)) return undefined;
  const fieldId = field.slice(CUSTOM_FIELD_PREFIX.length);
  if (!/^\d{1,20}$/.test(fieldId)) return undefined;
  return (action, ctx) => {
    let value: CustomFieldValue;
    if (action.value === '' || action.value === null) value = null;
    else if (action.value === 'current_user') {
      if (ctx.update.actor.userId === null) return skipped(ctx, 'the update was not made by a user');
      value = ctx.update.actor.userId;
    } else if (['string', 'number', 'boolean'].includes(typeof action.value)) value = action.value as CustomFieldValue;
    else return skipped(ctx, `${JSON.stringify(action.value)} is not a custom field value`);
    const current = ctx.ticket.customFields?.[fieldId] ?? null;
    if (current === value) return { ticket: ctx.ticket, outcome: 'unchanged' };
    return { ticket: { ...ctx.ticket, customFields: { ...ctx.ticket.customFields, [fieldId]: value } }, outcome: 'changed' };
  };
};

export const fieldActions: Record<string, ActionHandler> = {
  cc: addCc,
  satisfaction_score: satisfactionScore,
  schedule_id: scheduleId,
  status,
  priority,
  type,
  group_id: groupId,
  assignee_id: assigneeId,
  current_tags: addTags,
  set_tags: setTags,
  remove_tags: removeTags,
};
