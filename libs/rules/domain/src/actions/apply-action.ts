import type { Action } from '../model';
import { notifyGroup } from '../notifications/notify-group';
import { notifyUser } from '../notifications/notify-user';
import { notifyWebhook } from '../notifications/notify-webhook';
import { type ActionContext, type ActionHandler, type ActionResult, skipped } from './action-handler';
import { customFieldAction, fieldActions } from './field-actions';

/** Every action field the engine understands, by its Zendesk API name. Add new actions here. */
export const actionHandlers: Readonly<Record<string, ActionHandler>> = {
  ...fieldActions,
  notification_user: notifyUser,
  notification_group: notifyGroup,
  notification_webhook: notifyWebhook,
};

const handlerFor = (field: unknown): ActionHandler | undefined => {
  if (typeof field !== 'string') return undefined;
  if (Object.hasOwn(actionHandlers, field)) return actionHandlers[field];
  return customFieldAction(field);
};

/** Applies one action; an unknown or malformed action is skipped with the reason, never thrown. */
export const applyAction = (action: Action, ctx: ActionContext): ActionResult => {
  const handler = handlerFor(action?.field);
  if (!handler) return skipped(ctx, `unknown action "${String(action?.field)}"`);
  try {
    return handler(action, ctx);
  } catch (error) {
    return skipped(ctx, `action could not be applied: ${(error as Error).message}`);
  }
};
