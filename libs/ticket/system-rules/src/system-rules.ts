import type { Role, TicketStatus } from '@mailroom/contracts';

/**
 * Zendesk's system ticket rules (reference §3.5), stated once for the two places that need them:
 * the ticket decider enforces them on every update it decides, and the rules engine simulates them
 * around the trigger cycle so that conditions and the audit see their effect. Each rule is a pure
 * function over one step of change; `applySystemRules` runs them in their one order.
 *
 * Two kinds of rule. A *derived* rule changes a field because of another (an end user's comment
 * reopens, an assignee opens a new ticket). A *guard* refuses a change that would break the ticket
 * (back to New, solved without an assignee): it puts the field back as it was and says so in
 * `refused`; the decider turns that into an error for a person's update, while a rule's change is
 * only dropped, its other changes still applying (as Zendesk saves a trigger's other actions).
 */

/** The ticket fields the system rules read and change. */
export interface RuledFields {
  status: TicketStatus;
  assigneeId: number | null;
  groupId: number | null;
}

/** What the rules need to know of an agent to keep a ticket's assignee and group together. */
export interface AgentGroups {
  groupIds?: readonly number[];
  /** The group a ticket assigned to this agent without a group joins. */
  defaultGroupId?: number;
}

/** One step of change to a ticket. */
export interface SystemRuleStep {
  /** `update`: a person's (or the system's) update; `rules`: what triggers or automations changed on top of one. */
  by: 'update' | 'rules';
  /** The ticket before the step; null when the step creates it. */
  before: RuledFields | null;
  /** The fields after the step as asked (a field the step leaves alone keeps its value). */
  wanted: RuledFields;
  /**
   * The step asked for a status itself, which wins over reopening. The decider knows the command;
   * the rules engine sees only states and so takes a changed status as asked (an end user asking
   * for the status the ticket already has is told apart by the decider alone).
   */
  statusAsked: boolean;
  actor: { userId: number | null; role: Role };
  /** The step adds a comment. */
  comment: boolean;
}

export interface SystemRuleOptions {
  /** Zendesk's "auto assign tickets upon solve": the solving agent becomes the assignee. */
  assignOnSolve?: boolean;
  /**
   * The groups of an agent. Without it the rules that keep assignee and group together do nothing:
   * the ticket service knows no agents' groups and takes the group the rules engine sent.
   */
  agent?: (id: number) => AgentGroups | undefined;
}

export type SystemRule =
  | 'reopen_on_end_user_comment'
  | 'open_on_assignment'
  | 'never_back_to_new'
  | 'assignee_not_in_group'
  | 'group_from_assignee'
  | 'assign_on_solve'
  | 'no_solve_without_assignee'
  | 'solved_keeps_assignee';

/** The API field a guard refuses a change of (the decider's error names it). */
export type RefusedField = 'status' | 'assignee_id';

export interface SystemRuleApplied {
  rule: SystemRule;
  /** What happened, for the audit's explanation. */
  note: string;
  /** Set by a guard: the field put back, and the error a person's update gets instead. */
  refused?: { field: RefusedField; message: string };
}

export interface SystemRulesOutcome {
  fields: RuledFields;
  /** The rules that changed a field, in order. */
  applied: SystemRuleApplied[];
}

interface Firing {
  patch: Partial<RuledFields>;
  note: string;
  refused?: SystemRuleApplied['refused'];
}

/** One system rule: what it changes in `ticket` (the step's fields as the rules before it left them), or null. */
type RuleFn = (step: SystemRuleStep, ticket: RuledFields, options: SystemRuleOptions) => Firing | null;

const REOPENABLE: readonly TicketStatus[] = ['pending', 'hold', 'solved'];

/** A ticket that has left New never goes back to it. */
export const goesBackToNew = (from: TicketStatus, to: TicketStatus): boolean => from !== 'new' && to === 'new';

/** Closed is final: a ticket closed before an update takes no change (a reply starts a follow-up). */
export const isClosedForUpdates = (status: TicketStatus): boolean => status === 'closed';

const isSolving = (step: SystemRuleStep, ticket: RuledFields): boolean =>
  (ticket.status === 'solved' || ticket.status === 'closed') && ticket.status !== (step.before?.status ?? 'new');

/** An end user's comment on a pending, on-hold or solved ticket opens it, unless the step asked for a status. */
export const reopenOnEndUserComment: RuleFn = (step) => {
  const { before } = step;
  if (step.by !== 'update' || !step.comment || step.actor.role !== 'end_user' || !before || step.statusAsked) return null;
  if (!REOPENABLE.includes(before.status)) return null;
  return { patch: { status: 'open' }, note: `an end user commented on a ${before.status} ticket, so it is open again` };
};

/** Guard: nothing goes back to New. */
export const neverBackToNew: RuleFn = (step, ticket) => {
  if (!step.before || !goesBackToNew(step.before.status, ticket.status)) return null;
  return {
    patch: { status: step.before.status },
    note: 'a ticket cannot go back to new',
    refused: { field: 'status', message: 'Status: a ticket cannot go back to New' },
  };
};

// The two rules below keep assignee and group together. They run on the rules' changes only: an
// agent's own update through the API or by mail is taken as it is (NOTES.md).

/** A group change that leaves the assignee outside the new group unassigns them. */
export const assigneeNotInGroup: RuleFn = (step, ticket, options) => {
  if (step.by !== 'rules' || !step.before || !options.agent || ticket.assigneeId === null || ticket.groupId === null) return null;
  if (ticket.groupId === step.before.groupId) return null;
  const groups = options.agent(ticket.assigneeId)?.groupIds;
  // An agent whose groups are unknown is left alone: unassigning needs knowing they are not a member.
  if (!groups || groups.includes(ticket.groupId)) return null;
  return { patch: { assigneeId: null }, note: `agent ${ticket.assigneeId} is not in group ${ticket.groupId}, so the ticket is unassigned` };
};

/** An agent assigned to a ticket without a group brings their default group. */
export const groupFromAssignee: RuleFn = (step, ticket, options) => {
  if (step.by !== 'rules' || !step.before || !options.agent || ticket.assigneeId === null || ticket.groupId !== null) return null;
  if (ticket.assigneeId === step.before.assigneeId) return null;
  const defaultGroupId = options.agent(ticket.assigneeId)?.defaultGroupId;
  if (defaultGroupId === undefined) return null;
  return { patch: { groupId: defaultGroupId }, note: `the ticket joins agent ${ticket.assigneeId}'s default group ${defaultGroupId}` };
};

/** With "auto assign tickets upon solve", the agent who solves an unassigned ticket becomes its assignee. */
export const assignOnSolve: RuleFn = (step, ticket, options) => {
  const { userId, role } = step.actor;
  // The system has no user id, so an automation's solve is refused rather than assigned.
  if (!options.assignOnSolve || userId === null || role === 'end_user') return null;
  if (!isSolving(step, ticket) || ticket.assigneeId !== null) return null;
  return { patch: { assigneeId: userId }, note: `the ticket is assigned to agent ${userId}, who solved it` };
};

/** Guard: a ticket is not solved (or closed) without an assignee; it keeps the status it had. */
export const noSolveWithoutAssignee: RuleFn = (step, ticket) => {
  if (!isSolving(step, ticket) || ticket.assigneeId !== null) return null;
  const back = step.before?.status ?? 'new';
  return {
    patch: { status: back },
    note: `a ticket cannot be ${ticket.status} without an assignee; it stays ${back}`,
    refused: { field: 'status', message: 'Status: a ticket cannot be solved without an assignee' },
  };
};

/** Guard: a solved ticket keeps an assignee on every save, not only on the one that solves it. */
export const solvedKeepsAssignee: RuleFn = (step, ticket) => {
  const before = step.before;
  if (ticket.status !== 'solved' || ticket.assigneeId !== null || !before || before.assigneeId === null) return null;
  return {
    patch: { assigneeId: before.assigneeId },
    note: `a solved ticket keeps its assignee, agent ${before.assigneeId}`,
    refused: { field: 'assignee_id', message: 'Assignee: a solved ticket must have an assignee' },
  };
};

/** A new ticket with an assignee is open. Last, so that it sees the status and assignee the other rules left. */
export const openOnAssignment: RuleFn = (_step, ticket) =>
  ticket.status === 'new' && ticket.assigneeId !== null ? { patch: { status: 'open' }, note: 'a new ticket with an assignee is open' } : null;

/**
 * The rules in the order they run. Order matters: the status is settled (reopened, kept from New)
 * before assignee and group are matched; assign-on-solve comes before the guard it spares; the
 * solved ticket's assignee is checked once unassigning by group may have happened; a new ticket
 * opens on what is left.
 */
export const SYSTEM_RULES: readonly (readonly [SystemRule, RuleFn])[] = [
  ['reopen_on_end_user_comment', reopenOnEndUserComment],
  ['never_back_to_new', neverBackToNew],
  ['assignee_not_in_group', assigneeNotInGroup],
  ['group_from_assignee', groupFromAssignee],
  ['assign_on_solve', assignOnSolve],
  ['no_solve_without_assignee', noSolveWithoutAssignee],
  ['solved_keeps_assignee', solvedKeepsAssignee],
  ['open_on_assignment', openOnAssignment],
];

/** Every system rule over one step: the fields as the rules leave them, and what each changed. */
export const applySystemRules = (step: SystemRuleStep, options: SystemRuleOptions = {}): SystemRulesOutcome => {
  let fields = step.wanted;
  const applied: SystemRuleApplied[] = [];
  for (const [rule, fn] of SYSTEM_RULES) {
    const fired = fn(step, fields, options);
    if (!fired) continue;
    fields = { ...fields, ...fired.patch };
    applied.push({ rule, note: fired.note, ...(fired.refused ? { refused: fired.refused } : {}) });
  }
  return { fields, applied };
};

/** The first change a guard refused: a person's update is refused with it rather than corrected. */
export const firstRefusal = (outcome: SystemRulesOutcome): { rule: SystemRule; field: RefusedField; message: string } | null => {
  const guard = outcome.applied.find((a) => a.refused);
  return guard?.refused ? { rule: guard.rule, ...guard.refused } : null;
};
