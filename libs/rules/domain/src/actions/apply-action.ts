import type { Action } from '../model';
import { notifyUser } from '../notifications/notify-user';
import { type ActionContext, type ActionHandler, type ActionResult, skipped } from './action-handler';
import { fieldActions } from './field-actions';

/** Every action field the engine understands, by its Zendesk API name. Add new actions here. */
export const actionHandlers: Readonly<Record<string, ActionHandler>> = {
  ...fieldActions,
  notification_user: notifyUser,
  notification_group: (_action, ctx) => skipped(ctx, 'group notifications are not supported yet'),
};

/** Applies one action; an unknown or malformed action is skipped with the reason, never thrown. */
export const applyAction = (action: Action, ctx: ActionContext): ActionResult => {
  const handler = Object.hasOwn(actionHandlers, action?.field) ? actionHandlers[action.field] : undefined;
  if (!handler) return skipped(ctx, `unknown action "${String(action?.field)}"`);
  try {
    return handler(action, ctx);
  } catch (error) {
    return skipped(ctx, `action could not be applied: ${(error as Error).message}`);
  }
};
