import { standardTriggers, type Trigger } from '@mailroom/rules-domain';
import { applyTriggerChanges } from './proposed-triggers';

const current: Trigger[] = standardTriggers();
const first = current[0];

describe('proposed trigger changes (what the simulation runs against)', () => {
  it('a deactivation turns the trigger off and leaves the rest as they are', () => {
    const r = applyTriggerChanges(current, { deactivate: [first.id] });
    expect(r.ok && r.triggers.find((t) => t.id === first.id)!.active).toBe(false);
    expect(r.ok && r.triggers.filter((t) => t.id !== first.id)).toEqual(current.slice(1));
    expect(first.active).toBe(true); // the current set is not touched
  });

  it('an edit changes only the fields it gives; a deletion removes the trigger', () => {
    const r = applyTriggerChanges(current, { update: [{ id: first.id, title: 'Renamed' }], delete: [current[1].id] });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.triggers.find((t) => t.id === first.id)).toEqual({ ...first, title: 'Renamed' });
    expect(r.triggers.some((t) => t.id === current[1].id)).toBe(false);
  });

  it('a new trigger is validated as a create and appended active at the end', () => {
    const r = applyTriggerChanges(current, { create: [{ title: 'Tag urgent', conditions: { all: [{ field: 'update_type', operator: 'is', value: 'Create' }] }, actions: [{ field: 'priority', value: 'urgent' }] }] });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const created = r.triggers.find((t) => t.id === 'proposed-1')!;
    expect(created).toMatchObject({ title: 'Tag urgent', active: true, category_id: null });
    expect(created.position).toBeGreaterThan(Math.max(...current.map((t) => t.position)));
  });

  it('refuses what the triggers API refuses, and ids that are not triggers', () => {
    const r = applyTriggerChanges(current, { create: [{ title: 'x', conditions: { all: [], any: [] }, actions: [] }], deactivate: ['nope'] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.path)).toEqual(['changes.create[0].conditions', 'changes.create[0].actions', 'changes.deactivate[0]']);
    expect(applyTriggerChanges(current, { delete: 'all' }).ok).toBe(false);
  });
});
