import type { ActionContext, ActionResult } from '../actions/action-handler';
import { deterministicUuid } from '../deterministic-id';
import type { RuleNotification } from '../model';

/**
 * The outcome of an email action: one notification per action of this update (its id derived from
 * them, so a re-run asks for the same one), listing who is emailed and who was left out and why.
 */
export const notificationOutcome = (
  ctx: ActionContext,
  recipientIds: number[],
  suppressed: RuleNotification['suppressed'],
  subject: string,
  body: string,
): ActionResult => {
  const notification: RuleNotification = {
    notificationId: deterministicUuid('notification', ctx.update.updateId, ctx.trigger.id, ctx.actionIndex),
    recipientIds,
    suppressed,
    subject,
    body,
  };
  const note = recipientIds.length === 0 ? 'every recipient was suppressed' : undefined;
  return { ticket: ctx.ticket, outcome: 'notification', notification, ...(note ? { note } : {}) };
};
