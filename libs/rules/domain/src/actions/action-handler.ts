import type { RuleContext } from '../conditions/condition-handler';
import type { Action, ActionOutcomeKind, RuleNotification, RuleTicket, RuleWebhookRequest, Trigger } from '../model';

export interface ActionContext extends RuleContext {
  trigger: Trigger;
  actionIndex: number;
}

export interface ActionResult {
  /** The ticket after the action (the same object when nothing changed). */
  ticket: RuleTicket;
  outcome: ActionOutcomeKind;
  note?: string;
  notification?: RuleNotification;
  webhook?: RuleWebhookRequest;
}

export type ActionHandler = (action: Action, ctx: ActionContext) => ActionResult;

export const skipped = (ctx: ActionContext, note: string): ActionResult => ({ ticket: ctx.ticket, outcome: 'skipped', note });
