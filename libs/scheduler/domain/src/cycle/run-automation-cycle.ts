import type { FiredRule, RuleWebhookRequest, Via } from '@mailroom/contracts';
import {
  applyAction,
  applySystemRules,
  deterministicUuid,
  diffRuleTickets,
  type ActionOutcome,
  type RuleChanges,
  type RuleNotification,
  type RuleTicket,
  type Trigger,
} from '@mailroom/rules-domain';
import { automationConditionsHold, automationUpdate, RULE_VIA, toRuleTicket, type AutomationContext } from '../conditions/evaluate-automation';
import type { Automation, AutomationTicket } from '../model';
import { CLOSE_SOLVED_AUTOMATION, SYSTEM_CLOSE } from '../standard-automations/standard-automations';

/**
 * One automation cycle (reference §2.1), pure: the tickets and the clock are given, the updates to
 * send come out. Per ticket, the 28-day system close first, then every active automation in
 * position order; each one that fires updates the in-memory ticket at once, so the next one is
 * judged on the changed ticket (#2 raising the priority makes #3's "priority is high" hold in the
 * same cycle). Closed tickets are never touched, and a ticket automations have updated 100 times
 * is left alone by all but the standard close.
 */

/** Zendesk: "each ticket can be updated at most 100 times by automations". */
export const MAX_AUTOMATION_UPDATES = 100;

const SYSTEM_VIA: Via = { channel: 'system', source: { from: {}, to: {}, rel: 'system_close' } };

export type AutomationUpdateSource =
  | { kind: 'automation'; automationId: string; title: string }
  | { kind: 'system_close'; title: string };

/** One ticket update to send: a command for the ticket service. */
export interface AutomationTicketUpdate {
  ticketId: number;
  /** Derived from the ticket, the rule and the instant: a redelivered tick asks for the same update. */
  updateId: string;
  source: AutomationUpdateSource;
  /** `rule` (via id 8) for automations; the system close comes from the system. */
  via: Via;
  /** Whether the trigger cycle runs on this update: false for the system close only. */
  firesTriggers: boolean;
  /** The field changes, in the shape of `ApplyRuleActions`. */
  changes: RuleChanges;
  /** The automation as the audit shows it; null for the system close. */
  fired: FiredRule | null;
  /** Each action's outcome, for the explanation. */
  actions: ActionOutcome[];
  /** The ticket the rule was judged on (what `recheckAutomation` compares at send time). */
  before: AutomationTicket;
  /** The ticket once the update is applied, time fields and counter moved. */
  after: AutomationTicket;
}

export interface AutomationCycleInput extends AutomationContext {
  tickets: readonly AutomationTicket[];
  automations: readonly Automation[];
  /** The id of the standard close automation, exempt from the 100-updates limit. */
  closeAutomationId?: string;
}

export interface TicketCycleResult {
  ticketId: number;
  updates: AutomationTicketUpdate[];
  /** The ticket after every update of the cycle. */
  ticket: AutomationTicket;
}

/** Active automations in run order: position, then id for automations sharing a position. */
export const orderAutomations = (automations: readonly Automation[]): Automation[] =>
  automations.filter((a) => a.active).sort((a, b) => a.position - b.position || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

export type RecheckVerdict = { fire: true } | { fire: false; reason: 'closed' | 'inactive' | 'limit' | 'conditions' };

/**
 * The re-check at update time (Zendesk's collision avoidance): just before sending, the service
 * reads the ticket again and asks whether the automation still applies to it as it is now.
 */
export const recheckAutomation = (
  ticket: AutomationTicket,
  automation: Automation,
  now: Date,
  ctx: Omit<AutomationContext, 'now'> & { closeAutomationId?: string },
): RecheckVerdict => {
  if (ticket.status === 'closed') return { fire: false, reason: 'closed' };
  if (!automation.active) return { fire: false, reason: 'inactive' };
  const closeId = ctx.closeAutomationId ?? CLOSE_SOLVED_AUTOMATION.id;
  if (ticket.automation_updates >= MAX_AUTOMATION_UPDATES && automation.id !== closeId) return { fire: false, reason: 'limit' };
  return automationConditionsHold(automation, ticket, { ...ctx, now }) ? { fire: true } : { fire: false, reason: 'conditions' };
};

/** Whether the 28-day system close is due: solved, and solved at least 28 days ago. */
export const systemCloseDue = (ticket: AutomationTicket, now: Date): boolean => {
  if (ticket.status !== 'solved' || ticket.solved_at === null) return false;
  const solved = Date.parse(ticket.solved_at);
  return !Number.isNaN(solved) && now.getTime() - solved >= SYSTEM_CLOSE.afterHours * 3_600_000;
};

/** The read model after an update at `now`: the rule engine's fields back, and the times they move. */
export const evolveAfterUpdate = (before: AutomationTicket, after: RuleTicket, now: Date, countsAsAutomation: boolean): AutomationTicket => {
  const at = now.toISOString();
  const next: AutomationTicket = {
    ...before,
    status: after.status,
    priority: after.priority,
    type: after.type,
    group_id: after.groupId,
    assignee_id: after.assigneeId,
    tags: after.tags,
    cc_ids: after.ccIds,
    satisfaction_score: after.satisfactionScore ?? 'unoffered',
    schedule_id: after.scheduleId ?? null,
    custom_fields: after.customFields ?? {},
    updated_at: at,
    automation_updates: before.automation_updates + (countsAsAutomation ? 1 : 0),
  };
  if (after.status !== before.status) {
    next.status_changed_at = at;
    switch (after.status) {
      case 'new':
        break; // a ticket never goes back to new; created_at stays the time it was new
      case 'open':
        next.open_at = at;
        break;
      case 'pending':
        next.pending_at = at;
        break;
      case 'hold':
        next.hold_at = at;
        break;
      case 'solved':
        next.solved_at = at;
        break;
      case 'closed':
        next.closed_at = at;
        break;
      default: {
        const _exhaustive: never = after.status;
        return _exhaustive;
      }
    }
  }
  if (after.assigneeId !== before.assignee_id && after.assigneeId !== null) next.assigned_at = at;
  return next;
};

const asTrigger = (a: Automation): Trigger => ({ id: a.id, title: a.title, active: a.active, position: a.position, category_id: null, conditions: a.conditions, actions: a.actions });

/**
 * Fires one automation on a ticket whose conditions hold: its actions in order through the trigger
 * engine's handlers, then the system ticket rules (as the ticket service will apply them). Null
 * when the actions would change nothing and send nothing: no update to make.
 */
export const fireAutomation = (ticket: AutomationTicket, automation: Automation, ctx: AutomationContext): AutomationTicketUpdate | null => {
  const updateId = deterministicUuid('automation-update', ticket.id, automation.id, ctx.now.toISOString());
  const start = toRuleTicket(ticket);
  const update = automationUpdate(updateId, start, ctx.now.toISOString());
  const trigger = asTrigger(automation);
  let current = start;
  const outcomes: ActionOutcome[] = [];
  const notifications: RuleNotification[] = [];
  const webhooks: RuleWebhookRequest[] = [];
  automation.actions.forEach((action, actionIndex) => {
    const result = applyAction(action, { update, ticket: current, directory: ctx.directory, now: ctx.now, schedules: ctx.schedules, trigger, actionIndex });
    current = result.ticket;
    outcomes.push({
      index: actionIndex,
      action,
      outcome: result.outcome,
      ...(result.note ? { note: result.note } : {}),
      ...(result.notification ? { notification: result.notification } : {}),
      ...(result.webhook ? { webhook: result.webhook } : {}),
    });
    if (result.notification) notifications.push(result.notification);
    if (result.webhook) webhooks.push(result.webhook);
  });
  current = applySystemRules('rules', update, start, current, ctx.directory).ticket;
  const changes = diffRuleTickets(start, current);
  if (Object.keys(changes).length === 0 && notifications.length === 0 && webhooks.length === 0) return null;
  return {
    ticketId: ticket.id,
    updateId,
    source: { kind: 'automation', automationId: automation.id, title: automation.title },
    via: RULE_VIA,
    firesTriggers: true,
    changes,
    fired: {
      kind: 'automation',
      id: automation.id,
      title: automation.title,
      actions: automation.actions.map((a) => ({ field: a.field, value: a.value })),
      notifications,
      ...(webhooks.length ? { webhooks } : {}),
    },
    actions: outcomes,
    before: ticket,
    after: evolveAfterUpdate(ticket, current, ctx.now, true),
  };
};

/** The system close of one ticket, when due. */
export const systemCloseUpdate = (ticket: AutomationTicket, now: Date): AutomationTicketUpdate | null => {
  if (!systemCloseDue(ticket, now)) return null;
  const closed: RuleTicket = { ...toRuleTicket(ticket), status: 'closed' };
  return {
    ticketId: ticket.id,
    updateId: deterministicUuid('system-close', ticket.id, ticket.solved_at ?? ''),
    source: { kind: 'system_close', title: SYSTEM_CLOSE.title },
    via: SYSTEM_VIA,
    firesTriggers: SYSTEM_CLOSE.firesTriggers,
    changes: { status: 'closed' },
    fired: null,
    actions: [],
    before: ticket,
    after: evolveAfterUpdate(ticket, closed, now, false),
  };
};

/** The cycle for one ticket. */
export const runTicketCycle = (ticket: AutomationTicket, ordered: readonly Automation[], ctx: AutomationContext & { closeAutomationId?: string }): TicketCycleResult => {
  const updates: AutomationTicketUpdate[] = [];
  let current = ticket;
  const systemClose = systemCloseUpdate(current, ctx.now);
  if (systemClose) {
    updates.push(systemClose);
    current = systemClose.after;
  }
  for (const automation of ordered) {
    if (!recheckAutomation(current, automation, ctx.now, ctx).fire) continue;
    const update = fireAutomation(current, automation, ctx);
    if (!update) continue;
    updates.push(update);
    current = update.after;
  }
  return { ticketId: ticket.id, updates, ticket: current };
};

/** The cycle over many tickets: per ticket the updates to send, in order; tickets with none are left out. */
export const runAutomationCycle = (input: AutomationCycleInput): TicketCycleResult[] => {
  const ordered = orderAutomations(input.automations);
  const results: TicketCycleResult[] = [];
  for (const ticket of input.tickets) {
    const result = runTicketCycle(ticket, ordered, input);
    if (result.updates.length) results.push(result);
  }
  return results;
};
