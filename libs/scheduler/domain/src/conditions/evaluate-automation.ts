import type { Via } from '@mailroom/contracts';
import { evaluateCondition, type Condition, type Directory, type RuleContext, type RuleTicket, type RuleUpdate, type Schedule } from '@mailroom/rules-domain';
import type { Automation, AutomationTicket } from '../model';
import { evaluateTimeCondition, isTimeField } from '../time/time-conditions';

/**
 * Automation conditions: the time conditions are the scheduler's own; every other one is the
 * trigger engine's handler, run on an adapter of the ticket. An automation looks at a ticket, not
 * at an update, so the conditions about an update (what changed, its comment, who made it, how)
 * are trigger-only and refused by the validator; the synthetic update below makes them harmless
 * should one reach the evaluator anyway (nothing changed, no comment, no user).
 */

/** Trigger conditions that describe an update: meaningless on a clock (reference §3.3, "trigger-only"). */
export const TRIGGER_ONLY_FIELDS: readonly string[] = ['update_type', 'comment_is_public', 'comment_includes_word', 'current_via_id', 'role'];
export const TRIGGER_ONLY_OPERATORS: readonly string[] = ['changed', 'not_changed', 'value', 'value_previous', 'not_value', 'not_value_previous'];

export const RULE_VIA: Via = { channel: 'rule', source: { from: {}, to: {}, rel: null } };

/** The ticket as the trigger engine's handlers read it. */
export const toRuleTicket = (t: AutomationTicket): RuleTicket => ({
  id: t.id,
  status: t.status,
  priority: t.priority,
  type: t.type,
  groupId: t.group_id,
  assigneeId: t.assignee_id,
  requesterId: t.requester_id,
  organizationId: t.organization_id ?? null,
  tags: t.tags,
  ccIds: t.cc_ids ?? [],
  recipient: t.recipient ?? null,
  subject: t.subject ?? '',
  hasPublicComments: t.has_public_comments ?? true,
  via: t.via,
  reopens: t.reopens ?? 0,
  replies: t.replies ?? 0,
  satisfactionScore: t.satisfaction_score ?? 'unoffered',
  customFields: t.custom_fields ?? {},
  scheduleId: t.schedule_id ?? null,
});

/** An automation's update: made by no user, through `rule` (via id 8), with no comment. */
export const automationUpdate = (updateId: string, ticket: RuleTicket, occurredAt: string): RuleUpdate => ({
  updateId,
  isCreate: false,
  actor: { userId: null, role: 'system' },
  via: RULE_VIA,
  comment: null,
  mail: null,
  before: ticket,
  after: ticket,
  occurredAt,
});

export interface AutomationContext {
  now: Date;
  schedules?: readonly Schedule[];
  /** People, for requester conditions and notification recipients. */
  directory: Directory;
}

export const ruleContext = (ticket: AutomationTicket, ctx: AutomationContext, updateId = 'automation-check'): RuleContext => {
  const rt = toRuleTicket(ticket);
  return { update: automationUpdate(updateId, rt, ctx.now.toISOString()), ticket: rt, directory: ctx.directory, now: ctx.now, schedules: ctx.schedules, brief: true };
};

export interface AutomationConditionCheck {
  group: 'all' | 'any';
  index: number;
  condition: Condition;
  matched: boolean;
  problem?: string;
}

const checkOne = (condition: Condition, ticket: AutomationTicket, ctx: AutomationContext, rule: () => RuleContext): { matched: boolean; problem?: string } => {
  if (isTimeField(condition?.field)) return evaluateTimeCondition(condition, ticket, ctx);
  const verdict = evaluateCondition(condition, rule());
  return verdict.problem === undefined ? { matched: verdict.matched } : { matched: verdict.matched, problem: verdict.problem };
};

/** ALL must hold, and one of ANY when there are any; stops at the first answer. */
export const automationConditionsHold = (automation: Pick<Automation, 'conditions'>, ticket: AutomationTicket, ctx: AutomationContext): boolean => {
  let rule: RuleContext | undefined;
  const lazyRule = () => (rule ??= ruleContext(ticket, ctx));
  const all = automation.conditions?.all ?? [];
  for (const c of all) if (!checkOne(c, ticket, ctx, lazyRule).matched) return false;
  const any = automation.conditions?.any ?? [];
  return any.length === 0 || any.some((c) => checkOne(c, ticket, ctx, lazyRule).matched);
};

/** Every condition's verdict, for the admin's "why did / didn't it fire". */
export const explainAutomationConditions = (automation: Pick<Automation, 'conditions'>, ticket: AutomationTicket, ctx: AutomationContext): AutomationConditionCheck[] => {
  const rule = ruleContext(ticket, ctx);
  const check = (group: 'all' | 'any') => (condition: Condition, index: number): AutomationConditionCheck => ({ group, index, condition, ...checkOne(condition, ticket, ctx, () => rule) });
  return [...(automation.conditions?.all ?? []).map(check('all')), ...(automation.conditions?.any ?? []).map(check('any'))];
};
