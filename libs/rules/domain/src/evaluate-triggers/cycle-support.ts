import type { ApplyRuleActionsV1 } from '@mailroom/contracts';
import type { RuleTicket, RuleUpdate } from '../model';

/** Pieces shared by the reference trigger cycle and the compiled one. */

export type RuleChanges = ApplyRuleActionsV1['changes'];

/** The field changes between two states of a ticket, in the shape of `ApplyRuleActions`. */
export const diffRuleTickets = (from: RuleTicket, to: RuleTicket): RuleChanges => {
  const changes: RuleChanges = {};
  if (from.status !== to.status) changes.status = to.status;
  if (from.priority !== to.priority) changes.priority = to.priority;
  if (from.type !== to.type) changes.type = to.type;
  if (from.groupId !== to.groupId) changes.groupId = to.groupId;
  if (from.assigneeId !== to.assigneeId) changes.assigneeId = to.assigneeId;
  if (from.tags !== to.tags) {
    const added = to.tags.filter((t) => !from.tags.includes(t));
    const removed = from.tags.filter((t) => !to.tags.includes(t));
    if (added.length) changes.addTags = added;
    if (removed.length) changes.removeTags = removed;
  }
  if (from.ccIds !== to.ccIds) {
    const addedCcs = to.ccIds.filter((id) => !from.ccIds.includes(id));
    if (addedCcs.length) changes.addCcIds = addedCcs;
  }
  if ((from.satisfactionScore ?? 'unoffered') !== (to.satisfactionScore ?? 'unoffered')) changes.satisfactionScore = to.satisfactionScore;
  if ((from.scheduleId ?? null) !== (to.scheduleId ?? null)) changes.scheduleId = to.scheduleId ?? null;
  if (from.customFields !== to.customFields) {
    const fields: Record<string, string | number | boolean | null> = {};
    const ids = new Set([...Object.keys(from.customFields ?? {}), ...Object.keys(to.customFields ?? {})]);
    for (const id of ids) {
      const a = from.customFields?.[id] ?? null;
      const b = to.customFields?.[id] ?? null;
      if (a !== b) fields[id] = b;
    }
    if (Object.keys(fields).length) changes.customFields = fields;
  }
  return changes;
};

export const changedTicket = (from: RuleTicket, to: RuleTicket): boolean =>
  from !== to && Object.keys(diffRuleTickets(from, to)).length > 0;

export const copyTicket = (t: RuleTicket): RuleTicket => ({
  ...t,
  tags: [...t.tags],
  ccIds: [...t.ccIds],
  ...(t.customFields ? { customFields: { ...t.customFields } } : {}),
});

export const clockOf = (update: RuleUpdate, options: { now?: Date }): Date | undefined => {
  if (options.now) return options.now;
  if (update.occurredAt) {
    const at = new Date(update.occurredAt);
    return Number.isNaN(at.getTime()) ? undefined : at;
  }
  return undefined;
};
