import type { Trigger } from '../model';
import { agent, change, directoryOf, emailCreate, ticketOf, triggerOf } from '../test-fixtures';
import { explainTriggers, evaluateTriggers, orderTriggers } from './evaluate-triggers';

const directory = directoryOf();
const ticketIsOpen = { field: 'status', operator: 'is', value: 'open' };
const notifyRequester = (subject: string) => ({ field: 'notification_user', value: ['requester_id', subject, 'body'] });

describe('the trigger cycle', () => {
  it('fires a trigger that an earlier-listed trigger did not match until a later one changed the ticket', () => {
    const escalate = triggerOf({
      title: 'Page on urgent',
      position: 1,
      conditions: { all: [{ field: 'priority', operator: 'is', value: 'urgent' }], any: [] },
      actions: [{ field: 'current_tags', value: 'paged' }],
    });
    const vip = triggerOf({
      title: 'VIP is urgent',
      position: 2,
      conditions: { all: [{ field: 'current_tags', operator: 'includes', value: 'vip' }], any: [] },
      actions: [{ field: 'priority', value: 'urgent' }],
    });
    const before = ticketOf({ tags: ['vip'] });
    const result = evaluateTriggers(change({ before }), [escalate, vip], directory);
    expect(result.fired.map((f) => f.title)).toEqual(['VIP is urgent', 'Page on urgent']);
    expect(result.changes).toEqual({ priority: 'urgent', addTags: ['paged'] });
    expect(result.ticket.tags).toEqual(['vip', 'paged']);
  });

  it('fires a trigger at most once per update even when its conditions still hold after a restart', () => {
    const tagOpen = triggerOf({
      conditions: { all: [ticketIsOpen], any: [] },
      actions: [{ field: 'current_tags', value: 'seen' }, notifyRequester('once')],
    });
    const tagAgain = triggerOf({
      conditions: { all: [{ field: 'current_tags', operator: 'includes', value: 'seen' }], any: [] },
      actions: [{ field: 'current_tags', value: 'seen-twice' }],
    });
    const result = evaluateTriggers(change({}), [tagOpen, tagAgain], directory);
    expect(result.fired.map((f) => f.id)).toEqual([tagOpen.id, tagAgain.id]);
    expect(result.fired.flatMap((f) => f.notifications)).toHaveLength(1);
  });

  it('stops when two triggers would flip a value back and forth forever', () => {
    const toPending = triggerOf({
      title: 'open to pending',
      conditions: { all: [ticketIsOpen], any: [] },
      actions: [{ field: 'status', value: 'pending' }],
    });
    const toOpen = triggerOf({
      title: 'pending to open',
      conditions: { all: [{ field: 'status', operator: 'is', value: 'pending' }], any: [] },
      actions: [{ field: 'status', value: 'open' }],
    });
    const result = evaluateTriggers(change({}), [toPending, toOpen], directory);
    expect(result.fired.map((f) => f.title)).toEqual(['open to pending', 'pending to open']);
    expect(result.ticket.status).toBe('open');
    expect(result.changes).toEqual({});
  });

  it('keeps going through the list after a trigger that fired without changing the ticket', () => {
    const first = triggerOf({ conditions: { all: [ticketIsOpen], any: [] }, actions: [notifyRequester('first')] });
    const second = triggerOf({ conditions: { all: [ticketIsOpen], any: [] }, actions: [notifyRequester('second')] });
    const result = evaluateTriggers(change({}), [first, second], directory);
    expect(result.fired.map((f) => f.notifications[0].subject)).toEqual(['first', 'second']);
  });

  it('runs active triggers by category order, then position, and skips inactive ones', () => {
    const t = (id: string, category_id: string | null, position: number, active = true): Trigger =>
      triggerOf({ id, category_id, position, active, conditions: { all: [], any: [] }, actions: [] });
    const triggers = [t('b1', 'B', 1), t('a2', 'A', 2), t('a1', 'A', 1), t('off', 'A', 0, false), t('z', 'Z', 0)];
    expect(orderTriggers(triggers, ['B', 'A']).map((x) => x.id)).toEqual(['b1', 'a1', 'a2', 'z']);
    const result = evaluateTriggers(change({}), triggers, directory, { categoryOrder: ['B', 'A'] });
    expect(result.explanation.map((e) => [e.triggerId, e.firedOrder])).toEqual([
      ['b1', 1],
      ['a1', 2],
      ['a2', 3],
      ['z', 4],
    ]);
  });

  it('applies a trigger\'s actions in order, so a notification sees the assignee set just before it', () => {
    const assignAndTell = triggerOf({
      conditions: { all: [{ field: 'assignee_id', operator: 'is', value: '' }], any: [] },
      actions: [
        { field: 'assignee_id', value: String(agent.id) },
        { field: 'notification_user', value: ['assignee_id', 'yours', 'body'] },
      ],
    });
    const result = evaluateTriggers(change({}), [assignAndTell], directory);
    expect(result.fired[0].notifications[0].recipientIds).toEqual([agent.id]);
    expect(result.changes).toEqual({ assigneeId: agent.id });
  });

  it('explains each active trigger condition by condition, including why one did not hold', () => {
    const trigger = triggerOf({
      title: 'Urgent mail from customers',
      conditions: {
        all: [
          { field: 'update_type', operator: 'is', value: 'Create' },
          { field: 'priority', operator: 'is', value: 'urgent' },
          { field: 'mood', operator: 'is', value: 'angry' },
        ],
        any: [{ field: 'status', operator: 'smells_like', value: 'new' }],
      },
      actions: [],
    });
    const result = evaluateTriggers(emailCreate(), [trigger], directory);
    expect(result.fired).toEqual([]);
    const [entry] = result.explanation;
    expect(entry).toMatchObject({ title: 'Urgent mail from customers', matched: false, fired: false, firedOrder: null });
    expect(entry.conditions.map((c) => [c.group, c.condition.field, c.matched])).toEqual([
      ['all', 'update_type', true],
      ['all', 'priority', false],
      ['all', 'mood', false],
      ['any', 'status', false],
    ]);
    expect(entry.conditions[1].detail).toBe('priority is -, not changed');
    expect(entry.conditions[2].problem).toBe('unknown condition field "mood"');
    expect(entry.conditions[3].problem).toMatch(/operator "smells_like" is not supported for status/);
  });

  it('records what each action of a fired trigger did, skipping unknown actions instead of failing', () => {
    const trigger = triggerOf({
      conditions: { all: [], any: [] },
      actions: [
        { field: 'priority', value: 'high' },
        { field: 'type', value: null },
        { field: 'launch_rockets', value: true },
        { field: 'status', value: 'sideways' },
        { field: 'notification_user', value: 'not a list' },
      ],
    });
    const result = evaluateTriggers(change({}), [trigger], directory);
    expect(result.explanation[0].actions.map((a) => [a.action.field, a.outcome, a.note])).toEqual([
      ['priority', 'changed', undefined],
      ['type', 'unchanged', undefined],
      ['launch_rockets', 'skipped', 'unknown action "launch_rockets"'],
      ['status', 'skipped', expect.stringContaining('"sideways" is not a status')],
      ['notification_user', 'skipped', 'notification_user expects [recipient, subject, body]'],
    ]);
    expect(result.fired[0].actions).toHaveLength(5);
    expect(result.changes).toEqual({ priority: 'high' });
  });

  it('adds, sets and removes tags, reporting the net tag changes', () => {
    const before = ticketOf({ tags: ['a', 'b'] });
    const add = triggerOf({ conditions: { all: [], any: [] }, actions: [{ field: 'current_tags', value: 'C  d' }] });
    const remove = triggerOf({ conditions: { all: [], any: [] }, actions: [{ field: 'remove_tags', value: 'a d' }] });
    const result = evaluateTriggers(change({ before }), [add, remove], directory);
    expect(result.ticket.tags).toEqual(['b', 'c']);
    expect(result.changes).toEqual({ addTags: ['c'], removeTags: ['a'] });

    const set = triggerOf({ conditions: { all: [], any: [] }, actions: [{ field: 'set_tags', value: ['x', 'y'] }] });
    expect(evaluateTriggers(change({ before }), [set], directory).ticket.tags).toEqual(['x', 'y']);
  });

  it('assigns the current user, and refuses to when the update was made by the system', () => {
    const takeIt = triggerOf({ conditions: { all: [], any: [] }, actions: [{ field: 'assignee_id', value: 'current_user' }] });
    expect(evaluateTriggers(change({}), [takeIt], directory).changes).toEqual({ assigneeId: agent.id });
    const bySystem = evaluateTriggers(change({ actor: { userId: null, role: 'system' } }), [takeIt], directory);
    expect(bySystem.changes).toEqual({});
    expect(bySystem.explanation[0].actions[0].outcome).toBe('skipped');
  });

  it('does not run on a ticket that was already closed', () => {
    const before = ticketOf({ status: 'closed' });
    const always = triggerOf({ conditions: { all: [], any: [] }, actions: [{ field: 'priority', value: 'low' }] });
    const result = evaluateTriggers(change({ before }), [always], directory);
    expect(result.fired).toEqual([]);
    expect(result.explanation[0].skipped).toBe('triggers do not run on a closed ticket');
  });

  it('gives the same notification the same id when the update is evaluated again, and distinct ids otherwise', () => {
    const twice = triggerOf({
      id: 'stable',
      conditions: { all: [], any: [] },
      actions: [notifyRequester('a'), notifyRequester('b')],
    });
    const ids = (updateId: string) =>
      evaluateTriggers(change({ updateId }), [twice], directory).fired[0].notifications.map((n) => n.notificationId);
    const first = ids('u-1');
    expect(first[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ids('u-1')).toEqual(first);
    expect(new Set([...first, ...ids('u-2')]).size).toBe(4);
  });

  it('leaves the update it was given untouched', () => {
    const update = change({});
    const snapshot = JSON.parse(JSON.stringify(update));
    evaluateTriggers(
      update,
      [triggerOf({ conditions: { all: [], any: [] }, actions: [{ field: 'current_tags', value: 'x' }, { field: 'status', value: 'solved' }] })],
      directory,
    );
    expect(update).toEqual(snapshot);
  });
});

describe('the trigger cycle, limits and closing', () => {
  it('stops at the pass cap on a rule set that keeps changing the ticket, and says so', () => {
    // Ten triggers, each adds its own tag: every firing changes the ticket and restarts the pass.
    const many = Array.from({ length: 10 }, (_, i) =>
      triggerOf({ conditions: { all: [], any: [] }, actions: [{ field: 'current_tags', value: `t${i}` }] }),
    );
    const capped = evaluateTriggers(change({}), many, directory, { maxPasses: 3 });
    expect(capped.capped).toBe(true);
    expect(capped.passes).toBe(3);
    expect(capped.fired).toHaveLength(3);
    expect(capped.explanation[3].skipped).toBe('the cycle stopped after 3 passes');
    const full = evaluateTriggers(change({}), many, directory);
    expect(full).toMatchObject({ capped: false, passes: 11 });
    expect(full.fired).toHaveLength(10);
  });

  it('runs on the update that closes a ticket', () => {
    const before = ticketOf({ status: 'solved', assigneeId: agent.id });
    const onClose = triggerOf({
      conditions: { all: [{ field: 'status', operator: 'value', value: 'closed' }], any: [] },
      actions: [{ field: 'current_tags', value: 'closed-by-rule' }],
    });
    const result = evaluateTriggers(change({ before, after: { ...before, status: 'closed' } }), [onClose], directory);
    expect(result.changes).toEqual({ addTags: ['closed-by-rule'] });
  });

  it('reads the business-hours clock from the update when none is passed in', () => {
    const schedules = [{ id: 1, time_zone: 'UTC', intervals: [{ start_time: 0, end_time: 7 * 1440 }], holidays: [] }];
    const afterHours = triggerOf({
      conditions: { all: [{ field: 'in_business_hours', operator: 'is', value: 'true' }], any: [] },
      actions: [{ field: 'current_tags', value: 'open-hours' }],
    });
    expect(evaluateTriggers(change({ occurredAt: '2026-11-25T10:00:00Z' }), [afterHours], directory, { schedules }).fired).toHaveLength(1);
    expect(evaluateTriggers(change({}), [afterHours], directory, { schedules }).explanation[0].conditions[0].problem).toBe(
      'no clock was given to judge business hours',
    );
  });
});

describe('explaining an update', () => {
  it('lists every active trigger in run order with its conditions, whether and when it fired, and what its actions did', () => {
    const first = triggerOf({
      title: 'tag vip mail',
      position: 1,
      conditions: { all: [{ field: 'current_tags', operator: 'includes', value: 'vip' }], any: [] },
      actions: [{ field: 'priority', value: 'high' }, notifyRequester('vip')],
    });
    const second = triggerOf({
      title: 'high priority',
      position: 2,
      conditions: { all: [{ field: 'priority', operator: 'is', value: 'high' }], any: [] },
      actions: [{ field: 'group_id', value: 5 }],
    });
    const never = triggerOf({ title: 'never', position: 3, conditions: { all: [{ field: 'status', operator: 'is', value: 'hold' }], any: [] }, actions: [] });
    const off = triggerOf({ title: 'off', active: false, conditions: { all: [], any: [] }, actions: [] });
    const view = explainTriggers(change({ before: ticketOf({ tags: ['vip'] }) }), [never, off, second, first], directory);
    expect(view.triggers.map((t) => [t.title, t.matched, t.fired, t.firedOrder])).toEqual([
      ['tag vip mail', true, true, 1],
      ['high priority', true, true, 2],
      ['never', false, false, null],
    ]);
    expect(view.triggers[2].conditions[0]).toMatchObject({ matched: false, detail: 'status is open, not changed' });
    expect(view.triggers[0].actions.map((a) => a.outcome)).toEqual(['changed', 'notification']);
    expect(view.triggers[0].actions[1].notification?.recipientIds).toEqual([1]);
    expect(view).toMatchObject({ passes: 3, capped: false, changes: { priority: 'high', groupId: 5 } });
  });
});
