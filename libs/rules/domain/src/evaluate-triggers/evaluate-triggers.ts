import type { ApplyRuleActionsV1, FiredRule, RuleNotification } from '@mailroom/contracts';
import { applyAction } from '../actions/apply-action';
import type { RuleContext } from '../conditions/condition-handler';
import { evaluateTriggerConditions } from '../conditions/evaluate-conditions';
import type { ActionOutcome, Directory, RuleTicket, RuleUpdate, Trigger, TriggerExplanation } from '../model';

export type RuleChanges = ApplyRuleActionsV1['changes'];

export interface EvaluateTriggersOptions {
  /** Trigger category ids in their display order: every trigger of a category runs before the next category's. */
  categoryOrder?: readonly string[];
}

export interface TriggerEvaluation {
  fired: FiredRule[];
  /** What the triggers changed, relative to the ticket after the update. */
  changes: RuleChanges;
  /** The ticket after every trigger that fired. */
  ticket: RuleTicket;
  /** One entry per active trigger, in run order. */
  explanation: TriggerExplanation[];
}

/**
 * Active triggers in run order: by category (in `categoryOrder`; uncategorised first, unknown
 * categories after the known ones by id), then position, then id so that ties are deterministic.
 */
export const orderTriggers = (triggers: readonly Trigger[], categoryOrder: readonly string[] = []): Trigger[] => {
  const categoryRank = (t: Trigger): [number, string] => {
    if (t.category_id === null || t.category_id === undefined) return [-1, ''];
    const known = categoryOrder.indexOf(t.category_id);
    return known >= 0 ? [known, ''] : [categoryOrder.length, t.category_id];
  };
  return triggers
    .filter((t) => t.active)
    .map((t) => ({ t, category: categoryRank(t) }))
    .sort(
      (a, b) =>
        a.category[0] - b.category[0] ||
        a.category[1].localeCompare(b.category[1]) ||
        a.t.position - b.t.position ||
        a.t.id.localeCompare(b.t.id),
    )
    .map(({ t }) => t);
};

/** The field changes between two states of a ticket, in the shape of `ApplyRuleActions`. */
export const diffRuleTickets = (from: RuleTicket, to: RuleTicket): RuleChanges => {
  const changes: RuleChanges = {};
  if (from.status !== to.status) changes.status = to.status;
  if (from.priority !== to.priority) changes.priority = to.priority;
  if (from.type !== to.type) changes.type = to.type;
  if (from.groupId !== to.groupId) changes.groupId = to.groupId;
  if (from.assigneeId !== to.assigneeId) changes.assigneeId = to.assigneeId;
  const added = to.tags.filter((t) => !from.tags.includes(t));
  const removed = from.tags.filter((t) => !to.tags.includes(t));
  if (added.length) changes.addTags = added;
  if (removed.length) changes.removeTags = removed;
  return changes;
};

const changedTicket = (from: RuleTicket, to: RuleTicket): boolean =>
  from !== to && Object.keys(diffRuleTickets(from, to)).length > 0;

/**
 * The trigger cycle for one update (Zendesk semantics): active triggers run in order; a trigger
 * whose conditions hold fires, its actions applied to an in-memory copy of the ticket; when that
 * changed the ticket, evaluation starts again from the top over the triggers that have not fired.
 * A trigger fires at most once per update, so the cycle ends — at the latest after every trigger
 * fired once — when a pass fires nothing.
 */
export const evaluateTriggers = (
  update: RuleUpdate,
  triggers: readonly Trigger[],
  directory: Directory,
  options: EvaluateTriggersOptions = {},
): TriggerEvaluation => {
  const ordered = orderTriggers(triggers, options.categoryOrder);
  const explanation: TriggerExplanation[] = ordered.map((t) => ({
    triggerId: t.id,
    title: t.title,
    matched: false,
    fired: false,
    firedOrder: null,
    conditions: [],
    actions: [],
  }));
  const start: RuleTicket = { ...update.after, tags: [...update.after.tags], ccIds: [...update.after.ccIds] };

  // Triggers never run on a ticket that was already closed (they may on the update that closes it).
  if (update.before?.status === 'closed') {
    for (const e of explanation) e.skipped = 'triggers do not run on a closed ticket';
    return { fired: [], changes: {}, ticket: start, explanation };
  }

  let ticket = start;
  const fired: FiredRule[] = [];
  let restart = true;
  while (restart) {
    restart = false;
    for (let i = 0; i < ordered.length; i++) {
      const entry = explanation[i];
      if (entry.fired) continue;
      const trigger = ordered[i];
      const ctx: RuleContext = { update, ticket, directory };
      const { matched, checks } = evaluateTriggerConditions(trigger, ctx);
      entry.matched = matched;
      entry.conditions = checks;
      if (!matched) continue;

      const before = ticket;
      const outcomes: ActionOutcome[] = [];
      const notifications: RuleNotification[] = [];
      (trigger.actions ?? []).forEach((action, actionIndex) => {
        const result = applyAction(action, { update, ticket, directory, trigger, actionIndex });
        ticket = result.ticket;
        outcomes.push({ index: actionIndex, action, outcome: result.outcome, ...(result.note ? { note: result.note } : {}) });
        if (result.notification) notifications.push(result.notification);
      });
      entry.fired = true;
      entry.firedOrder = fired.length + 1;
      entry.actions = outcomes;
      fired.push({
        kind: 'trigger',
        id: trigger.id,
        title: trigger.title,
        actions: (trigger.actions ?? []).map((a) => ({ field: a.field, value: a.value })),
        notifications,
      });
      if (changedTicket(before, ticket)) {
        restart = true;
        break;
      }
    }
  }
  return { fired, changes: diffRuleTickets(update.after, ticket), ticket, explanation };
};
