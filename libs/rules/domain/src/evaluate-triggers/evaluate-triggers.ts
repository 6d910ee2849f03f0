import type { FiredRule, RuleNotification, RuleWebhookRequest } from '@mailroom/contracts';
import { applyAction } from '../actions/apply-action';
import type { RuleContext } from '../conditions/condition-handler';
import { evaluateTriggerConditions, triggerConditionsHold } from '../conditions/evaluate-conditions';
import type { ActionOutcome, Directory, RuleTicket, RuleUpdate, Schedule, Trigger, TriggerExplanation } from '../model';
import { type SystemRuleNote, type SystemRuleOptions, applySystemRules } from '../system-rules/system-rules';
import { type RuleChanges, changedTicket, clockOf, copyTicket, diffRuleTickets } from './cycle-support';

export { diffRuleTickets } from './cycle-support';
export type { RuleChanges } from './cycle-support';

/** Default safety net on passes over the trigger list in one update (see `maxPasses`). */
export const DEFAULT_MAX_PASSES = 100;

export interface EvaluateTriggersOptions extends SystemRuleOptions {
  /** Trigger category ids in their display order: every trigger of a category runs before the next category's. */
  categoryOrder?: readonly string[];
  /** The clock for business-hours conditions; defaults to the update's `occurredAt`. */
  now?: Date;
  /** The account's business-hours schedules; the first is the default one. */
  schedules?: readonly Schedule[];
  /**
   * Passes over the list at most (a pass ends when a trigger fires and changes the ticket). Each
   * trigger fires at most once, so the cycle always ends; the cap bounds the work a pathological
   * rule set can cause. Reaching it is reported as `capped`.
   */
  maxPasses?: number;
  /** Apply Zendesk's system ticket rules around the cycle (default true). */
  systemRules?: boolean;
}

export interface TriggerEvaluation {
  fired: FiredRule[];
  /** What the triggers (and the system rules) changed, relative to the ticket after the update. */
  changes: RuleChanges;
  /** The ticket after every trigger that fired and the system rules. */
  ticket: RuleTicket;
  /** One entry per active trigger, in run order. */
  explanation: TriggerExplanation[];
  /** Passes over the trigger list. */
  passes: number;
  /** True when the cycle stopped at `maxPasses` rather than on a pass that fired nothing. */
  capped: boolean;
  /** System ticket rules that changed the ticket, in order. */
  systemRules: SystemRuleNote[];
  /** Every webhook call asked for, in firing order. */
  webhooks: RuleWebhookRequest[];
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
  // Plain code-unit comparison: deterministic everywhere and far cheaper than localeCompare.
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return triggers
    .filter((t) => t.active)
    .map((t) => ({ t, category: categoryRank(t) }))
    .sort(
      (a, b) =>
        a.category[0] - b.category[0] ||
        cmp(a.category[1], b.category[1]) ||
        a.t.position - b.t.position ||
        cmp(a.t.id, b.t.id),
    )
    .map(({ t }) => t);
};

/**
 * The run order of a trigger list, remembered per list object (and category order) so that a
 * caller evaluating many updates against the same loaded list sorts it once. Lists are treated as
 * immutable: load a new array when triggers change.
 */
const orderCache = new WeakMap<readonly Trigger[], { key: string; ordered: Trigger[] }>();
const orderedOnce = (triggers: readonly Trigger[], categoryOrder: readonly string[] = []): Trigger[] => {
  const key = categoryOrder.join('\u0000');
  const known = orderCache.get(triggers);
  if (known && known.key === key && known.ordered.length <= triggers.length) return known.ordered;
  const ordered = orderTriggers(triggers, categoryOrder);
  orderCache.set(triggers, { key, ordered });
  return ordered;
};

/**
 * The trigger cycle for one update (Zendesk semantics): active triggers run in order; a trigger
 * whose conditions hold fires, its actions applied to an in-memory copy of the ticket; when that
 * changed the ticket, evaluation starts again from the top over the triggers that have not fired.
 * A trigger fires at most once per update, so the cycle ends — at the latest after every trigger
 * fired once — when a pass fires nothing (or at `maxPasses`, reported). Triggers do not run on a
 * ticket that was closed before the update; they do on the update that closes it.
 */
export const evaluateTriggers = (
  update: RuleUpdate,
  triggers: readonly Trigger[],
  directory: Directory,
  options: EvaluateTriggersOptions = {},
): TriggerEvaluation => {
  const ordered = orderedOnce(triggers, options.categoryOrder);
  const explanation: TriggerExplanation[] = ordered.map((t) => ({
    triggerId: t.id,
    title: t.title,
    matched: false,
    fired: false,
    firedOrder: null,
    conditions: [],
    actions: [],
  }));
  const withSystemRules = options.systemRules !== false;
  const systemRules: SystemRuleNote[] = [];
  let start: RuleTicket = copyTicket(update.after);

  if (update.before?.status === 'closed') {
    for (const e of explanation) e.skipped = 'triggers do not run on a closed ticket';
    return { fired: [], changes: {}, ticket: start, explanation, passes: 0, capped: false, systemRules, webhooks: [] };
  }

  if (withSystemRules) {
    const r = applySystemRules('update', update, update.before, start, directory, options);
    start = r.ticket;
    systemRules.push(...r.applied);
  }

  const now = clockOf(update, options);
  const base = { update, directory, now, schedules: options.schedules };
  const maxPasses = Math.max(1, options.maxPasses ?? DEFAULT_MAX_PASSES);
  let ticket = start;
  const fired: FiredRule[] = [];
  const webhooks: RuleWebhookRequest[] = [];
  let passes = 0;
  let capped = false;
  let restart = true;
  // The ticket each trigger was last evaluated against: the full condition-by-condition record is
  // made once at the end from it, so passes can stop at the first condition that decides.
  const lastSeen: (RuleTicket | undefined)[] = new Array(ordered.length);
  while (restart) {
    if (passes >= maxPasses) {
      capped = true;
      break;
    }
    passes += 1;
    restart = false;
    const ctx: RuleContext = { ...base, ticket, brief: true };
    for (let i = 0; i < ordered.length; i++) {
      const entry = explanation[i];
      if (entry.fired) continue;
      const trigger = ordered[i];
      lastSeen[i] = ticket;
      if (!triggerConditionsHold(trigger, ctx)) continue;
      entry.matched = true;

      const before = ticket;
      const outcomes: ActionOutcome[] = [];
      const notifications: RuleNotification[] = [];
      const calls: RuleWebhookRequest[] = [];
      (trigger.actions ?? []).forEach((action, actionIndex) => {
        const result = applyAction(action, { ...base, ticket, trigger, actionIndex });
        ticket = result.ticket;
        outcomes.push({
          index: actionIndex,
          action,
          outcome: result.outcome,
          ...(result.note ? { note: result.note } : {}),
          ...(result.notification ? { notification: result.notification } : {}),
          ...(result.webhook ? { webhook: result.webhook } : {}),
        });
        if (result.notification) notifications.push(result.notification);
        if (result.webhook) calls.push(result.webhook);
      });
      entry.fired = true;
      entry.firedOrder = fired.length + 1;
      entry.actions = outcomes;
      webhooks.push(...calls);
      fired.push({
        kind: 'trigger',
        id: trigger.id,
        title: trigger.title,
        actions: (trigger.actions ?? []).map((a) => ({ field: a.field, value: a.value })),
        notifications,
        ...(calls.length ? { webhooks: calls } : {}),
      });
      if (changedTicket(before, ticket)) {
        restart = true;
        break;
      }
    }
  }
  let explainCtx: RuleContext | undefined;
  for (let i = 0; i < ordered.length; i++) {
    const seen = lastSeen[i];
    if (!seen) continue;
    if (explainCtx?.ticket !== seen) explainCtx = { ...base, ticket: seen };
    const { matched, checks } = evaluateTriggerConditions(ordered[i], explainCtx);
    explanation[i].matched = matched;
    explanation[i].conditions = checks;
  }
  if (capped) {
    for (const e of explanation) if (!e.fired) e.skipped = `the cycle stopped after ${maxPasses} passes`;
  }

  if (withSystemRules) {
    const r = applySystemRules('rules', update, start, ticket, directory, options);
    ticket = r.ticket;
    systemRules.push(...r.applied);
  }
  return { fired, changes: diffRuleTickets(update.after, ticket), ticket, explanation, passes, capped, systemRules, webhooks };
};

export interface UpdateExplanation {
  /** Every active trigger, in run order, with each condition's result and, if it fired, its actions' outcomes. */
  triggers: TriggerExplanation[];
  passes: number;
  capped: boolean;
  systemRules: SystemRuleNote[];
  changes: RuleChanges;
}

/** The admin's "why did / didn't it fire" view of one update: the cycle's record without the command. */
export const explainTriggers = (
  update: RuleUpdate,
  triggers: readonly Trigger[],
  directory: Directory,
  options: EvaluateTriggersOptions = {},
): UpdateExplanation => {
  const r = evaluateTriggers(update, triggers, directory, options);
  return { triggers: r.explanation, passes: r.passes, capped: r.capped, systemRules: r.systemRules, changes: r.changes };
};
