import type { Actor, TicketEvent } from '@mailroom/contracts';
import { type FieldChanges, type TicketCommand, decide, evolve, initialTicketState } from '@mailroom/ticket-domain';
import { diffRuleTickets } from '../evaluate-triggers/evaluate-triggers';
import type { Person, RuleTicket } from '../model';
import { alice, change, directoryOf, everyone, ticketOf } from '../test-fixtures';
import { applySystemRules } from './system-rules';

/*
 * The ticket decider enforces the system rules and the rules engine simulates them; both call
 * `@mailroom/system-rules`. These tables check that they agree on the same steps: the rules' changes
 * (the engine's ticket is the one the decider records from the command the engine sends), and a
 * person's update (the decider refuses exactly what the engine would correct, and otherwise both
 * end with the same fields).
 */

const SUPPORT = 5;
const SALES = 6;
const SMITH = 10;
const JONES = 11;
const people: Person[] = everyone.map((p) =>
  p.id === SMITH ? { ...p, groupIds: [SUPPORT], defaultGroupId: SUPPORT } : p.id === JONES ? { ...p, groupIds: [SALES], defaultGroupId: SALES } : p,
);
const directory = directoryOf(people);
const agentActor: Actor = { userId: SMITH, role: 'agent' };
const endUser: Actor = { userId: alice.id, role: 'end_user' };
const viaApi = { channel: 'api', source: { from: {}, to: {}, rel: null } } as const;

type Ruled = Pick<RuleTicket, 'status' | 'assigneeId' | 'groupId'>;
const ruledOf = (t: Ruled): Ruled => ({ status: t.status, assigneeId: t.assigneeId, groupId: t.groupId });

/** The decider's ticket with these fields, folded from its events. */
const ticketState = (fields: Ruled) => ({ ...initialTicketState(), exists: true, id: 42, requesterId: alice.id, ...fields });
const decided = (fields: Ruled, command: TicketCommand): Ruled | 'refused' => {
  const d = decide(command, ticketState(fields));
  if (!d.ok) return 'refused';
  return ruledOf(d.events.reduce((s, e: TicketEvent) => evolve(s, e), ticketState(fields)));
};
const fieldChanges = (asks: Partial<Ruled>): FieldChanges => ({ ...asks });

describe('the decider and the rules engine agree on the rules’ changes', () => {
  const cases: [string, Ruled, Partial<Ruled>, boolean?][] = [
    ['assigning a new ticket', { status: 'new', assigneeId: null, groupId: SUPPORT }, { assigneeId: SMITH }],
    ['assigning a new ticket without a group', { status: 'new', assigneeId: null, groupId: null }, { assigneeId: JONES }],
    ['solving an unassigned ticket', { status: 'open', assigneeId: null, groupId: null }, { status: 'solved' }],
    ['solving an unassigned ticket, "assign on solve" on', { status: 'open', assigneeId: null, groupId: null }, { status: 'solved' }, true],
    ['closing an unassigned ticket', { status: 'pending', assigneeId: null, groupId: null }, { status: 'closed' }],
    ['sending an open ticket back to New', { status: 'open', assigneeId: SMITH, groupId: SUPPORT }, { status: 'new' }],
    ['unassigning a solved ticket', { status: 'solved', assigneeId: SMITH, groupId: SUPPORT }, { assigneeId: null }],
    ['closing and unassigning a solved ticket', { status: 'solved', assigneeId: SMITH, groupId: SUPPORT }, { status: 'closed', assigneeId: null }],
    ['moving a ticket to a group its assignee is not in', { status: 'open', assigneeId: SMITH, groupId: SUPPORT }, { groupId: SALES }],
    ['moving a solved ticket to a group its assignee is not in', { status: 'solved', assigneeId: SMITH, groupId: SUPPORT }, { groupId: SALES }],
    ['moving a ticket to another group while solving it', { status: 'open', assigneeId: SMITH, groupId: SUPPORT }, { groupId: SALES, status: 'solved' }],
    ['reopening and unassigning a solved ticket', { status: 'solved', assigneeId: SMITH, groupId: SUPPORT }, { status: 'open', assigneeId: null }],
    ['a change the rules have nothing to say about', { status: 'pending', assigneeId: SMITH, groupId: SUPPORT }, { status: 'hold' }],
  ];

  it.each(cases)('%s', (_what, before, asks, assignOnSolve = false) => {
    const after = ticketOf(before);
    const engine = applySystemRules('rules', change({ before: after, actor: agentActor }), after, { ...after, ...asks }, directory, { assignOnSolve });
    // The engine sends what its ticket differs in; the decider records that on the same ticket.
    const changes = diffRuleTickets(after, engine.ticket);
    const recorded = decided(before, { type: 'ApplyRuleActions', now: '2026-12-01T08:00:00.000Z', actor: agentActor, via: viaApi, updateId: 'u1', changes, fired: [] });
    expect(recorded).toEqual(ruledOf(engine.ticket));
    // Without the group rules and assign-on-solve (the engine alone knows agents and the setting),
    // the decider given the triggers' raw changes corrects them the same way.
    const grouped = engine.applied.some((a) => a.rule === 'assignee_not_in_group' || a.rule === 'group_from_assignee' || a.rule === 'assign_on_solve');
    if (!grouped) {
      expect(decided(before, { type: 'ApplyRuleActions', now: '2026-12-01T08:00:00.000Z', actor: agentActor, via: viaApi, updateId: 'u1', changes: fieldChanges(asks), fired: [] })).toEqual(ruledOf(engine.ticket));
    }
  });
});

describe('the decider and the rules engine agree on a person’s update', () => {
  const GUARDS = ['never_back_to_new', 'no_solve_without_assignee', 'solved_keeps_assignee'];
  const cases: [string, Ruled, Partial<Ruled>, Actor, boolean][] = [
    ['an end user’s reply to a pending ticket', { status: 'pending', assigneeId: SMITH, groupId: null }, {}, endUser, true],
    ['an end user’s reply to a solved ticket', { status: 'solved', assigneeId: SMITH, groupId: null }, {}, endUser, true],
    ['an end user’s reply that marks the request solved', { status: 'pending', assigneeId: SMITH, groupId: null }, { status: 'solved' }, endUser, true],
    ['an agent’s reply to a pending ticket', { status: 'pending', assigneeId: SMITH, groupId: null }, {}, agentActor, true],
    ['assigning a new ticket', { status: 'new', assigneeId: null, groupId: null }, { assigneeId: SMITH }, agentActor, false],
    ['assigning a new ticket and asking pending', { status: 'new', assigneeId: null, groupId: null }, { assigneeId: SMITH, status: 'pending' }, agentActor, false],
    ['sending a ticket back to New', { status: 'open', assigneeId: SMITH, groupId: null }, { status: 'new' }, agentActor, false],
    ['solving an unassigned ticket', { status: 'open', assigneeId: null, groupId: null }, { status: 'solved' }, agentActor, false],
    ['unassigning a solved ticket', { status: 'solved', assigneeId: SMITH, groupId: null }, { assigneeId: null }, agentActor, false],
    ['moving a ticket to a group its assignee is not in (taken as it is)', { status: 'open', assigneeId: SMITH, groupId: SUPPORT }, { groupId: SALES }, agentActor, false],
  ];

  it.each(cases)('%s', (_what, before, asks, actor, withComment) => {
    const comment = withComment ? { commentId: 7, authorId: actor.userId ?? 0, body: 'Any news?', htmlBody: '<p>Any news?</p>', public: true, attachments: [] } : null;
    const recorded = decided(before, { type: 'UpdateTicket', now: '2026-12-01T08:00:00.000Z', actor, via: viaApi, changes: fieldChanges(asks), comment, mail: null });
    const from = ticketOf(before);
    const update = change({ before: from, actor, comment: comment && { authorId: comment.authorId, public: true, body: comment.body } });
    const engine = applySystemRules('update', update, from, { ...from, ...asks }, directory);
    if (recorded === 'refused') {
      // What the decider refuses, the engine can only put back: a guard applied.
      expect(engine.applied.some((a) => GUARDS.includes(a.rule))).toBe(true);
      return;
    }
    expect(engine.applied.some((a) => GUARDS.includes(a.rule))).toBe(false);
    expect(ruledOf(engine.ticket)).toEqual(recorded);
    // On the update as the decider recorded it (what the rules service sees), the engine has nothing to do.
    expect(applySystemRules('update', update, from, { ...from, ...recorded }, directory).applied).toEqual([]);
  });
});
