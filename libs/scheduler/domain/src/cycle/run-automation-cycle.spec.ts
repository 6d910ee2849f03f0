import type { Automation } from '../model';
import { CLOSE_SOLVED_AUTOMATION, standardAutomations } from '../standard-automations/standard-automations';
import { HOUR, NOW, automationOf, directory, hoursBefore, ticketOf } from '../testing/fixtures';
import { MAX_AUTOMATION_UPDATES, recheckAutomation, runAutomationCycle } from './run-automation-cycle';

const run = (tickets: ReturnType<typeof ticketOf>[], automations: Automation[], now = NOW) => runAutomationCycle({ tickets, automations, now, directory });

/** Open tickets untouched for 48 hours get priority high (true once a tag is added). */
const escalate = automationOf({
  id: 'escalate',
  position: 2,
  conditions: { all: [{ field: 'status', operator: 'is', value: 'open' }, { field: 'updated_at', operator: 'greater_than', value: 48 }, { field: 'current_tags', operator: 'not_includes', value: 'escalated' }], any: [] },
  actions: [{ field: 'priority', value: 'high' }, { field: 'current_tags', value: 'escalated' }],
});
/** High-priority open tickets go to group 6. */
const routeHigh = automationOf({
  id: 'route-high',
  position: 3,
  conditions: { all: [{ field: 'priority', operator: 'is', value: 'high' }, { field: 'group_id', operator: 'is', value: '5' }, { field: 'NEW', operator: 'greater_than', value: 1 }], any: [] },
  actions: [{ field: 'group_id', value: '6' }],
});

describe('runAutomationCycle', () => {
  it('given two automations, when the first raises the priority, then the second sees it in the same cycle', () => {
    const [result] = run([ticketOf()], [routeHigh, escalate]);
    expect(result.updates.map((u) => u.source)).toEqual([
      { kind: 'automation', automationId: 'escalate', title: 'Automation escalate' },
      { kind: 'automation', automationId: 'route-high', title: 'Automation route-high' },
    ]);
    expect(result.updates[0].changes).toEqual({ priority: 'high', addTags: ['escalated'] });
    // Smith is not in group 6: the system rules unassign him, as the ticket service will.
    expect(result.updates[1].changes).toEqual({ groupId: 6, assigneeId: null });
    expect(result.ticket).toMatchObject({ priority: 'high', group_id: 6, assignee_id: null, tags: ['escalated'], automation_updates: 2, updated_at: NOW.toISOString() });
  });

  it('runs in position order: with the router first, it finds normal priority and does nothing', () => {
    const [result] = run([ticketOf()], [{ ...routeHigh, position: 1 }, { ...escalate, position: 2 }]);
    expect(result.updates.map((u) => u.source.kind === 'automation' && u.source.automationId)).toEqual(['escalate']);
  });

  it('an automation update is a ticket update through rule, on which triggers run', () => {
    const [{ updates }] = run([ticketOf()], [escalate]);
    expect(updates[0]).toMatchObject({ via: { channel: 'rule' }, firesTriggers: true, fired: { kind: 'automation', id: 'escalate' } });
    // The same tick asks for the same update again (a redelivered tick is harmless).
    expect(run([ticketOf()], [escalate])[0].updates[0].updateId).toBe(updates[0].updateId);
  });

  it('an automation\'s later updates see the time fields it moved: "hours since update" is 0 again', () => {
    const reminder = automationOf({ id: 'remind', position: 5, conditions: { all: [{ field: 'status', operator: 'is', value: 'open' }, { field: 'updated_at', operator: 'greater_than', value: 48 }], any: [] }, actions: [{ field: 'notification_user', value: ['requester_id', 'Reminder', 'Hello'] }] });
    const [result] = run([ticketOf()], [escalate, reminder]);
    expect(result.updates.map((u) => u.source.kind === 'automation' && u.source.automationId)).toEqual(['escalate']);
  });

  it("emails the ticket's group (notification_group) through the directory's group members; a directory without them skips the action", () => {
    const tellGroup = automationOf({
      id: 'tell-group',
      conditions: { all: [{ field: 'status', operator: 'is', value: 'open' }, { field: 'updated_at', operator: 'is', value: 72 }], any: [] },
      actions: [{ field: 'notification_group', value: ['group_id', 'Waiting', 'Three days.'] }],
    });
    const [result] = run([ticketOf({ updated_at: hoursBefore(72.5) })], [tellGroup]);
    expect(result.updates).toHaveLength(1);
    expect(result.updates[0].changes).toEqual({});
    expect(result.updates[0].fired?.notifications).toEqual([expect.objectContaining({ recipientIds: [10], subject: 'Waiting', body: 'Three days.' })]);
    const { groupMembers: _none, ...noGroups } = directory;
    const skipped = runAutomationCycle({ tickets: [ticketOf({ updated_at: hoursBefore(72.5) })], automations: [tellGroup], now: NOW, directory: noGroups });
    expect(skipped).toEqual([]);
  });

  it('never runs on closed tickets', () => {
    const always = automationOf({ id: 'tag', conditions: { all: [{ field: 'status', operator: 'greater_than', value: 'new' }, { field: 'NEW', operator: 'greater_than', value: 0 }], any: [] }, actions: [{ field: 'current_tags', value: 'seen' }] });
    expect(run([ticketOf({ status: 'closed', closed_at: hoursBefore(5) })], [always])).toEqual([]);
  });

  it('skips inactive automations', () => {
    expect(run([ticketOf()], [{ ...escalate, active: false }])).toEqual([]);
  });

  it('at most 100 automation updates per ticket: the 100th happens, the 101st does not', () => {
    expect(run([ticketOf({ automation_updates: MAX_AUTOMATION_UPDATES - 1 })], [escalate])[0].ticket.automation_updates).toBe(MAX_AUTOMATION_UPDATES);
    expect(run([ticketOf({ automation_updates: MAX_AUTOMATION_UPDATES })], [escalate])).toEqual([]);
  });

  it('the standard close is excepted from the 100 updates', () => {
    const [close] = standardAutomations(NOW.toISOString());
    const ticket = ticketOf({ status: 'solved', solved_at: hoursBefore(100), automation_updates: 250 });
    expect(run([ticket], [close])[0].updates[0].changes).toEqual({ status: 'closed' });
  });

  it('within one cycle, a ticket closed by an automation is left alone by the later ones', () => {
    const [close] = standardAutomations(NOW.toISOString());
    const tagSolved = automationOf({ id: 'tag-solved', position: 9, conditions: { all: [{ field: 'status', operator: 'greater_than', value: 'hold' }, { field: 'SOLVED', operator: 'greater_than', value: 1 }], any: [] }, actions: [{ field: 'current_tags', value: 'late' }] });
    const [result] = run([ticketOf({ status: 'solved', solved_at: hoursBefore(100) })], [tagSolved, close]);
    expect(result.updates).toHaveLength(1);
    expect(result.ticket).toMatchObject({ status: 'closed', closed_at: NOW.toISOString() });
  });

  it('an automation whose actions change nothing and send nothing makes no update', () => {
    const noop = automationOf({ id: 'noop', conditions: { all: [{ field: 'status', operator: 'is', value: 'open' }, { field: 'NEW', operator: 'greater_than', value: 1 }], any: [] }, actions: [{ field: 'priority', value: 'normal' }] });
    expect(run([ticketOf()], [noop])).toEqual([]);
  });

  it('applies the system ticket rules to what automations change (no solve without an assignee)', () => {
    const solve = automationOf({ id: 'solve', conditions: { all: [{ field: 'status', operator: 'is', value: 'pending' }, { field: 'PENDING', operator: 'greater_than', value: 48 }], any: [] }, actions: [{ field: 'status', value: 'solved' }, { field: 'current_tags', value: 'auto_solved' }] });
    const [result] = run([ticketOf({ status: 'pending', pending_at: hoursBefore(72), assignee_id: null })], [solve]);
    expect(result.updates[0].changes).toEqual({ addTags: ['auto_solved'] });
  });
});

describe('the 28-day system close', () => {
  it('closes a ticket solved 28 days ago, from the system, firing no triggers, before any automation runs', () => {
    const ticket = ticketOf({ status: 'solved', solved_at: hoursBefore(28 * 24) });
    const [result] = run([ticket], []);
    expect(result.updates).toEqual([
      expect.objectContaining({ source: { kind: 'system_close', title: expect.any(String) }, firesTriggers: false, via: expect.objectContaining({ channel: 'system' }), changes: { status: 'closed' }, fired: null }),
    ]);
    expect(result.ticket.automation_updates).toBe(0);
  });

  it('does not close a ticket solved one second short of 28 days', () => {
    const ticket = ticketOf({ status: 'solved', solved_at: new Date(NOW.getTime() - 28 * 24 * HOUR + 1000).toISOString() });
    expect(run([ticket], [])).toEqual([]);
  });
});

describe('recheckAutomation: the ticket as it is at update time decides', () => {
  const close = { ...CLOSE_SOLVED_AUTOMATION, position: 1, created_at: '', updated_at: '' };

  it('given a solved ticket found by the scan, when the requester replied meanwhile (reopened), then it no longer fires', () => {
    const found = ticketOf({ status: 'solved', solved_at: hoursBefore(100) });
    expect(recheckAutomation(found, close, NOW, { directory })).toEqual({ fire: true });
    expect(recheckAutomation({ ...found, status: 'open', open_at: hoursBefore(0) }, close, NOW, { directory })).toEqual({ fire: false, reason: 'conditions' });
  });

  it('refuses closed tickets, inactive automations and tickets at the limit', () => {
    expect(recheckAutomation(ticketOf({ status: 'closed' }), escalate, NOW, { directory })).toEqual({ fire: false, reason: 'closed' });
    expect(recheckAutomation(ticketOf(), { ...escalate, active: false }, NOW, { directory })).toEqual({ fire: false, reason: 'inactive' });
    expect(recheckAutomation(ticketOf({ automation_updates: 100 }), escalate, NOW, { directory })).toEqual({ fire: false, reason: 'limit' });
  });
});
