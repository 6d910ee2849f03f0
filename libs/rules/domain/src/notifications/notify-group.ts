import { type ActionHandler, skipped } from '../actions/action-handler';
import { parseId } from '../conditions/values';
import { notificationOutcome } from './notification-outcome';
import type { RuleNotification } from '../model';

/**
 * `notification_group`: `[group_id | <group id>, subject, body]` emails every agent of the group
 * (the ticket's group for `group_id`). Members without an address are listed as suppressed.
 */
export const notifyGroup: ActionHandler = (action, ctx) => {
  const value = action.value;
  if (!Array.isArray(value) || value.length < 3 || typeof value[1] !== 'string' || typeof value[2] !== 'string') {
    return skipped(ctx, 'notification_group expects [group, subject, body]');
  }
  const [target, subject, body] = value as [unknown, string, string];
  let groupId: number | undefined;
  if (target === 'group_id') {
    if (ctx.ticket.groupId === null) return skipped(ctx, 'nobody to notify: the ticket has no group');
    groupId = ctx.ticket.groupId;
  } else {
    groupId = parseId(target);
    if (groupId === undefined) return skipped(ctx, `${JSON.stringify(target ?? null)} is not a group (group_id or a group id)`);
  }
  if (!ctx.directory.groupMembers) return skipped(ctx, 'group membership is not known to the rules');
  const members = ctx.directory.groupMembers(groupId);
  if (members === undefined) return skipped(ctx, `group ${groupId} does not exist`);
  const recipientIds: number[] = [];
  const suppressed: RuleNotification['suppressed'] = [];
  for (const member of members) {
    if (recipientIds.includes(member.id) || suppressed.some((s) => s.userId === member.id)) continue;
    if (!member.email) suppressed.push({ userId: member.id, reason: 'no email address' });
    else recipientIds.push(member.id);
  }
  if (recipientIds.length === 0 && suppressed.length === 0) return skipped(ctx, `nobody to notify: group ${groupId} has no agents`);
  return notificationOutcome(ctx, recipientIds, suppressed, subject, body);
};
