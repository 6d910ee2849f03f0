import type { Directory, RuleTicket, RuleUpdate } from '../model';

/**
 * Zendesk's system ticket rules (reference §3.5), as a pure function over one step of change:
 * `from` is the ticket before the step, `to` the ticket the step asks for.
 *
 * Two steps exist. `update`: the update itself (before → after), applied before triggers run so
 * that conditions see e.g. a reopened status; the ticket service applies the same rules when it
 * decides the update, so this is normally a no-op there. `rules`: what the triggers changed
 * (after → end of cycle), applied once the cycle is over, as Zendesk does when it saves.
 */

export type SystemRule =
  | 'reopen_on_end_user_comment'
  | 'open_on_assignment'
  | 'never_back_to_new'
  | 'assignee_not_in_group'
  | 'group_from_assignee'
  | 'assign_on_solve'
  | 'no_solve_without_assignee';

export interface SystemRuleNote {
  rule: SystemRule;
  step: 'update' | 'rules';
  note: string;
}

export interface SystemRuleOptions {
  /** Zendesk's "auto assign tickets upon solve": the solving agent becomes the assignee. */
  assignOnSolve?: boolean;
}

export interface SystemRuleResult {
  ticket: RuleTicket;
  applied: SystemRuleNote[];
}

const REOPENABLE = ['pending', 'hold', 'solved'];

export const applySystemRules = (
  step: 'update' | 'rules',
  update: RuleUpdate,
  from: RuleTicket | null,
  to: RuleTicket,
  directory: Directory,
  options: SystemRuleOptions = {},
): SystemRuleResult => {
  let ticket = to;
  const applied: SystemRuleNote[] = [];
  const set = (patch: Partial<RuleTicket>, rule: SystemRule, note: string) => {
    ticket = { ...ticket, ...patch };
    applied.push({ rule, step, note });
  };
  const { actor, comment } = update;

  // An end user's comment on a pending, on-hold or solved ticket opens it, unless the same step
  // set that status on purpose (an end user marking their request solved, a trigger setting pending).
  if (step === 'update' && comment && actor.role === 'end_user' && from && REOPENABLE.includes(from.status) && ticket.status === from.status) {
    set({ status: 'open' }, 'reopen_on_end_user_comment', `an end user commented on a ${from.status} ticket, so it is open again`);
  }

  if (from && from.status !== 'new' && ticket.status === 'new') {
    set({ status: from.status }, 'never_back_to_new', 'a ticket cannot go back to new');
  }

  if (step === 'rules' && from) {
    const assignee = ticket.assigneeId === null ? undefined : directory.person(ticket.assigneeId);
    // A group change that leaves the assignee outside the new group unassigns them.
    if (ticket.groupId !== null && ticket.groupId !== from.groupId && assignee?.groupIds && !assignee.groupIds.includes(ticket.groupId)) {
      set({ assigneeId: null }, 'assignee_not_in_group', `agent ${assignee.id} is not in group ${ticket.groupId}, so the ticket is unassigned`);
    } else if (ticket.groupId === null && assignee && ticket.assigneeId !== from.assigneeId && assignee.defaultGroupId !== undefined) {
      // An assignee without a group brings their default group.
      set({ groupId: assignee.defaultGroupId }, 'group_from_assignee', `the ticket joins agent ${assignee.id}'s default group ${assignee.defaultGroupId}`);
    }
  }

  const solving = (ticket.status === 'solved' || ticket.status === 'closed') && ticket.status !== (from?.status ?? 'new');
  if (step === 'rules' && solving && ticket.assigneeId === null) {
    if (options.assignOnSolve && actor.userId !== null && actor.role !== 'end_user') {
      set({ assigneeId: actor.userId }, 'assign_on_solve', `the ticket is assigned to agent ${actor.userId}, who solved it`);
    } else {
      const back = from?.status ?? 'new';
      set({ status: back }, 'no_solve_without_assignee', `a ticket cannot be ${ticket.status} without an assignee; it stays ${back}`);
    }
  }

  if (ticket.status === 'new' && ticket.assigneeId !== null) {
    set({ status: 'open' }, 'open_on_assignment', 'a new ticket with an assignee is open');
  }
  return { ticket, applied };
};
