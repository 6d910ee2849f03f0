import { type ActionContext, type ActionHandler, skipped } from '../actions/action-handler';
import { parseId } from '../conditions/values';
import { notificationOutcome } from './notification-outcome';
import type { RuleNotification } from '../model';

/**
 * `notification_user`: `[recipient, subject, body]`. The templates travel unrendered; the notifier
 * renders them per recipient. Who is left out, and why, is decided here so that the ticket's audit
 * can say it (Zendesk shows suppressed recipients in the events log while the trigger still fires).
 */

type Audience = { ids: number[]; asRequesterAndCcs: boolean } | { problem: string };

const RECIPIENTS = ['requester_id', 'requester_and_ccs', 'assignee_id', 'current_user', 'all_agents', 'a user id'];

const audienceOf = (target: unknown, ctx: ActionContext): Audience => {
  const { ticket, update, directory } = ctx;
  switch (target) {
    case 'requester_id':
      return { ids: [ticket.requesterId], asRequesterAndCcs: false };
    case 'requester_and_ccs':
      return { ids: [ticket.requesterId, ...ticket.ccIds], asRequesterAndCcs: true };
    case 'assignee_id':
      return { ids: ticket.assigneeId === null ? [] : [ticket.assigneeId], asRequesterAndCcs: false };
    case 'current_user':
      return { ids: update.actor.userId === null ? [] : [update.actor.userId], asRequesterAndCcs: false };
    case 'all_agents':
      return { ids: directory.agents().map((a) => a.id), asRequesterAndCcs: false };
  }
  const id = parseId(target);
  if (id !== undefined) return { ids: [id], asRequesterAndCcs: false };
  return { problem: `${JSON.stringify(target ?? null)} is not a recipient (${RECIPIENTS.join(', ')})` };
};

/** Zendesk's suppression of "(requester and CCs)" emails plus the plain "no address, no email". */
const suppressionReason = (userId: number, asRequesterAndCcs: boolean, ctx: ActionContext): string | null => {
  const { update, directory } = ctx;
  if (asRequesterAndCcs && update.comment && !update.comment.public) {
    return 'the comment is private';
  }
  const person = directory.person(userId);
  if (!person) return 'unknown user';
  if (!person.email) return 'no email address';
  // A machine's mail that an agent recovered: nothing automatic goes back to that machine.
  if (update.mail?.automated && (update.actor.userId === userId || update.comment?.authorId === userId)) {
    return `sent the update from an automated sender (${update.mail.automated})`;
  }
  // On a create the requester gets the acknowledgement of their own request; after that, an email
  // to requester and CCs mimics ordinary mail: nobody gets a copy of what they wrote or already have.
  if (asRequesterAndCcs && !update.isCreate) {
    if (update.comment && update.comment.authorId === userId) return 'wrote this comment';
    const email = person.email.toLowerCase();
    if (update.mail && update.mail.recipients.some((r) => r.toLowerCase() === email)) {
      return 'already received the email that updated the ticket';
    }
  }
  return null;
};

const emptyAudienceNote = (target: unknown): string => {
  switch (target) {
    case 'assignee_id':
      return 'nobody to notify: the ticket has no assignee';
    case 'current_user':
      return 'nobody to notify: the update was not made by a user';
    default:
      return 'nobody to notify';
  }
};

export const notifyUser: ActionHandler = (action, ctx) => {
  const value = action.value;
  if (!Array.isArray(value) || value.length < 3 || typeof value[1] !== 'string' || typeof value[2] !== 'string') {
    return skipped(ctx, 'notification_user expects [recipient, subject, body]');
  }
  const [target, subject, body] = value as [unknown, string, string];
  const audience = audienceOf(target, ctx);
  if ('problem' in audience) return skipped(ctx, audience.problem);
  const ids = [...new Set(audience.ids)];
  if (ids.length === 0) return skipped(ctx, emptyAudienceNote(target));

  const recipientIds: number[] = [];
  const suppressed: RuleNotification['suppressed'] = [];
  for (const userId of ids) {
    const reason = suppressionReason(userId, audience.asRequesterAndCcs, ctx);
    if (reason === null) recipientIds.push(userId);
    else suppressed.push({ userId, reason });
  }
  return notificationOutcome(ctx, recipientIds, suppressed, subject, body);
};
