import { STANDARD_AUTOMATION_IDS, standardAutomations, type Automation } from '@mailroom/scheduler-domain';
import { applyAutomationChanges } from './proposed-automations';

const current: Automation[] = standardAutomations('2026-01-01T00:00:00.000Z');
const close = current.find((a) => a.id === STANDARD_AUTOMATION_IDS.closeSolved)!;
const pending = current.find((a) => a.id === STANDARD_AUTOMATION_IDS.pending24Hours)!;

const reminder = {
  title: 'Remind after a day pending',
  conditions: { all: [{ field: 'status', operator: 'is', value: 'pending' }, { field: 'PENDING', operator: 'is', value: '24' }], any: [] },
  actions: [{ field: 'notification_user', value: ['requester_id', 'Still waiting', 'Hello'] }],
};

describe('proposed automation changes (what the simulation runs against)', () => {
  it('an edit is judged whole, merged with the stored automation; the rest stays as it is', () => {
    const r = applyAutomationChanges(current, { update: [{ id: close.id, conditions: { all: [close.conditions.all[0], { field: 'SOLVED', operator: 'greater_than', value: '168' }], any: [] } }] });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.automations.find((a) => a.id === close.id)).toMatchObject({ title: close.title, active: true, actions: close.actions, conditions: { all: [{ field: 'status' }, { field: 'SOLVED', value: '168' }] } });
    expect(r.automations.filter((a) => a.id !== close.id)).toEqual(current.filter((a) => a.id !== close.id));
    expect(close.conditions.all[1].value).toBe('96'); // the current set is not touched
  });

  it('a new automation is validated as a create and put last, active; deactivation and deletion of others apply', () => {
    const r = applyAutomationChanges(current, { create: [reminder], update: [{ id: pending.id, active: true }], deactivate: [pending.id], delete: [STANDARD_AUTOMATION_IDS.pending5Days] });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const created = r.automations.find((a) => a.id === 'proposed-1')!;
    expect(created).toMatchObject({ title: reminder.title, active: true, default: false });
    expect(created.position).toBeGreaterThan(Math.max(...current.map((a) => a.position)));
    expect(r.automations.find((a) => a.id === pending.id)!.active).toBe(false);
    expect(r.automations.some((a) => a.id === STANDARD_AUTOMATION_IDS.pending5Days)).toBe(false);
  });

  it('refuses what the Automations API refuses: invalid automations, the standard close turned off or deleted, unknown ids and keys', () => {
    const r = applyAutomationChanges(current, {
      create: [{ title: 'No time condition', conditions: { all: [{ field: 'status', operator: 'is', value: 'open' }], any: [] }, actions: [{ field: 'priority', value: 'high' }] }, { ...reminder, colour: 'red' }],
      update: [{ id: close.id, active: false }],
      deactivate: [close.id, 'nope'],
      delete: [close.id],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.path)).toEqual([
      'changes.update[0].active',
      'changes.create[0].conditions.all',
      'changes.create[0].base',
      'changes.create[1].base',
      'changes.deactivate[0]',
      'changes.deactivate[1]',
      'changes.delete[0]',
    ]);
    expect(r.problems[0].description).toBe('"Close ticket 4 days after status is set to solved" cannot be deactivated');
    expect(applyAutomationChanges(current, { delete: 'all' }).ok).toBe(false);
  });
});
