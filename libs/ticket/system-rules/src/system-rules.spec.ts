import type { Role } from '@mailroom/contracts';
import { type AgentGroups, type RuledFields, type SystemRule, type SystemRuleOptions, type SystemRuleStep, applySystemRules, firstRefusal } from './system-rules';

/*
 * Zendesk's system ticket rules, told as stories: given the ticket before a step, when the step
 * (a person's update or the rules' changes) asks for these fields, then the rules leave these
 * fields, having applied these rules (a guard's refusal named by its field).
 */

const SUPPORT = 5;
const SALES = 6;
const SMITH = 10; // Support, default group Support
const JONES = 11; // Sales, default group Sales
const NEWBIE = 12; // an agent in no group yet
const ALICE = 1; // an end user

const agents: Record<number, AgentGroups> = {
  [SMITH]: { groupIds: [SUPPORT], defaultGroupId: SUPPORT },
  [JONES]: { groupIds: [SALES], defaultGroupId: SALES },
  [NEWBIE]: { groupIds: [] },
};
const withAgents: SystemRuleOptions = { agent: (id) => agents[id] };

const ticket = (fields: Partial<RuledFields> = {}): RuledFields => ({ status: 'open', assigneeId: null, groupId: null, ...fields });
const actorOf = (role: Role, userId: number | null = role === 'end_user' ? ALICE : role === 'system' ? null : SMITH) => ({ userId, role });

interface When {
  by?: SystemRuleStep['by'];
  asks: Partial<RuledFields>;
  role?: Role;
  userId?: number | null;
  comment?: boolean;
  options?: SystemRuleOptions;
}

const given = (before: RuledFields | null) => ({
  when: ({ by = 'update', asks, role = 'agent', userId, comment = false, options = withAgents }: When) => {
    const wanted = { ...(before ?? ticket({ status: 'new' })), ...asks };
    const step: SystemRuleStep = { by, before, wanted, statusAsked: asks.status !== undefined, actor: actorOf(role, userId), comment };
    const outcome = applySystemRules(step, options);
    return {
      outcome,
      then: (fields: Partial<RuledFields>, rules: SystemRule[] = []) => {
        expect(outcome.fields).toEqual({ ...wanted, ...fields });
        expect(outcome.applied.map((a) => a.rule)).toEqual(rules);
      },
      thenNothingApplies: () => {
        expect(outcome.fields).toEqual(wanted);
        expect(outcome.applied).toEqual([]);
      },
    };
  },
});

describe('an end user’s comment reopens', () => {
  it.each(['pending', 'hold', 'solved'] as const)('a %s ticket', (status) => {
    given(ticket({ status, assigneeId: SMITH })).when({ asks: {}, role: 'end_user', comment: true }).then({ status: 'open' }, ['reopen_on_end_user_comment']);
  });

  it('not a new or open ticket', () => {
    given(ticket({ status: 'new' })).when({ asks: {}, role: 'end_user', comment: true }).thenNothingApplies();
    given(ticket({ status: 'open' })).when({ asks: {}, role: 'end_user', comment: true }).thenNothingApplies();
  });

  it('not for an agent’s comment, nor for an end user’s update without one', () => {
    given(ticket({ status: 'pending', assigneeId: SMITH })).when({ asks: {}, role: 'agent', comment: true }).thenNothingApplies();
    given(ticket({ status: 'pending', assigneeId: SMITH })).when({ asks: {}, role: 'end_user', comment: false }).thenNothingApplies();
  });

  it('not when the update asked for a status: that status wins', () => {
    given(ticket({ status: 'pending', assigneeId: SMITH })).when({ asks: { status: 'solved' }, role: 'end_user', comment: true }).thenNothingApplies();
  });

  it('not on the rules’ changes: only the update that carries the comment reopens', () => {
    given(ticket({ status: 'pending', assigneeId: SMITH })).when({ by: 'rules', asks: {}, role: 'end_user', comment: true }).thenNothingApplies();
  });
});

describe('a ticket never goes back to New', () => {
  it.each(['open', 'pending', 'hold', 'solved'] as const)('a %s ticket asked to be New keeps its status, refused as the status', (status) => {
    const r = given(ticket({ status, assigneeId: SMITH })).when({ asks: { status: 'new' } });
    r.then({ status }, ['never_back_to_new']);
    expect(firstRefusal(r.outcome)).toEqual({ rule: 'never_back_to_new', field: 'status', message: 'Status: a ticket cannot go back to New' });
  });

  it('a ticket still new may be asked to stay New', () => {
    given(ticket({ status: 'new' })).when({ asks: { status: 'new' } }).thenNothingApplies();
  });
});

describe('a new ticket with an assignee is open', () => {
  it('when it is created or assigned, by a person or by the rules', () => {
    given(null).when({ asks: { assigneeId: SMITH } }).then({ status: 'open' }, ['open_on_assignment']);
    given(ticket({ status: 'new' })).when({ asks: { assigneeId: SMITH } }).then({ status: 'open' }, ['open_on_assignment']);
    given(ticket({ status: 'new' })).when({ by: 'rules', asks: { assigneeId: JONES, groupId: SALES } }).then({ status: 'open' }, ['open_on_assignment']);
  });

  it('unless the step asked for another status', () => {
    given(ticket({ status: 'new' })).when({ asks: { assigneeId: SMITH, status: 'pending' } }).thenNothingApplies();
  });

  it('even when it was asked to stay New', () => {
    given(ticket({ status: 'new' })).when({ asks: { assigneeId: SMITH, status: 'new' } }).then({ status: 'open' }, ['open_on_assignment']);
  });
});

describe('a ticket is not solved without an assignee', () => {
  it.each(['solved', 'closed'] as const)('asked to be %s, an unassigned ticket keeps its status, refused as the status', (status) => {
    const r = given(ticket({ status: 'open' })).when({ asks: { status } });
    r.then({ status: 'open' }, ['no_solve_without_assignee']);
    expect(r.outcome.applied[0].note).toBe(`a ticket cannot be ${status} without an assignee; it stays open`);
    expect(firstRefusal(r.outcome)).toMatchObject({ field: 'status', message: 'Status: a ticket cannot be solved without an assignee' });
  });

  it('a ticket created solved without an assignee stays new', () => {
    given(null).when({ asks: { status: 'solved' } }).then({ status: 'new' }, ['no_solve_without_assignee']);
  });

  it('assigning and solving in one step is allowed; unassigning while solving is not', () => {
    given(ticket()).when({ asks: { status: 'solved', assigneeId: SMITH } }).thenNothingApplies();
    given(ticket({ assigneeId: SMITH })).when({ asks: { status: 'solved', assigneeId: null } }).then({ status: 'open' }, ['no_solve_without_assignee']);
  });

  describe('with "auto assign tickets upon solve"', () => {
    const assignOnSolve: SystemRuleOptions = { ...withAgents, assignOnSolve: true };

    it('the agent who solves becomes the assignee', () => {
      given(ticket()).when({ by: 'rules', asks: { status: 'solved' }, options: assignOnSolve }).then({ assigneeId: SMITH }, ['assign_on_solve']);
    });

    it('the system (no user) and end users are not assigned: the solve is refused as before', () => {
      given(ticket()).when({ by: 'rules', asks: { status: 'solved' }, role: 'system', options: assignOnSolve }).then({ status: 'open' }, ['no_solve_without_assignee']);
      given(ticket()).when({ by: 'rules', asks: { status: 'solved' }, role: 'end_user', options: assignOnSolve }).then({ status: 'open' }, ['no_solve_without_assignee']);
    });
  });
});

describe('a solved ticket keeps its assignee', () => {
  it('unassigning it is refused as the assignee, on any step', () => {
    for (const by of ['update', 'rules'] as const) {
      const r = given(ticket({ status: 'solved', assigneeId: SMITH })).when({ by, asks: { assigneeId: null } });
      r.then({ assigneeId: SMITH }, ['solved_keeps_assignee']);
      expect(firstRefusal(r.outcome)).toMatchObject({ field: 'assignee_id', message: 'Assignee: a solved ticket must have an assignee' });
    }
  });

  it('reopening and unassigning in one step is allowed', () => {
    given(ticket({ status: 'solved', assigneeId: SMITH })).when({ asks: { status: 'open', assigneeId: null } }).thenNothingApplies();
  });
});

describe('assignee and group stay together, on the rules’ changes', () => {
  it('a group change that leaves the assignee outside the new group unassigns them', () => {
    const r = given(ticket({ assigneeId: SMITH, groupId: SUPPORT })).when({ by: 'rules', asks: { groupId: SALES } });
    r.then({ assigneeId: null }, ['assignee_not_in_group']);
    expect(r.outcome.applied[0].note).toBe(`agent ${SMITH} is not in group ${SALES}, so the ticket is unassigned`);
  });

  it('an assignee in the new group stays, and an agent whose groups are unknown is left alone', () => {
    given(ticket({ assigneeId: JONES, groupId: SUPPORT })).when({ by: 'rules', asks: { groupId: SALES } }).thenNothingApplies();
    given(ticket({ assigneeId: 99, groupId: SUPPORT })).when({ by: 'rules', asks: { groupId: SALES } }).thenNothingApplies();
  });

  it('an agent assigned to a ticket without a group brings their default group', () => {
    const r = given(ticket()).when({ by: 'rules', asks: { assigneeId: JONES } });
    r.then({ groupId: SALES }, ['group_from_assignee']);
    expect(r.outcome.applied[0].note).toBe(`the ticket joins agent ${JONES}'s default group ${SALES}`);
  });

  it('no default group, an assignee who did not change, or a ticket with a group: the group is left alone', () => {
    given(ticket()).when({ by: 'rules', asks: { assigneeId: NEWBIE } }).thenNothingApplies();
    given(ticket({ assigneeId: JONES })).when({ by: 'rules', asks: { status: 'pending' } }).thenNothingApplies();
    given(ticket({ groupId: SUPPORT })).when({ by: 'rules', asks: { assigneeId: SMITH } }).thenNothingApplies();
  });

  it('not on a person’s own update, nor without knowing the agents (the ticket service)', () => {
    given(ticket({ assigneeId: SMITH, groupId: SUPPORT })).when({ by: 'update', asks: { groupId: SALES } }).thenNothingApplies();
    given(ticket()).when({ by: 'update', asks: { assigneeId: JONES } }).thenNothingApplies();
    given(ticket({ assigneeId: SMITH, groupId: SUPPORT })).when({ by: 'rules', asks: { groupId: SALES }, options: {} }).thenNothingApplies();
  });
});

describe('the rules together', () => {
  it('a rule that sends a new ticket back to New and assigns it: nothing goes back, and it opens', () => {
    given(ticket({ status: 'new' })).when({ by: 'rules', asks: { status: 'new', assigneeId: SMITH, groupId: SUPPORT } }).then({ status: 'open' }, ['open_on_assignment']);
  });

  it('assigning a new ticket without a group opens it and brings the default group', () => {
    given(ticket({ status: 'new' })).when({ by: 'rules', asks: { assigneeId: SMITH } }).then({ status: 'open', groupId: SUPPORT }, ['group_from_assignee', 'open_on_assignment']);
  });

  it('moving a solved ticket to a group its assignee is not in: unassigned by group, then kept as solved needs', () => {
    given(ticket({ status: 'solved', assigneeId: SMITH, groupId: SUPPORT }))
      .when({ by: 'rules', asks: { groupId: SALES } })
      .then({ assigneeId: SMITH }, ['assignee_not_in_group', 'solved_keeps_assignee']);
  });

  it('moving a ticket to another group while solving it: the assignee leaves, so the solve is refused', () => {
    given(ticket({ assigneeId: SMITH, groupId: SUPPORT }))
      .when({ by: 'rules', asks: { groupId: SALES, status: 'solved' } })
      .then({ assigneeId: null, status: 'open' }, ['assignee_not_in_group', 'no_solve_without_assignee']);
  });

  it('closing and unassigning a solved ticket: both are put back, the status refused first', () => {
    const r = given(ticket({ status: 'solved', assigneeId: SMITH })).when({ asks: { status: 'closed', assigneeId: null } });
    r.then({ status: 'solved', assigneeId: SMITH }, ['no_solve_without_assignee', 'solved_keeps_assignee']);
    expect(firstRefusal(r.outcome)?.rule).toBe('no_solve_without_assignee');
  });

  it('an end user’s comment on a solved ticket reopens it, so unassigning it in the same update is allowed', () => {
    given(ticket({ status: 'solved', assigneeId: SMITH })).when({ asks: { assigneeId: null }, role: 'end_user', comment: true }).then({ status: 'open' }, ['reopen_on_end_user_comment']);
  });

  it('nothing to do leaves the fields as asked and names no rule', () => {
    const r = given(ticket({ assigneeId: SMITH, groupId: SUPPORT })).when({ asks: { status: 'pending' } });
    r.thenNothingApplies();
    expect(firstRefusal(r.outcome)).toBeNull();
  });
});
