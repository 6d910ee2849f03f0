import {
  type SystemRule,
  type SystemRuleOptions as SharedSystemRuleOptions,
  applySystemRules as applySharedSystemRules,
} from '@mailroom/system-rules';
import type { Directory, RuleTicket, RuleUpdate } from '../model';

/**
 * Zendesk's system ticket rules (reference §3.5) around the trigger cycle. The rules themselves live
 * in `@mailroom/system-rules`, which the ticket decider enforces too; this adapts one step of the
 * cycle to them: `from` is the ticket before the step, `to` the ticket the step asks for.
 *
 * Two steps exist. `update`: the update itself (before → after), applied before triggers run so
 * that conditions see e.g. a reopened status; the ticket service applied the same rules when it
 * decided the update, so this is normally a no-op there. `rules`: what the triggers changed
 * (after → end of cycle), applied once the cycle is over, as Zendesk does when it saves; a guard's
 * refusal is a correction here (the field keeps its value), as the decider drops it from a rule's changes.
 */

export type { SystemRule } from '@mailroom/system-rules';

export interface SystemRuleNote {
  rule: SystemRule;
  step: 'update' | 'rules';
  note: string;
}

export type SystemRuleOptions = Pick<SharedSystemRuleOptions, 'assignOnSolve'>;

export interface SystemRuleResult {
  ticket: RuleTicket;
  applied: SystemRuleNote[];
}

export const applySystemRules = (
  step: 'update' | 'rules',
  update: RuleUpdate,
  from: RuleTicket | null,
  to: RuleTicket,
  directory: Directory,
  options: SystemRuleOptions = {},
): SystemRuleResult => {
  const { fields, applied } = applySharedSystemRules(
    {
      by: step,
      before: from && { status: from.status, assigneeId: from.assigneeId, groupId: from.groupId },
      wanted: { status: to.status, assigneeId: to.assigneeId, groupId: to.groupId },
      // Only states are seen here: a status the step changed is the one it asked for.
      statusAsked: from === null || to.status !== from.status,
      actor: update.actor,
      comment: update.comment !== null,
    },
    { assignOnSolve: options.assignOnSolve, agent: (id) => directory.person(id) },
  );
  // The ticket object itself when nothing applied: the cycle compares tickets by identity.
  if (!applied.length) return { ticket: to, applied: [] };
  return { ticket: { ...to, ...fields }, applied: applied.map((a) => ({ rule: a.rule, step, note: a.note })) };
};
