import type { Condition, RuleUpdate } from '../model';
import { SUPPORT, admin, agent, alice, change, directoryOf, emailCreate, ticketOf, viaOf } from '../test-fixtures';
import { evaluateCondition } from './evaluate-conditions';

const directory = directoryOf();
const holds = (update: RuleUpdate, field: string, operator: string, value?: unknown): boolean => {
  const condition: Condition = value === undefined ? { field, operator } : { field, operator, value };
  return evaluateCondition(condition, { update, ticket: update.after, directory }).matched;
};

describe('status conditions', () => {
  const reopened = change({ before: ticketOf({ status: 'solved' }), after: ticketOf({ status: 'open' }) });
  const stillOpen = change({ before: ticketOf({ status: 'open' }) });

  it.each([
    ['is', 'open', true],
    ['is', 'solved', false],
    ['is_not', 'solved', true],
    ['less_than', 'pending', true],
    ['less_than', 'open', false],
    ['greater_than', 'new', true],
    ['greater_than', 'hold', false],
    ['changed', undefined, true],
    ['not_changed', undefined, false],
    ['value', 'open', true],
    ['value', 'pending', false],
    ['value_previous', 'solved', true],
    ['value_previous', 'open', false],
    ['not_value', 'open', false],
    ['not_value_previous', 'solved', false],
    ['not_value_previous', 'pending', true],
  ])('status %s %s on a solved ticket reopened is %s', (operator, value, expected) => {
    expect(holds(reopened, 'status', operator, value)).toBe(expected);
  });

  it('see no change when the status stayed the same', () => {
    expect(holds(stillOpen, 'status', 'changed')).toBe(false);
    expect(holds(stillOpen, 'status', 'value', 'open')).toBe(false);
    expect(holds(stillOpen, 'status', 'not_value', 'open')).toBe(true);
  });

  it('count a field as changed on create when it has a value, as Zendesk does', () => {
    const created = emailCreate({ after: ticketOf({ groupId: 3 }) });
    expect(holds(created, 'group_id', 'changed')).toBe(true);
    expect(holds(created, 'assignee_id', 'changed')).toBe(false);
    expect(holds(created, 'status', 'value_previous', 'solved')).toBe(false);
  });

  it('order on-hold between pending and solved', () => {
    const onHold = change({ before: ticketOf({ status: 'hold' }) });
    expect(holds(onHold, 'status', 'greater_than', 'pending')).toBe(true);
    expect(holds(onHold, 'status', 'less_than', 'solved')).toBe(true);
  });

  it('are false, with the reason, for a value that is not a status', () => {
    const update = change({});
    const verdict = evaluateCondition({ field: 'status', operator: 'is', value: 'exploded' }, { update, ticket: update.after, directory });
    expect(verdict).toMatchObject({ matched: false, problem: expect.stringContaining('"exploded" is not a status') });
  });
});

describe('priority and type conditions', () => {
  it('treat "" as no value and order priorities low < normal < high < urgent', () => {
    const none = change({});
    const high = change({ before: ticketOf({ priority: 'high' }) });
    expect(holds(none, 'priority', 'is', '')).toBe(true);
    expect(holds(high, 'priority', 'is', '')).toBe(false);
    expect(holds(high, 'priority', 'greater_than', 'normal')).toBe(true);
    expect(holds(high, 'priority', 'less_than', 'urgent')).toBe(true);
    expect(holds(none, 'priority', 'less_than', 'low')).toBe(true);
  });

  it('compare types and refuse to order them', () => {
    const incident = change({ before: ticketOf({ type: 'incident' }) });
    expect(holds(incident, 'type', 'is', 'incident')).toBe(true);
    expect(holds(incident, 'type', 'is_not', '')).toBe(true);
    expect(holds(incident, 'type', 'less_than', 'task')).toBe(false);
  });
});

describe('people conditions', () => {
  const assignedToAgent = change({ before: ticketOf({ assigneeId: agent.id }) });

  it('resolve current_user to whoever made the update', () => {
    expect(holds(assignedToAgent, 'assignee_id', 'is', 'current_user')).toBe(true);
    expect(holds({ ...assignedToAgent, actor: { userId: admin.id, role: 'admin' } }, 'assignee_id', 'is', 'current_user')).toBe(false);
  });

  it('match current_user to no one on an update the system made', () => {
    const bySystem = change({ actor: { userId: null, role: 'system' } });
    expect(holds(bySystem, 'assignee_id', 'is', 'current_user')).toBe(false);
    expect(holds(bySystem, 'assignee_id', 'is_not', 'current_user')).toBe(true);
  });

  it('resolve requester_id, ids given as strings, and "" for nobody', () => {
    const selfAssigned = change({ before: ticketOf({ assigneeId: alice.id }) });
    expect(holds(selfAssigned, 'assignee_id', 'is', 'requester_id')).toBe(true);
    expect(holds(assignedToAgent, 'assignee_id', 'is', String(agent.id))).toBe(true);
    expect(holds(assignedToAgent, 'assignee_id', 'is', '')).toBe(false);
    expect(holds(change({}), 'group_id', 'is', '')).toBe(true);
    expect(holds(assignedToAgent, 'requester_id', 'is', alice.id)).toBe(true);
  });

  it('tell who made the update by role, counting admins as agents', () => {
    const byAdmin = change({ actor: { userId: admin.id, role: 'admin' } });
    expect(holds(byAdmin, 'role', 'is', 'agent')).toBe(true);
    expect(holds(byAdmin, 'role', 'is', 'admin')).toBe(true);
    expect(holds(change({}), 'role', 'is', 'admin')).toBe(false);
    expect(holds(emailCreate(), 'role', 'is', 'end_user')).toBe(true);
    expect(holds(emailCreate(), 'role', 'is_not', 'end_user')).toBe(false);
  });
});

describe('update conditions', () => {
  it('tell a create from a change', () => {
    expect(holds(emailCreate(), 'update_type', 'is', 'Create')).toBe(true);
    expect(holds(emailCreate(), 'update_type', 'is', 'Change')).toBe(false);
    expect(holds(change({}), 'update_type', 'is', 'Change')).toBe(true);
  });

  it.each([
    ['true', [true, false, false]],
    ['false', [false, true, false]],
    ['not_relevant', [true, true, false]],
    ['requester_can_see_comment', [true, false, false]],
  ])('comment_is_public %s holds for a public comment, a private one, none: %j', (value, expected) => {
    const withComment = (isPublic: boolean | null) =>
      change({ comment: isPublic === null ? null : { authorId: agent.id, public: isPublic, body: 'x' } });
    expect([true, false, null].map((p) => holds(withComment(p), 'comment_is_public', 'is', value))).toEqual(expected);
  });

  it('check whether the ticket has public comments', () => {
    const privateOnly = change({ before: ticketOf({ hasPublicComments: false }) });
    expect(holds(privateOnly, 'ticket_is_public', 'is', 'private')).toBe(true);
    expect(holds(privateOnly, 'ticket_is_public', 'is', 'public')).toBe(false);
  });

  it('compare the support address the ticket came in at, ignoring case', () => {
    expect(holds(change({}), 'recipient', 'is', SUPPORT.toUpperCase())).toBe(true);
    expect(holds(change({}), 'recipient', 'is_not', 'billing@support.test')).toBe(true);
  });

  it('know the channel of this update and of the ticket, by Zendesk via id', () => {
    const byMail = change({ via: viaOf('email') });
    expect(holds(byMail, 'current_via_id', 'is', 4)).toBe(true);
    expect(holds(byMail, 'current_via_id', 'is', '5')).toBe(false);
    expect(holds(change({ via: viaOf('api') }), 'current_via_id', 'is', 5)).toBe(true);
    expect(holds(change({ via: viaOf('rule') }), 'current_via_id', 'is', 8)).toBe(true);
    expect(holds(emailCreate(), 'via_id', 'is', 4)).toBe(true);
    expect(holds(change({ before: ticketOf({ via: 'web' }) }), 'via_id', 'is', 0)).toBe(true);
    expect(holds(change({}), 'via_id', 'is', 4)).toBe(false);
  });

  it('check tags: includes any of them, not_includes none of them', () => {
    const tagged = change({ before: ticketOf({ tags: ['vip', 'billing'] }) });
    expect(holds(tagged, 'current_tags', 'includes', 'spam VIP')).toBe(true);
    expect(holds(tagged, 'current_tags', 'includes', 'spam')).toBe(false);
    expect(holds(tagged, 'current_tags', 'not_includes', 'spam billing')).toBe(false);
    expect(holds(tagged, 'current_tags', 'not_includes', 'spam')).toBe(true);
  });

  it('never throw on a malformed condition', () => {
    const update = change({});
    const weird = [
      { field: 'current_tags', operator: 'is', value: 'vip' },
      { field: 'comment_is_public', operator: 'is', value: { nested: true } },
      { field: 'assignee_id', operator: 'is', value: 'somebody' },
      { field: 'role', operator: 'is' },
      null as unknown as Condition,
    ];
    for (const condition of weird) {
      const verdict = evaluateCondition(condition, { update, ticket: update.after, directory });
      expect(verdict.matched).toBe(false);
      expect(verdict.problem).toEqual(expect.any(String));
    }
  });
});
