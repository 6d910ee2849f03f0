import { evaluateTriggers } from '../evaluate-triggers/evaluate-triggers';
import type { Action, RuleTicket, RuleUpdate, Schedule } from '../model';
import {
  SALES_GROUP,
  SUPPORT_GROUP,
  admin,
  agent,
  alice,
  carol,
  change,
  directoryOf,
  erin,
  everyone,
  otherAgent,
  ticketOf,
  triggerOf,
} from '../test-fixtures';
import { MAX_CCS } from './field-actions';

const directory = directoryOf();
const always = { all: [], any: [] };
const run = (actions: Action[], update: RuleUpdate = change({}), opts: { schedules?: Schedule[] } = {}) =>
  evaluateTriggers(update, [triggerOf({ id: 'under-test', conditions: always, actions })], directory, { ...opts, systemRules: false });
const outcomes = (r: ReturnType<typeof run>) => r.explanation[0].actions.map((a) => [a.outcome, a.note]);
const on = (t: Partial<RuleTicket>) => change({ before: ticketOf(t) });

describe('field actions', () => {
  it.each([
    ['status', 'pending', { status: 'pending' }],
    ['priority', 'urgent', { priority: 'urgent' }],
    ['priority', '', {}],
    ['type', 'incident', { type: 'incident' }],
    ['group_id', String(SALES_GROUP), { groupId: SALES_GROUP }],
    ['assignee_id', otherAgent.id, { assigneeId: otherAgent.id }],
    ['assignee_id', 'current_user', { assigneeId: agent.id }],
  ])('%s = %j changes %j', (field, value, changes) => {
    expect(run([{ field, value }]).changes).toEqual(changes);
  });

  it('unassign and ungroup with ""', () => {
    expect(run([{ field: 'assignee_id', value: '' }, { field: 'group_id', value: '' }], on({ assigneeId: agent.id, groupId: 5 })).changes).toEqual({
      assigneeId: null,
      groupId: null,
    });
  });

  it('never set a ticket back to new', () => {
    const r = run([{ field: 'status', value: 'new' }]);
    expect(r.changes).toEqual({});
    expect(outcomes(r)).toEqual([['skipped', 'a ticket cannot be set back to new']]);
  });
});

describe('tag actions', () => {
  it('add, replace and remove tags', () => {
    const tagged = on({ tags: ['old', 'keep'] });
    expect(run([{ field: 'current_tags', value: 'new keep' }], tagged).changes).toEqual({ addTags: ['new'] });
    expect(run([{ field: 'set_tags', value: 'only' }], tagged).changes).toEqual({ addTags: ['only'], removeTags: ['old', 'keep'] });
    expect(run([{ field: 'remove_tags', value: 'old missing' }], tagged).changes).toEqual({ removeTags: ['old'] });
  });
});

describe('the cc action', () => {
  it('adds a user or the current user as CC, once, never the requester', () => {
    expect(run([{ field: 'cc', value: String(carol.id) }]).changes).toEqual({ addCcIds: [carol.id] });
    expect(run([{ field: 'cc', value: 'current_user' }]).changes).toEqual({ addCcIds: [agent.id] });
    expect(run([{ field: 'cc', value: [carol.id, erin.id, carol.id] }]).changes).toEqual({ addCcIds: [carol.id, erin.id] });
    expect(outcomes(run([{ field: 'cc', value: alice.id }]))).toEqual([['unchanged', undefined]]);
    expect(outcomes(run([{ field: 'cc', value: carol.id }], on({ ccIds: [carol.id] })))).toEqual([['unchanged', undefined]]);
  });

  it('refuses unknown users and more than 48 CCs', () => {
    expect(outcomes(run([{ field: 'cc', value: 999 }]))).toEqual([['skipped', 'user 999 is not known']]);
    const full = on({ ccIds: Array.from({ length: MAX_CCS }, (_, i) => 1000 + i) });
    expect(outcomes(run([{ field: 'cc', value: carol.id }], full))).toEqual([['skipped', 'the ticket already has 48 CCs']]);
  });
});

describe('the satisfaction action', () => {
  it('offers the survey once', () => {
    expect(run([{ field: 'satisfaction_score', value: 'offered_to_requester' }]).changes).toEqual({ satisfactionScore: 'offered' });
    const rated = run([{ field: 'satisfaction_score', value: 'offered_to_requester' }], on({ satisfactionScore: 'good' }));
    expect(rated.changes).toEqual({});
    expect(outcomes(rated)).toEqual([['unchanged', 'satisfaction is already good']]);
    expect(outcomes(run([{ field: 'satisfaction_score', value: 'good' }]))[0][0]).toBe('skipped');
  });
});

describe('custom field and schedule actions', () => {
  it('set, change and clear custom fields', () => {
    expect(run([{ field: 'custom_fields_360001', value: 'hardware' }]).changes).toEqual({ customFields: { '360001': 'hardware' } });
    expect(run([{ field: 'custom_fields_360001', value: '' }], on({ customFields: { '360001': 'x', '2': 'y' } })).changes).toEqual({
      customFields: { '360001': null },
    });
    expect(run([{ field: 'custom_fields_7', value: 'current_user' }]).ticket.customFields).toEqual({ '7': agent.id });
    expect(outcomes(run([{ field: 'custom_fields_7', value: { a: 1 } }]))[0][0]).toBe('skipped');
  });

  it('set a schedule that exists', () => {
    const schedules: Schedule[] = [{ id: 3, time_zone: 'UTC', intervals: [], holidays: [] }];
    expect(run([{ field: 'schedule_id', value: '3' }], change({}), { schedules }).changes).toEqual({ scheduleId: 3 });
    expect(outcomes(run([{ field: 'schedule_id', value: 4 }], change({}), { schedules }))).toEqual([['skipped', 'schedule 4 does not exist']]);
  });
});

describe('group notifications', () => {
  const tell = (target: unknown, update: RuleUpdate = on({ groupId: SUPPORT_GROUP })) =>
    run([{ field: 'notification_group', value: [target, 'Subj', 'Body'] }], update);

  it('email every agent of the ticket\'s group or of a named group', () => {
    expect(tell('group_id').fired[0].notifications[0]).toMatchObject({ recipientIds: [agent.id, otherAgent.id], subject: 'Subj', body: 'Body' });
    expect(tell(String(SALES_GROUP)).fired[0].notifications[0].recipientIds).toEqual([admin.id]);
  });

  it('list members without an address as suppressed', () => {
    const quiet = { id: 13, name: 'Quiet', email: null, role: 'agent' as const, groupIds: [SUPPORT_GROUP] };
    const r = evaluateTriggers(
      on({ groupId: SUPPORT_GROUP }),
      [triggerOf({ conditions: always, actions: [{ field: 'notification_group', value: ['group_id', 's', 'b'] }] })],
      directoryOf([...everyone, quiet]),
    );
    expect(r.fired[0].notifications[0].suppressed).toEqual([{ userId: 13, reason: 'no email address' }]);
  });

  it('say why nothing was sent', () => {
    expect(outcomes(tell('group_id', change({})))).toEqual([['skipped', 'nobody to notify: the ticket has no group']]);
    expect(outcomes(tell(77))).toEqual([['skipped', 'group 77 does not exist']]);
    expect(outcomes(tell('sales'))[0][1]).toMatch(/is not a group/);
    const noGroups = evaluateTriggers(
      on({ groupId: 5 }),
      [triggerOf({ conditions: always, actions: [{ field: 'notification_group', value: ['group_id', 's', 'b'] }] })],
      { person: directory.person, agents: directory.agents },
    );
    expect(noGroups.explanation[0].actions[0].note).toBe('group membership is not known to the rules');
  });
});

describe('webhook notifications', () => {
  it('ask for a webhook call with the unrendered body and a stable request id', () => {
    const body = '{"ticket": {{ticket.id}}, "who": "{{current_user.name}}"}';
    const a = run([{ field: 'notification_webhook', value: ['01GK8E6B', body] }]);
    expect(a.webhooks).toEqual([{ requestId: expect.any(String), webhookId: '01GK8E6B', body }]);
    expect(a.fired[0].webhooks).toEqual(a.webhooks);
    expect(a.explanation[0].actions[0]).toMatchObject({ outcome: 'webhook', webhook: a.webhooks[0] });
    expect(run([{ field: 'notification_webhook', value: ['01GK8E6B', body] }]).webhooks[0].requestId).toBe(a.webhooks[0].requestId);
    expect(run([{ field: 'notification_webhook', value: ['01GK8E6B', body] }], change({ updateId: 'other' })).webhooks[0].requestId).not.toBe(
      a.webhooks[0].requestId,
    );
  });

  it('refuse a malformed webhook action', () => {
    expect(outcomes(run([{ field: 'notification_webhook', value: 'x' }]))[0]).toEqual(['skipped', 'notification_webhook expects [webhook id, body]']);
    expect(outcomes(run([{ field: 'notification_webhook', value: ['', 'b'] }]))[0][0]).toBe('skipped');
    expect(run([{ field: 'notification_webhook', value: ['w1', 42] }]).webhooks).toEqual([]);
  });
});
