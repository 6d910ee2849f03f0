import { evaluateTriggers } from '../evaluate-triggers/evaluate-triggers';
import type { Person, RuleUpdate } from '../model';
import { SALES_GROUP, SUPPORT_GROUP, agent, alice, change, directoryOf, emailCreate, everyone, otherAgent, ticketOf, triggerOf } from '../test-fixtures';
import { applySystemRules } from './system-rules';

const directory = directoryOf();
const always = { all: [], any: [] };
const withTrigger = (update: RuleUpdate, actions: { field: string; value: unknown }[], options = {}) =>
  evaluateTriggers(update, [triggerOf({ conditions: always, actions })], directory, options);
const customerReply = (status: 'pending' | 'hold' | 'solved' | 'open') => {
  const before = ticketOf({ status, assigneeId: agent.id });
  return change({
    before,
    after: before,
    actor: { userId: alice.id, role: 'end_user' },
    comment: { authorId: alice.id, public: true, body: 'Any news?' },
  });
};

describe('system ticket rules', () => {
  it.each(['pending', 'hold', 'solved'] as const)('reopen a %s ticket when the end user comments', (status) => {
    const r = applySystemRules('update', customerReply(status), ticketOf({ status }), ticketOf({ status }), directory);
    expect(r.ticket.status).toBe('open');
    expect(r.applied.map((a) => a.rule)).toEqual(['reopen_on_end_user_comment']);
  });

  it('do not reopen for an agent\'s comment, nor when the step set the status on purpose', () => {
    const byAgent = { ...customerReply('pending'), actor: { userId: agent.id, role: 'agent' as const } };
    expect(applySystemRules('update', byAgent, ticketOf({ status: 'pending' }), ticketOf({ status: 'pending' }), directory).applied).toEqual([]);
    const markedSolved = applySystemRules('update', customerReply('pending'), ticketOf({ status: 'pending' }), ticketOf({ status: 'solved', assigneeId: agent.id }), directory);
    expect(markedSolved.ticket.status).toBe('solved');
  });

  it('let triggers see the reopened status, and report it as part of the changes', () => {
    const sawOpen = triggerOf({
      conditions: { all: [{ field: 'status', operator: 'value_previous', value: 'solved' }], any: [] },
      actions: [{ field: 'current_tags', value: 'reopened' }],
    });
    const r = evaluateTriggers(customerReply('solved'), [sawOpen], directory);
    expect(r.fired).toHaveLength(1);
    expect(r.changes).toEqual({ status: 'open', addTags: ['reopened'] });
  });

  it('open a new ticket that a trigger assigns', () => {
    const r = withTrigger(emailCreate(), [{ field: 'assignee_id', value: agent.id }]);
    expect(r.changes).toEqual({ status: 'open', assigneeId: agent.id });
    expect(r.systemRules.map((s) => [s.rule, s.step])).toEqual([['open_on_assignment', 'rules']]);
  });

  it('refuse to solve a ticket without an assignee, leaving its status and saying so', () => {
    const r = withTrigger(change({}), [{ field: 'status', value: 'solved' }]);
    expect(r.ticket.status).toBe('open');
    expect(r.changes).toEqual({});
    expect(r.systemRules).toEqual([{ rule: 'no_solve_without_assignee', step: 'rules', note: expect.stringContaining('cannot be solved without an assignee') }]);
  });

  it('with "assign on solve", make the solving agent the assignee instead', () => {
    const r = withTrigger(change({}), [{ field: 'status', value: 'solved' }], { assignOnSolve: true });
    expect(r.changes).toEqual({ status: 'solved', assigneeId: agent.id });
    const bySystem = withTrigger(change({ actor: { userId: null, role: 'system' } }), [{ field: 'status', value: 'solved' }], { assignOnSolve: true });
    expect(bySystem.changes).toEqual({});
  });

  it('unassign an agent who is not in the group a trigger moved the ticket to', () => {
    const r = withTrigger(change({ before: ticketOf({ assigneeId: agent.id, groupId: SUPPORT_GROUP }) }), [{ field: 'group_id', value: SALES_GROUP }]);
    expect(r.changes).toEqual({ groupId: SALES_GROUP, assigneeId: null });
    expect(r.systemRules[0].rule).toBe('assignee_not_in_group');
    const member = withTrigger(change({ before: ticketOf({ assigneeId: otherAgent.id, groupId: SALES_GROUP }) }), [{ field: 'group_id', value: SUPPORT_GROUP }]);
    expect(member.changes).toEqual({ groupId: SUPPORT_GROUP });
  });

  it('put a ticket assigned without a group into the assignee\'s default group', () => {
    const people: Person[] = everyone.map((p) => (p.id === otherAgent.id ? { ...p, defaultGroupId: SUPPORT_GROUP } : p));
    const r = evaluateTriggers(change({}), [triggerOf({ conditions: always, actions: [{ field: 'assignee_id', value: otherAgent.id }] })], directoryOf(people));
    expect(r.changes).toEqual({ assigneeId: otherAgent.id, groupId: SUPPORT_GROUP });
  });

  it('can be turned off', () => {
    const r = withTrigger(change({}), [{ field: 'status', value: 'solved' }], { systemRules: false });
    expect(r.changes).toEqual({ status: 'solved' });
    expect(r.systemRules).toEqual([]);
  });
});
